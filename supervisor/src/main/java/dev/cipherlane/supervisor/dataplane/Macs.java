package dev.cipherlane.supervisor.dataplane;

/** MAC addresses kept as the low 48 bits of a long, as the dataplane tables hold them. */
final class Macs {
    private Macs() {}

    static byte[] bytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (8 * (5 - i)));
        }
        return b;
    }

    static long value(byte[] b) {
        long mac = 0;
        for (byte x : b) {
            mac = mac << 8 | (x & 0xFF);
        }
        return mac;
    }
}
