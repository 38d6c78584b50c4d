package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * CONFIG_RSS_LUT ({@code virtchnl_rss_lut}): vsi_id, lut_entries (u16), then one queue
 * index per entry (u8). Padded like {@link RssKey}: 5 + lut_entries bytes. The hash's
 * low bits pick the entry, the entry the queue.
 */
public record RssLut(int vsiId, byte[] lut) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 5;

    public RssLut {
        lut = lut.clone();
    }

    /** Entries spread round-robin over {@code queues} queues. */
    public static byte[] roundRobin(int entries, int queues) {
        byte[] lut = new byte[entries];
        for (int i = 0; i < entries; i++) {
            lut[i] = (byte) (i % queues);
        }
        return lut;
    }

    @Override
    public byte[] encode() {
        return Codec.writer(FIXED_SIZE + lut.length).putShort((short) vsiId).putShort((short) lut.length).put(lut).array();
    }

    public static RssLut decode(byte[] m) {
        VirtchnlFormatException.expectAtLeast(VirtchnlOp.CONFIG_RSS_LUT, m, FIXED_SIZE + 1);
        ByteBuffer b = Codec.reader(m);
        int vsi = Codec.u16(b);
        int n = Codec.u16(b);
        VirtchnlFormatException.expectLength(VirtchnlOp.CONFIG_RSS_LUT, m, FIXED_SIZE + n);
        byte[] lut = new byte[n];
        b.get(lut);
        return new RssLut(vsi, lut);
    }

    @Override
    public byte[] lut() {
        return lut.clone();
    }

    public int queue(int entry) {
        return lut[entry] & 0xFF;
    }

    public int entries() {
        return lut.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RssLut l && l.vsiId == vsiId && Arrays.equals(l.lut, lut);
    }

    @Override
    public int hashCode() {
        return 31 * vsiId + Arrays.hashCode(lut);
    }

    @Override
    public String toString() {
        return "RssLut[vsiId=" + vsiId + ", " + Arrays.toString(lut) + "]";
    }
}
