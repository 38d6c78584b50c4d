package dev.cipherlane.avf.virtchnl;

import dev.cipherlane.net.MacAddress;
import java.nio.ByteBuffer;

/**
 * One VSI the PF gave the VF ({@code virtchnl_vsi_resource}, 16 bytes: vsi_id u16,
 * num_queue_pairs u16, vsi_type u32, qset_handle u16, default MAC 6 bytes).
 */
public record VsiResource(int vsiId, int numQueuePairs, int vsiType, int qsetHandle, MacAddress defaultMac) {
    public static final int SIZE = 16;
    /** The VSI type of a VF's own VSI (VIRTCHNL_VSI_SRIOV, AVF 1.0 pg76). */
    public static final int TYPE_SRIOV = 6;

    void encode(ByteBuffer b) {
        b.putShort((short) vsiId).putShort((short) numQueuePairs).putInt(vsiType).putShort((short) qsetHandle);
        Codec.mac(b, defaultMac.value());
    }

    static VsiResource decode(ByteBuffer b) {
        int vsiId = Codec.u16(b);
        int queues = Codec.u16(b);
        int type = b.getInt();
        int qset = Codec.u16(b);
        return new VsiResource(vsiId, queues, type, qset, new MacAddress(Codec.mac(b)));
    }
}
