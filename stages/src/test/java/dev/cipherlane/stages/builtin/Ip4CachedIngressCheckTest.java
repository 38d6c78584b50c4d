package dev.cipherlane.stages.builtin;

/**
 * Issue 12: {@code ip4-lookup} {@value Ip4CachedLookup#IMPLEMENTATION} judges sources as the
 * built-in lookup does (its FIB cache serves destinations only): every test of
 * {@link IngressCheckTest}, on it.
 */
class Ip4CachedIngressCheckTest extends IngressCheckTest {
    @Override
    IngressTestNetwork network() {
        return new IngressTestNetwork().withCachedLookup();
    }
}
