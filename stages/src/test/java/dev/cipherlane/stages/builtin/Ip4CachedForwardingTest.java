package dev.cipherlane.stages.builtin;

/**
 * Issue 12: {@code ip4-lookup} {@value Ip4CachedLookup#IMPLEMENTATION}, the implementation
 * the swap tests alternate with the built-in one, forwards exactly as it does: every test of
 * {@link Ip4ForwardingTest}, on it.
 */
class Ip4CachedForwardingTest extends Ip4ForwardingTest {
    @Override
    IpTestNetwork network() {
        return new IpTestNetwork().withCachedLookup();
    }
}
