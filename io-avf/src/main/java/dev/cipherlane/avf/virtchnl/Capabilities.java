package dev.cipherlane.avf.virtchnl;

/** VF capability ("offload") flags of GET_VF_RESOURCES: what the VF asks, what the PF grants. */
public final class Capabilities {
    private Capabilities() {}

    /** Basic L2 operation: every PF grants it. */
    public static final int L2 = 0x0000_0001;
    /** RSS configured by messages handled by the PF's admin queue. */
    public static final int RSS_AQ = 0x0000_0008;
    /** RSS configured through VF registers. */
    public static final int RSS_REG = 0x0000_0010;
    public static final int WB_ON_ITR = 0x0000_0020;
    /** The PF reports link speed in Mbit/s rather than as a VIRTCHNL_LINK_SPEED_* bit. */
    public static final int ADV_LINK_SPEED = 0x0000_0080;
    public static final int VLAN = 0x0001_0000;
    /** The VF polls its queues instead of taking interrupts. */
    public static final int RX_POLLING = 0x0002_0000;
    /** RSS key and LUT set with CONFIG_RSS_KEY and CONFIG_RSS_LUT, applied by the PF. */
    public static final int RSS_PF = 0x0008_0000;

    /** Any way of configuring RSS by message. */
    public static final int RSS_BY_MESSAGE = RSS_AQ | RSS_PF;
}
