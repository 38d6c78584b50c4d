package dev.cipherlane.afpacket;

/**
 * Constants and x86_64 struct layouts of {@code <linux/if_packet.h>} for TPACKET_V3 rings.
 * Every offset was checked with {@code offsetof} in a C program built by gcc 12 against
 * this machine's kernel headers; {@code TpacketLayoutTest} repeats that check when gcc is
 * present.
 */
final class Tpacket {
    private Tpacket() {}

    /** SOL_PACKET, from bits/socket.h. */
    static final int SOL_PACKET = 263;
    /** ETH_P_ALL, from if_ether.h: every protocol. */
    static final int ETH_P_ALL = 0x0003;

    // Socket options (if_packet.h).
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_LOSS = 14;
    /** sll_pkttype of a frame this host sent, seen by a packet socket on the way out. */
    static final int PACKET_OUTGOING = 4;
    /** Every frame read or written carries a struct virtio_net_hdr (10 bytes) in front. */
    static final int PACKET_VNET_HDR = 15;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;

    /** enum tpacket_versions: TPACKET_V1 = 0, TPACKET_V2, TPACKET_V3. */
    static final int TPACKET_V3 = 2;
    /** PACKET_FANOUT_HASH: spread by the flow hash of each packet, so a flow stays on one socket. */
    static final int PACKET_FANOUT_HASH = 0;

    // Rx status bits (tp_status of a block and of a packet).
    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;

    // Tx status of a frame.
    static final int TP_STATUS_AVAILABLE = 0;
    static final int TP_STATUS_SEND_REQUEST = 1;

    /** struct tpacket_req3 (28 bytes), the argument of PACKET_RX_RING / PACKET_TX_RING. */
    static final int REQ3_BLOCK_SIZE = 0;        // tp_block_size
    static final int REQ3_BLOCK_NR = 4;          // tp_block_nr
    static final int REQ3_FRAME_SIZE = 8;        // tp_frame_size
    static final int REQ3_FRAME_NR = 12;         // tp_frame_nr
    static final int REQ3_RETIRE_BLK_TOV = 16;   // tp_retire_blk_tov, milliseconds
    static final int REQ3_SIZEOF_PRIV = 20;      // tp_sizeof_priv
    static final int REQ3_FEATURE_REQ_WORD = 24; // tp_feature_req_word
    static final int REQ3_SIZE = 28;

    /**
     * struct tpacket_block_desc (48 bytes): u32 version, u32 offset_to_priv, then
     * struct tpacket_hdr_v1 at 8. The offsets below count from the start of the block.
     */
    static final int BLOCK_STATUS = 8;           // hdr.bh1.block_status
    static final int BLOCK_NUM_PKTS = 12;        // hdr.bh1.num_pkts
    static final int BLOCK_OFFSET_TO_FIRST = 16; // hdr.bh1.offset_to_first_pkt
    static final int BLOCK_LEN = 20;             // hdr.bh1.blk_len
    static final int BLOCK_SEQ_NUM = 24;         // hdr.bh1.seq_num (u64)
    static final int BLOCK_DESC_SIZE = 48;

    /** struct tpacket3_hdr (48 bytes), in front of every rx packet and every tx frame. */
    static final int H3_NEXT_OFFSET = 0;         // tp_next_offset
    static final int H3_SEC = 4;                 // tp_sec
    static final int H3_NSEC = 8;                // tp_nsec
    static final int H3_SNAPLEN = 12;            // tp_snaplen
    static final int H3_LEN = 16;                // tp_len
    static final int H3_STATUS = 20;             // tp_status
    static final int H3_MAC = 24;                // tp_mac (u16)
    static final int H3_NET = 26;                // tp_net (u16)
    static final int H3_RXHASH = 28;             // hv1.tp_rxhash
    static final int H3_VLAN_TCI = 32;           // hv1.tp_vlan_tci
    static final int H3_VLAN_TPID = 36;          // hv1.tp_vlan_tpid (u16)
    static final int H3_SIZE = 48;
    /** struct sockaddr_ll after each received frame's tpacket3_hdr, TPACKET_ALIGN(sizeof(tpacket3_hdr)). */
    static final int H3_SLL = 48;
    /**
     * Where a tx frame's packet starts: TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)
     * = TPACKET_ALIGN(48) + 20 - 20, what tpacket_snd uses without PACKET_TX_HAS_OFF.
     */
    static final int TX_DATA_OFFSET = 48;

    /** struct tpacket_stats_v3 (12 bytes), what PACKET_STATISTICS returns on a V3 socket. */
    static final int STATS_PACKETS = 0;          // tp_packets
    static final int STATS_DROPS = 4;            // tp_drops
    static final int STATS_FREEZE_Q_CNT = 8;     // tp_freeze_q_cnt
    static final int STATS_SIZE = 12;

    /** struct sockaddr_ll (20 bytes). */
    static final int SLL_FAMILY = 0;             // u16 sll_family
    static final int SLL_PROTOCOL = 2;           // be16 sll_protocol
    static final int SLL_IFINDEX = 4;            // int sll_ifindex
    static final int SLL_PKTTYPE = 10;           // u8 sll_pkttype
    static final int SLL_SIZE = 20;
}
