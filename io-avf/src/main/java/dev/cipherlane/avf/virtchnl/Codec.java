package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian views of message bytes: virtchnl is little-endian on the wire. */
final class Codec {
    private Codec() {}

    static ByteBuffer writer(int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer reader(byte[] message) {
        return ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int u16(ByteBuffer b) {
        return b.getShort() & 0xFFFF;
    }

    static int u8(ByteBuffer b) {
        return b.get() & 0xFF;
    }

    /** A MAC address, network order, in six bytes. */
    static long mac(ByteBuffer b) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b.get() & 0xFF);
        }
        return v;
    }

    static void mac(ByteBuffer b, long mac) {
        for (int i = 0; i < 6; i++) {
            b.put((byte) (mac >>> (40 - 8 * i)));
        }
    }
}
