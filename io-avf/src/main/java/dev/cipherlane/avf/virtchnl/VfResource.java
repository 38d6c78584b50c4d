package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * GET_VF_RESOURCES reply ({@code virtchnl_vf_resource}): num_vsis, num_queue_pairs,
 * max_vectors, max_mtu (u16 each), granted capabilities, RSS key size and LUT size (u32
 * each), then {@code num_vsis} {@link VsiResource}s. The C struct declares one VSI
 * inline, so the message is never shorter than one VSI: 20 + 16 * max(1, num_vsis).
 */
public record VfResource(int numQueuePairs, int maxVectors, int maxMtu, int capabilities,
                         int rssKeySize, int rssLutSize, List<VsiResource> vsis) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 20;

    public VfResource {
        vsis = List.copyOf(vsis);
    }

    public static int size(int numVsis) {
        return FIXED_SIZE + VsiResource.SIZE * Math.max(1, numVsis);
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Codec.writer(size(vsis.size()));
        b.putShort((short) vsis.size()).putShort((short) numQueuePairs).putShort((short) maxVectors)
                .putShort((short) maxMtu).putInt(capabilities).putInt(rssKeySize).putInt(rssLutSize);
        for (VsiResource vsi : vsis) {
            vsi.encode(b);
        }
        return b.array();
    }

    public static VfResource decode(byte[] m) {
        VirtchnlFormatException.expectAtLeast(VirtchnlOp.GET_VF_RESOURCES, m, size(1));
        ByteBuffer b = Codec.reader(m);
        int numVsis = Codec.u16(b);
        VirtchnlFormatException.expectLength(VirtchnlOp.GET_VF_RESOURCES, m, size(numVsis));
        int queues = Codec.u16(b);
        int vectors = Codec.u16(b);
        int mtu = Codec.u16(b);
        int caps = b.getInt();
        int keySize = b.getInt();
        int lutSize = b.getInt();
        List<VsiResource> vsis = new ArrayList<>(numVsis);
        for (int i = 0; i < numVsis; i++) {
            vsis.add(VsiResource.decode(b));
        }
        return new VfResource(queues, vectors, mtu, caps, keySize, lutSize, vsis);
    }

    /** The VF's own VSI (type SR-IOV), or null when the PF gave none. */
    public VsiResource sriovVsi() {
        for (VsiResource vsi : vsis) {
            if (vsi.vsiType() == VsiResource.TYPE_SRIOV) {
                return vsi;
            }
        }
        return null;
    }
}
