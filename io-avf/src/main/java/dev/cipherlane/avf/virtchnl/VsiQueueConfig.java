package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * CONFIG_VSI_QUEUES ({@code virtchnl_vsi_queue_config_info}): vsi_id, num_queue_pairs
 * (u16), 4 pad, then that many pairs of {@link TxQueueInfo} and {@link RxQueueInfo}
 * (64 bytes each): 8 + 64 * n bytes.
 */
public record VsiQueueConfig(int vsiId, List<Pair> pairs) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 8;
    public static final int PAIR_SIZE = TxQueueInfo.SIZE + RxQueueInfo.SIZE;

    /** One queue pair; tx and rx share vsi and queue id. */
    public record Pair(TxQueueInfo tx, RxQueueInfo rx) {}

    public VsiQueueConfig {
        pairs = List.copyOf(pairs);
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Codec.writer(FIXED_SIZE + PAIR_SIZE * pairs.size());
        b.putShort((short) vsiId).putShort((short) pairs.size()).putInt(0);
        for (Pair p : pairs) {
            p.tx.encode(b);
            p.rx.encode(b);
        }
        return b.array();
    }

    public static VsiQueueConfig decode(byte[] m) {
        VirtchnlFormatException.expectAtLeast(VirtchnlOp.CONFIG_VSI_QUEUES, m, FIXED_SIZE);
        ByteBuffer b = Codec.reader(m);
        int vsi = Codec.u16(b);
        int n = Codec.u16(b);
        VirtchnlFormatException.expectLength(VirtchnlOp.CONFIG_VSI_QUEUES, m, FIXED_SIZE + PAIR_SIZE * n);
        b.getInt();
        List<Pair> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pairs.add(new Pair(TxQueueInfo.decode(b), RxQueueInfo.decode(b)));
        }
        return new VsiQueueConfig(vsi, pairs);
    }
}
