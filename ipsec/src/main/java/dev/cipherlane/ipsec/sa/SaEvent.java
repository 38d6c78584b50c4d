package dev.cipherlane.ipsec.sa;

import java.util.Locale;

/**
 * SA {@code sa} (an index in its {@link SaTable}) crossed {@code limit}: on a soft limit the
 * control plane rekeys, on a hard one the SA already refuses traffic and should be replaced.
 */
public record SaEvent(int sa, int spi, SaLimit limit) {
    @Override
    public String toString() {
        return "sa " + sa + " spi 0x" + Integer.toHexString(spi) + " " + limit.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
