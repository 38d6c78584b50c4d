package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/** CONFIG_PROMISCUOUS_MODE ({@code virtchnl_promisc_info}, 4 bytes): vsi_id, flags (u16). */
public record Promiscuous(int vsiId, int flags) implements VirtchnlMessage {
    public static final int SIZE = 4;
    public static final int UNICAST = 0x1;
    public static final int MULTICAST = 0x2;

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putShort((short) vsiId).putShort((short) flags).array();
    }

    public static Promiscuous decode(byte[] m) {
        VirtchnlFormatException.expectLength(VirtchnlOp.CONFIG_PROMISCUOUS_MODE, m, SIZE);
        ByteBuffer b = Codec.reader(m);
        return new Promiscuous(Codec.u16(b), Codec.u16(b));
    }
}
