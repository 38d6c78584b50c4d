package dev.cipherlane.ipsec.keys;

/**
 * What one direction of a statically keyed tunnel needs: the SPI and the AES-GCM-256 key
 * material. Printing it shows the SPI and the key's fingerprint, never the key.
 */
public record SaKeys(int spi, KeyMaterial material) {
    /** SPIs 1..255 are reserved by IANA and 0 means "no SA" (RFC 4303 section 2.1). */
    public static final long FIRST_USABLE_SPI = 256;

    public SaKeys {
        if (Integer.toUnsignedLong(spi) < FIRST_USABLE_SPI) {
            throw new IllegalArgumentException("SPI " + spiText(spi) + " is reserved (RFC 4303 section 2.1)");
        }
        if (material == null) {
            throw new IllegalArgumentException("key material is required");
        }
    }

    /** An SPI the way operators read it in {@code show sa} and in tshark: 0x and 8 hex digits. */
    public static String spiText(int spi) {
        return String.format("0x%08x", spi);
    }

    @Override
    public String toString() {
        return "spi " + spiText(spi) + " " + material;
    }
}
