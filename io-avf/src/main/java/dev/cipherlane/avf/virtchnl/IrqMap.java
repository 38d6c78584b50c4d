package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * CONFIG_IRQ_MAP ({@code virtchnl_irq_map_info}): num_vectors (u16), then that many
 * vector maps of six u16 (vsi_id, vector_id, rxq_map, txq_map, rxitr_idx, txitr_idx):
 * 2 + 12 * n bytes. A polling VF still maps its queues, to vector 0.
 */
public record IrqMap(List<VectorMap> vectors) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 2;
    public static final int VECTOR_SIZE = 12;

    public record VectorMap(int vsiId, int vectorId, int rxQueues, int txQueues, int rxItr, int txItr) {}

    public IrqMap {
        vectors = List.copyOf(vectors);
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Codec.writer(FIXED_SIZE + VECTOR_SIZE * vectors.size());
        b.putShort((short) vectors.size());
        for (VectorMap v : vectors) {
            b.putShort((short) v.vsiId).putShort((short) v.vectorId).putShort((short) v.rxQueues)
                    .putShort((short) v.txQueues).putShort((short) v.rxItr).putShort((short) v.txItr);
        }
        return b.array();
    }

    public static IrqMap decode(byte[] m) {
        VirtchnlFormatException.expectAtLeast(VirtchnlOp.CONFIG_IRQ_MAP, m, FIXED_SIZE);
        ByteBuffer b = Codec.reader(m);
        int n = Codec.u16(b);
        VirtchnlFormatException.expectLength(VirtchnlOp.CONFIG_IRQ_MAP, m, FIXED_SIZE + VECTOR_SIZE * n);
        List<VectorMap> vectors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            vectors.add(new VectorMap(Codec.u16(b), Codec.u16(b), Codec.u16(b), Codec.u16(b), Codec.u16(b), Codec.u16(b)));
        }
        return new IrqMap(vectors);
    }
}
