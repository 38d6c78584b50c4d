package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/**
 * VIRTCHNL_OP_VERSION, both ways ({@code virtchnl_version_info}: major, minor as u32).
 * The VF says what it speaks, the PF answers with what it speaks; 1.1 adds the
 * capability word to GET_VF_RESOURCES.
 */
public record Version(int major, int minor) implements VirtchnlMessage {
    public static final int SIZE = 8;
    public static final Version V1_1 = new Version(1, 1);

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putInt(major).putInt(minor).array();
    }

    public static Version decode(byte[] m) {
        VirtchnlFormatException.expectLength(VirtchnlOp.VERSION, m, SIZE);
        ByteBuffer b = Codec.reader(m);
        return new Version(b.getInt(), b.getInt());
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
