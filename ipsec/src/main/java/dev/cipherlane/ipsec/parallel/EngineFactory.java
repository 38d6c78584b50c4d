package dev.cipherlane.ipsec.parallel;

/**
 * Makes the engine of one crypto thread (an AEAD cipher with its scratch state): engines
 * are not thread-safe, so each thread gets its own, made once when the ring starts.
 */
@FunctionalInterface
public interface EngineFactory<E> {
    E create(int thread);
}
