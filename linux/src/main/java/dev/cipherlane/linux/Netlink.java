package dev.cipherlane.linux;

/**
 * Constants of the netlink protocol itself (netlink(7), include/uapi/linux/netlink.h),
 * shared by every netlink family: rtnetlink here, nf_tables elsewhere.
 *
 * <pre>
 * struct nlmsghdr (16 bytes, host order)    struct nlattr / rtattr (4 bytes + value)
 *   u32 nlmsg_len   header + payload          u16 nla_len    header + value, unpadded
 *   u16 nlmsg_type                             u16 nla_type
 *   u16 nlmsg_flags                            value, then padding to 4 bytes
 *   u32 nlmsg_seq
 *   u32 nlmsg_pid   sender's port id
 * </pre>
 *
 * Messages and attributes start on 4-byte boundaries (NLMSG_ALIGNTO, RTA_ALIGNTO).
 */
public final class Netlink {
    private Netlink() {}

    /** Protocols for socket(AF_NETLINK, SOCK_RAW, protocol). */
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;

    public static final int ALIGNTO = 4;
    public static final int HEADER_SIZE = 16;
    public static final int ATTRIBUTE_HEADER_SIZE = 4;

    // Message types below NLMSG_MIN_TYPE (0x10) belong to netlink itself.
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    // Flags of every request.
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    /** Set on dump parts when the dumped table changed underneath: dump again. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;

    // Flags of GET requests.
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // Flags of NEW requests.
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;

    // Flags of NLMSG_ERROR acknowledgements.
    /** The ack carries only the request's header, not its payload (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;
    /** Extended-ack attributes follow the echoed request (NETLINK_EXT_ACK). */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // Extended ack attributes (enum nlmsgerr_attrs).
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;

    // Socket options at level SOL_NETLINK.
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    // Attribute type bits (NLA_F_*): the rest is the type.
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    /** NLMSG_ALIGN / RTA_ALIGN / NLA_ALIGN. */
    public static int align(int length) {
        return length + ALIGNTO - 1 & ~(ALIGNTO - 1);
    }
}
