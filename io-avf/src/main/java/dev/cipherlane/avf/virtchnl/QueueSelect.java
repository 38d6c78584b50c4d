package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/**
 * ENABLE_QUEUES, DISABLE_QUEUES and GET_STATS ({@code virtchnl_queue_select}, 12 bytes):
 * vsi_id (u16), 2 pad, then bitmaps of rx and tx queues (u32 each).
 */
public record QueueSelect(int vsiId, int rxQueues, int txQueues) implements VirtchnlMessage {
    public static final int SIZE = 12;

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putShort((short) vsiId).putShort((short) 0).putInt(rxQueues).putInt(txQueues).array();
    }

    public static QueueSelect decode(VirtchnlOp op, byte[] m) {
        VirtchnlFormatException.expectLength(op, m, SIZE);
        ByteBuffer b = Codec.reader(m);
        int vsi = Codec.u16(b);
        Codec.u16(b);
        return new QueueSelect(vsi, b.getInt(), b.getInt());
    }
}
