package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/**
 * A receive queue's configuration ({@code virtchnl_rxq_info}, 40 bytes): vsi_id,
 * queue_id (u16), ring_len (u32), hdr_size, splithdr_enabled (u16), databuffer_size,
 * max_pkt_size (u32), crc_disable, rxdid (u8), 2 pad, ring address (u64), rx_split_pos
 * (u32), 4 pad. We never split headers and keep the CRC stripped (rxdid 0: the 32-byte
 * descriptor of {@link dev.cipherlane.avf.device.RxDescriptor}).
 */
public record RxQueueInfo(int vsiId, int queueId, int ringLength, int bufferSize, int maxPacketSize, long ringAddress) {
    public static final int SIZE = 40;

    void encode(ByteBuffer b) {
        b.putShort((short) vsiId).putShort((short) queueId).putInt(ringLength)
                .putShort((short) 0).putShort((short) 0)
                .putInt(bufferSize).putInt(maxPacketSize)
                .put((byte) 0).put((byte) 0).putShort((short) 0)
                .putLong(ringAddress).putInt(0).putInt(0);
    }

    static RxQueueInfo decode(ByteBuffer b) {
        int vsi = Codec.u16(b);
        int queue = Codec.u16(b);
        int ring = b.getInt();
        Codec.u16(b);
        Codec.u16(b);
        int buffer = b.getInt();
        int maxPacket = b.getInt();
        b.getInt();
        long address = b.getLong();
        b.getLong();
        return new RxQueueInfo(vsi, queue, ring, buffer, maxPacket, address);
    }
}
