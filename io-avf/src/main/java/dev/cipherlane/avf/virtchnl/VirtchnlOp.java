package dev.cipherlane.avf.virtchnl;

/** virtchnl opcodes (the admin queue descriptor's cookie high). */
public enum VirtchnlOp {
    UNKNOWN(0),
    VERSION(1),
    RESET_VF(2),
    GET_VF_RESOURCES(3),
    CONFIG_TX_QUEUE(4),
    CONFIG_RX_QUEUE(5),
    CONFIG_VSI_QUEUES(6),
    CONFIG_IRQ_MAP(7),
    ENABLE_QUEUES(8),
    DISABLE_QUEUES(9),
    ADD_ETH_ADDR(10),
    DEL_ETH_ADDR(11),
    ADD_VLAN(12),
    DEL_VLAN(13),
    CONFIG_PROMISCUOUS_MODE(14),
    GET_STATS(15),
    EVENT(17),
    CONFIG_RSS_KEY(23),
    CONFIG_RSS_LUT(24),
    GET_RSS_HENA_CAPS(25),
    SET_RSS_HENA(26);

    public final int code;

    VirtchnlOp(int code) {
        this.code = code;
    }

    private static final VirtchnlOp[] BY_CODE = new VirtchnlOp[27];

    static {
        for (VirtchnlOp op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    /** The opcode with this code, or {@link #UNKNOWN}. */
    public static VirtchnlOp of(int code) {
        VirtchnlOp op = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return op == null ? UNKNOWN : op;
    }
}
