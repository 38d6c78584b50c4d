package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/** GET_STATS reply ({@code virtchnl_eth_stats}): twelve u64 counters of the VF's VSI, 96 bytes. */
public record EthStats(long rxBytes, long rxUnicast, long rxMulticast, long rxBroadcast, long rxDiscards,
                       long rxUnknownProtocol, long txBytes, long txUnicast, long txMulticast, long txBroadcast,
                       long txDiscards, long txErrors) implements VirtchnlMessage {
    public static final int SIZE = 96;
    public static final EthStats ZERO = new EthStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putLong(rxBytes).putLong(rxUnicast).putLong(rxMulticast).putLong(rxBroadcast)
                .putLong(rxDiscards).putLong(rxUnknownProtocol).putLong(txBytes).putLong(txUnicast)
                .putLong(txMulticast).putLong(txBroadcast).putLong(txDiscards).putLong(txErrors).array();
    }

    public static EthStats decode(byte[] m) {
        VirtchnlFormatException.expectLength(VirtchnlOp.GET_STATS, m, SIZE);
        ByteBuffer b = Codec.reader(m);
        return new EthStats(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    /** Frames the VSI took in, whatever their destination kind. */
    public long rxPackets() {
        return rxUnicast + rxMulticast + rxBroadcast;
    }

    public long txPackets() {
        return txUnicast + txMulticast + txBroadcast;
    }
}
