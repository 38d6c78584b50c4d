package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/**
 * A transmit queue's configuration ({@code virtchnl_txq_info}, 24 bytes): vsi_id,
 * queue_id, ring_len (u16 each), a deprecated head write-back flag (u16), the ring's
 * device address (u64) and a deprecated head write-back address (u64).
 */
public record TxQueueInfo(int vsiId, int queueId, int ringLength, long ringAddress) {
    public static final int SIZE = 24;

    void encode(ByteBuffer b) {
        b.putShort((short) vsiId).putShort((short) queueId).putShort((short) ringLength).putShort((short) 0)
                .putLong(ringAddress).putLong(0);
    }

    static TxQueueInfo decode(ByteBuffer b) {
        int vsi = Codec.u16(b);
        int queue = Codec.u16(b);
        int ring = Codec.u16(b);
        Codec.u16(b);
        long address = b.getLong();
        b.getLong();
        return new TxQueueInfo(vsi, queue, ring, address);
    }
}
