package dev.cipherlane.ipsec.sa;

/** SA records for tests: distinct key material per SPI. */
final class Sas {
    private Sas() {}

    static byte[] keyMaterial(int spi) {
        byte[] k = new byte[SecurityAssociation.KEYMAT_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (spi + i * 13);
        }
        return k;
    }

    static SecurityAssociation inbound(int spi, int tunnel) {
        return SecurityAssociation.of(spi, Direction.INBOUND, keyMaterial(spi), tunnel);
    }

    static SecurityAssociation outbound(int spi, int tunnel) {
        return SecurityAssociation.of(spi, Direction.OUTBOUND, keyMaterial(spi), tunnel);
    }
}
