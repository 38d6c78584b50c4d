package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.MemorySegment;

/**
 * AES-256-GCM as ESP uses it (RFC 4106): sealing and opening in place in off-heap memory.
 *
 * <p>The nonce is 12 bytes, the key's 4-byte salt then the 8-byte explicit IV, given here as
 * a {@code long} written big-endian (RFC 4106 section 4). The ICV is 16 bytes and sits right
 * after the text (RFC 4106 section 6 allows 8, 12 or 16; we only use 16). The AAD is read from
 * memory too, so callers can point it at the ESP header itself; it must not overlap the text
 * or the ICV.
 *
 * <p>An engine belongs to one thread (a worker or a crypto thread) and is not thread-safe: it
 * keeps the ciphers and scratch space it reuses packet after packet. Engines are made up
 * front, one per thread, by {@link AeadEngines}.
 *
 * <p>Neither method throws for bad input: a tag mismatch is {@code false} from {@link #open},
 * and so is anything else the underlying cipher refuses. Offsets outside the segment are a
 * caller's bug and throw as {@link MemorySegment} does.
 */
public interface AeadEngine {
    /** AES-256 key length. */
    int KEY_BYTES = 32;
    /** The implicit part of the nonce, from the keying material (RFC 4106 section 4). */
    int SALT_BYTES = 4;
    /** The explicit part of the nonce, carried in each packet (RFC 4106 section 3.1). */
    int IV_BYTES = 8;
    int NONCE_BYTES = SALT_BYTES + IV_BYTES;
    /** Integrity check value (the GCM tag) length; RFC 4106 section 6, the 16-byte variant. */
    int ICV_BYTES = 16;

    /** The name {@link AeadEngines} knows this engine by. */
    String name();

    /**
     * Encrypts {@code [text, text + length)} of {@code data} in place and writes the ICV at
     * {@code text + length}. Returns false only if the cipher refused (for example the JDK's
     * refusal to encrypt twice in a row under the same key and nonce); the text is then garbage.
     */
    boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length);

    /**
     * Verifies the ICV at {@code text + length} over the AAD and the ciphertext
     * {@code [text, text + length)} and decrypts that in place. Returns false when the ICV
     * does not match; the text is then unspecified (possibly half decrypted), never trusted.
     */
    boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length);
}
