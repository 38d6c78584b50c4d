package dev.cipherlane.avf.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Which bytes of a frame RSS hashes, as the XL710's default hash enables do: for IPv4 and
 * IPv6, source and destination address, then source and destination port when the packet
 * is unfragmented TCP or UDP; other frames have no hash and go to queue 0. One VLAN tag is
 * looked past. The input is gathered into a scratch array, so hashing allocates nothing.
 */
final class FlowHash {
    private static final int ETH_HEADER = 14;
    private static final int TCP = 6;
    private static final int UDP = 17;

    private final byte[] input = new byte[36];
    private Toeplitz toeplitz;
    private boolean valid;

    void key(byte[] key) {
        toeplitz = key == null ? null : new Toeplitz(key);
    }

    /** Whether the last {@link #hash} found a flow to hash. */
    boolean valid() {
        return valid;
    }

    int hash(MemorySegment frame, int length) {
        valid = false;
        if (toeplitz == null || length < ETH_HEADER) {
            return 0;
        }
        int l3 = ETH_HEADER;
        int type = u16(frame, 12);
        if (type == 0x8100 && length >= ETH_HEADER + 4) {
            type = u16(frame, 16);
            l3 += 4;
        }
        int n;
        int proto;
        int l4;
        boolean fragment;
        if (type == 0x0800 && length >= l3 + 20) {
            int ihl = (u8(frame, l3) & 0xF) * 4;
            proto = u8(frame, l3 + 9);
            fragment = (u16(frame, l3 + 6) & 0x3FFF) != 0;
            copy(frame, l3 + 12, 0, 8);
            n = 8;
            l4 = l3 + ihl;
        } else if (type == 0x86DD && length >= l3 + 40) {
            proto = u8(frame, l3 + 6);
            fragment = false;
            copy(frame, l3 + 8, 0, 32);
            n = 32;
            l4 = l3 + 40;
        } else {
            return 0;
        }
        if ((proto == TCP || proto == UDP) && !fragment && length >= l4 + 4) {
            copy(frame, l4, n, 4);
            n += 4;
        }
        valid = true;
        return toeplitz.hash(input, n);
    }

    private void copy(MemorySegment frame, long from, int to, int length) {
        MemorySegment.copy(frame, ValueLayout.JAVA_BYTE, from, input, to, length);
    }

    private static int u8(MemorySegment frame, long at) {
        return frame.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static int u16(MemorySegment frame, long at) {
        return u8(frame, at) << 8 | u8(frame, at + 1);
    }
}
