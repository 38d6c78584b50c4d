package dev.cipherlane.avf.virtchnl;

/** GET_VF_RESOURCES from the VF: under 1.1, the capabilities it would like (one u32). */
public record VfResourceRequest(int capabilities) implements VirtchnlMessage {
    public static final int SIZE = 4;

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putInt(capabilities).array();
    }

    public static VfResourceRequest decode(byte[] m) {
        VirtchnlFormatException.expectLength(VirtchnlOp.GET_VF_RESOURCES, m, SIZE);
        return new VfResourceRequest(Codec.reader(m).getInt());
    }
}
