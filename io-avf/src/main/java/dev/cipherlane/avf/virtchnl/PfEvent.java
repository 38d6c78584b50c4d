package dev.cipherlane.avf.virtchnl;

import java.nio.ByteBuffer;

/**
 * VIRTCHNL_OP_EVENT, PF to VF, unasked ({@code virtchnl_pf_event}, 16 bytes): the event
 * code (u32), 8 bytes of event data (for a link change: speed as u32, then link up as one
 * byte), and a severity (u32). It can arrive at any time, also between a request and its
 * reply.
 */
public record PfEvent(int event, int linkSpeed, boolean linkUp, int severity) implements VirtchnlMessage {
    public static final int SIZE = 16;

    public static final int UNKNOWN = 0;
    public static final int LINK_CHANGE = 1;
    /** The PF is about to reset this VF; its queues and admin queue are going away. */
    public static final int RESET_IMPENDING = 2;
    public static final int PF_DRIVER_CLOSE = 3;

    public static final int SEVERITY_INFO = 0;
    public static final int SEVERITY_CERTAIN_DOOM = 255;

    // Link speeds as bits (VIRTCHNL_LINK_SPEED_*), used unless ADV_LINK_SPEED was granted.
    public static final int SPEED_2_5GB = 1 << 0;
    public static final int SPEED_100MB = 1 << 1;
    public static final int SPEED_1GB = 1 << 2;
    public static final int SPEED_10GB = 1 << 3;
    public static final int SPEED_40GB = 1 << 4;
    public static final int SPEED_20GB = 1 << 5;
    public static final int SPEED_25GB = 1 << 6;
    public static final int SPEED_5GB = 1 << 7;

    public static PfEvent linkChange(boolean up, int speed) {
        return new PfEvent(LINK_CHANGE, speed, up, SEVERITY_INFO);
    }

    public static PfEvent resetImpending() {
        return new PfEvent(RESET_IMPENDING, 0, false, SEVERITY_CERTAIN_DOOM);
    }

    @Override
    public byte[] encode() {
        return Codec.writer(SIZE).putInt(event).putInt(linkSpeed).put((byte) (linkUp ? 1 : 0))
                .put(new byte[3]).putInt(severity).array();
    }

    public static PfEvent decode(byte[] m) {
        VirtchnlFormatException.expectLength(VirtchnlOp.EVENT, m, SIZE);
        ByteBuffer b = Codec.reader(m);
        int event = b.getInt();
        int speed = b.getInt();
        boolean up = b.get() != 0;
        b.position(12);
        return new PfEvent(event, speed, up, b.getInt());
    }

    /** A VIRTCHNL_LINK_SPEED_* bit in Mbit/s, 0 when unknown. */
    public static int speedMbps(int speedBit) {
        return switch (speedBit) {
            case SPEED_100MB -> 100;
            case SPEED_1GB -> 1_000;
            case SPEED_2_5GB -> 2_500;
            case SPEED_5GB -> 5_000;
            case SPEED_10GB -> 10_000;
            case SPEED_20GB -> 20_000;
            case SPEED_25GB -> 25_000;
            case SPEED_40GB -> 40_000;
            default -> 0;
        };
    }
}
