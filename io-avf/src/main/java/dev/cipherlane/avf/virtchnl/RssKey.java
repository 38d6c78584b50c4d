package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * CONFIG_RSS_KEY ({@code virtchnl_rss_key}): vsi_id, key_len (u16), then the key. The C
 * struct declares a one-byte key inline and is padded to 6 bytes, so the message is
 * 6 + key_len - 1 = 5 + key_len bytes, as a PF checks it.
 */
public record RssKey(int vsiId, byte[] key) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 5;

    public RssKey {
        key = key.clone();
    }

    @Override
    public byte[] encode() {
        return Codec.writer(FIXED_SIZE + key.length).putShort((short) vsiId).putShort((short) key.length).put(key).array();
    }

    public static RssKey decode(byte[] m) {
        VirtchnlFormatException.expectAtLeast(VirtchnlOp.CONFIG_RSS_KEY, m, FIXED_SIZE + 1);
        ByteBuffer b = Codec.reader(m);
        int vsi = Codec.u16(b);
        int n = Codec.u16(b);
        VirtchnlFormatException.expectLength(VirtchnlOp.CONFIG_RSS_KEY, m, FIXED_SIZE + n);
        byte[] key = new byte[n];
        b.get(key);
        return new RssKey(vsi, key);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RssKey k && k.vsiId == vsiId && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return 31 * vsiId + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "RssKey[vsiId=" + vsiId + ", " + key.length + " bytes]";
    }
}
