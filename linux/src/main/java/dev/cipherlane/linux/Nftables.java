package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * nf_tables over NETLINK_NETFILTER, what {@code nft} does, without running {@code nft}:
 * just enough for the uplink's weak-host-model fix (DESIGN.md, "Uplink"), a chain of the
 * netdev family on the uplink's ingress hook with policy drop:
 *
 * <pre>
 * table netdev cipherlane {
 *     chain uplink-ingress {
 *         type filter hook ingress device "eth0" priority 0; policy drop;
 *     }
 * }
 * </pre>
 *
 * AF_PACKET taps see a frame before the netdev ingress hook runs, so the data path still
 * gets every frame while the kernel's own stack gets none.
 *
 * <p><b>Messages.</b> Changes go out as one nfnetlink batch, which the kernel applies
 * atomically (all or nothing): {@code NFNL_MSG_BATCH_BEGIN} (nfgenmsg res_id =
 * NFNL_SUBSYS_NFTABLES), the changes, {@code NFNL_MSG_BATCH_END}. A change's type is
 * {@code NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*}; its payload starts with a 4-byte nfgenmsg
 * (u8 family, u8 version NFNETLINK_V0, be16 res_id 0), then attributes, nests flagged
 * NLA_F_NESTED. Numbers inside nf_tables attributes (hook number, priority, policy) are
 * big-endian. Every change asks for an ack; the kernel acks them once the whole batch is
 * through (changes before a failing one are acked with 0 yet rolled back with the rest),
 * and an error fails the call with a {@link LinuxException} naming the message in nft-like
 * words: {@code NFT_MSG_NEWCHAIN netdev cipherlane/uplink-ingress dev veth0: EINVAL (22):
 * Invalid argument (...)}.
 *
 * <p>Constants as in the uapi headers linux/netfilter/nfnetlink.h, nf_tables.h and
 * linux/netfilter.h (checked against this machine's copies).
 *
 * <p><b>Namespace.</b> Like {@link Rtnetlink}: the socket, and so every table, belongs to
 * the network namespace of the thread that opened it. Needs CAP_NET_ADMIN there. Calls are
 * serialized on the instance; control path only.
 */
public final class Nftables implements AutoCloseable {
    // nfnetlink.h
    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    /** NLMSG_MIN_TYPE: batch delimiters are netlink-level types, not subsystem ones. */
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;

    // nf_tables.h, enum nf_tables_msg_types
    public static final int NFT_MSG_NEWTABLE = 0;
    public static final int NFT_MSG_GETTABLE = 1;
    public static final int NFT_MSG_DELTABLE = 2;
    public static final int NFT_MSG_NEWCHAIN = 3;
    public static final int NFT_MSG_GETCHAIN = 4;
    public static final int NFT_MSG_DELCHAIN = 5;

    // enum nft_table_attributes
    public static final int NFTA_TABLE_NAME = 1;
    public static final int NFTA_TABLE_FLAGS = 2;
    public static final int NFTA_TABLE_USE = 3;

    // enum nft_chain_attributes
    public static final int NFTA_CHAIN_TABLE = 1;
    public static final int NFTA_CHAIN_HANDLE = 2;
    public static final int NFTA_CHAIN_NAME = 3;
    public static final int NFTA_CHAIN_HOOK = 4;
    public static final int NFTA_CHAIN_POLICY = 5;
    public static final int NFTA_CHAIN_USE = 6;
    public static final int NFTA_CHAIN_TYPE = 7;

    // enum nft_hook_attributes
    public static final int NFTA_HOOK_HOOKNUM = 1;
    public static final int NFTA_HOOK_PRIORITY = 2;
    public static final int NFTA_HOOK_DEV = 3;

    // linux/netfilter.h
    public static final int NFPROTO_UNSPEC = 0;
    public static final int NFPROTO_NETDEV = 5;
    /** enum nf_dev_hooks: the only netdev hook besides NF_NETDEV_EGRESS (1). */
    public static final int NF_NETDEV_INGRESS = 0;
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;

    /** NFT_NAME_MAXLEN (256) includes the NUL. */
    public static final int NAME_MAX_BYTES = 255;
    /** Sizes of struct nfgenmsg. */
    private static final int NFGENMSG_SIZE = 4;
    /** Each message is far below this: names are at most 255 bytes. */
    private static final int MESSAGE_BUFFER_SIZE = 1024;
    private static final int CHANGE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;
    /** Create, without NLM_F_EXCL: an existing table or chain is kept. */
    private static final int CREATE = CHANGE | Netlink.NLM_F_CREATE;

    private final NetlinkSocket socket;
    /** Same namespace as {@link #socket}: to check that a hooked device exists. */
    private final Rtnetlink links;
    private final Arena arena = Arena.ofAuto();
    private final List<NetlinkMessage> buffers = new ArrayList<>();

    private Nftables(NetlinkSocket socket, Rtnetlink links) {
        this.socket = socket;
        this.links = links;
    }

    /** A client for the calling thread's network namespace. */
    public static Nftables open() throws LinuxException {
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_NETFILTER);
        try {
            return new Nftables(socket, Rtnetlink.open());
        } catch (LinuxException | RuntimeException e) {
            try {
                socket.close();
            } catch (LinuxException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A client for {@code namespace}, usable from any thread afterwards. */
    public static Nftables open(NetNamespace namespace) throws LinuxException {
        return namespace.runIn(Nftables::open);
    }

    /**
     * Makes table {@code table} of the netdev family hold exactly one chain, {@code chain},
     * a filter base chain on the ingress hook of {@code device} at priority 0 with policy
     * drop and no rules: from then on the kernel stack receives nothing from that device,
     * while packet sockets still do.
     *
     * <p>One atomic batch: create the table (kept if it exists), delete it (with whatever it
     * held), create it again and its chain. Installing again, even for another device,
     * thus replaces the old table without a moment in which the device is unguarded, and
     * never fails because it is already there.
     *
     * <p>The device must exist: since Linux 6.16 the kernel accepts a netdev chain for a
     * device it does not have (and hooks it once one of that name appears), which for the
     * uplink would mean a typo leaves it unguarded. So the device is looked up first
     * (RTM_GETLINK), and when it is missing the call fails with ENODEV, named after the
     * NFT_MSG_NEWCHAIN it would have sent; nothing is sent then. (A device that vanishes
     * between the look-up and the batch is not caught.)
     */
    public synchronized void installIngressDrop(String table, String chain, String device) throws LinuxException {
        checkName("table", table);
        checkName("chain", chain);
        IfReq.checkName(device);
        String newChain = "NFT_MSG_NEWCHAIN netdev " + table + "/" + chain + " dev " + device;
        try {
            links.linkIndex(device);
        } catch (LinuxException e) {
            LinuxException missing = new LinuxException(newChain, e.errno(), "not sent: " + e.call()
                    + " failed, and a chain must not wait for a device that is not there");
            missing.addSuppressed(e);
            throw missing;
        }
        List<NetlinkMessage> batch = new ArrayList<>();
        List<String> names = new ArrayList<>();

        batchBegin(batch, names);

        NetlinkMessage m = next(batch, NFT_MSG_NEWTABLE, CREATE, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_TABLE_NAME, table);
        m.finish();
        names.add("NFT_MSG_NEWTABLE netdev " + table);

        m = next(batch, NFT_MSG_DELTABLE, CHANGE, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_TABLE_NAME, table);
        m.finish();
        names.add("NFT_MSG_DELTABLE netdev " + table);

        m = next(batch, NFT_MSG_NEWTABLE, CREATE, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_TABLE_NAME, table);
        m.finish();
        names.add("NFT_MSG_NEWTABLE netdev " + table);

        m = next(batch, NFT_MSG_NEWCHAIN, CREATE, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_CHAIN_TABLE, table);
        m.attributeString(NFTA_CHAIN_NAME, chain);
        int hook = m.beginNested(NFTA_CHAIN_HOOK | Netlink.NLA_F_NESTED);
        m.attributeU32(NFTA_HOOK_HOOKNUM, be32(NF_NETDEV_INGRESS));
        m.attributeU32(NFTA_HOOK_PRIORITY, be32(0));
        m.attributeString(NFTA_HOOK_DEV, device);
        m.endNested(hook);
        m.attributeU32(NFTA_CHAIN_POLICY, be32(NF_DROP));
        m.attributeString(NFTA_CHAIN_TYPE, "filter");
        m.finish();
        names.add(newChain);

        batchEnd(batch, names);
        socket.requestBatch(batch, names::get);
    }

    /**
     * Deletes table {@code table} of the netdev family and with it its chains, which
     * unhooks them. Returns false when there was no such table (ENOENT), true when it was
     * deleted.
     */
    public synchronized boolean deleteTable(String table) throws LinuxException {
        checkName("table", table);
        List<NetlinkMessage> batch = new ArrayList<>();
        List<String> names = new ArrayList<>();
        batchBegin(batch, names);
        NetlinkMessage m = next(batch, NFT_MSG_DELTABLE, CHANGE, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_TABLE_NAME, table);
        m.finish();
        names.add("NFT_MSG_DELTABLE netdev " + table);
        batchEnd(batch, names);
        try {
            socket.requestBatch(batch, names::get);
            return true;
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT && e.call().startsWith("NFT_MSG_DELTABLE")) {
                return false;
            }
            throw e;
        }
    }

    /** Whether table {@code table} of the netdev family exists (NFT_MSG_GETTABLE; ENOENT: no). */
    public synchronized boolean tableExists(String table) throws LinuxException {
        checkName("table", table);
        List<NetlinkMessage> one = new ArrayList<>();
        // Not a batch: GETs are answered directly. The socket adds NLM_F_REQUEST | NLM_F_ACK.
        NetlinkMessage m = next(one, NFT_MSG_GETTABLE, 0, NFPROTO_NETDEV, 0);
        m.attributeString(NFTA_TABLE_NAME, table);
        m.finish();
        boolean[] answered = new boolean[1];
        try {
            socket.request(m, () -> "NFT_MSG_GETTABLE netdev " + table, r -> {
                if (r.type() == messageType(NFT_MSG_NEWTABLE)) {
                    answered[0] = true;
                }
            });
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
        return answered[0];
    }

    /** The netlink message type of nf_tables message {@code msg}. */
    public static int messageType(int msg) {
        return NFNL_SUBSYS_NFTABLES << 8 | msg;
    }

    private void batchBegin(List<NetlinkMessage> batch, List<String> names) {
        // res_id is be16 NFNL_SUBSYS_NFTABLES; the kernel also takes host order from old nft.
        NetlinkMessage m = nextRaw(batch, NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST, NFPROTO_UNSPEC,
                NFNL_SUBSYS_NFTABLES);
        m.finish();
        names.add("NFNL_MSG_BATCH_BEGIN nf_tables");
    }

    private void batchEnd(List<NetlinkMessage> batch, List<String> names) {
        NetlinkMessage m = nextRaw(batch, NFNL_MSG_BATCH_END, Netlink.NLM_F_REQUEST, NFPROTO_UNSPEC,
                NFNL_SUBSYS_NFTABLES);
        m.finish();
        names.add("NFNL_MSG_BATCH_END nf_tables");
    }

    /** Starts an nf_tables message in the next free buffer. */
    private NetlinkMessage next(List<NetlinkMessage> batch, int msg, int flags, int family, int resId) {
        return nextRaw(batch, messageType(msg), flags, family, resId);
    }

    /** Starts a message of netlink type {@code type} with its nfgenmsg in the next free buffer. */
    private NetlinkMessage nextRaw(List<NetlinkMessage> batch, int type, int flags, int family, int resId) {
        int index = batch.size();
        while (buffers.size() <= index) {
            buffers.add(NetlinkMessage.allocate(arena, MESSAGE_BUFFER_SIZE));
        }
        NetlinkMessage m = buffers.get(index);
        m.begin(type, flags);
        int h = m.reserve(NFGENMSG_SIZE);
        m.putByte(h, family).putByte(h + 1, NFNETLINK_V0).putShort(h + 2, be16(resId));
        batch.add(m);
        return m;
    }

    /** The int whose host-order bytes are {@code value} in network order (attributeU32 writes host order). */
    static int be32(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value);
    }

    static int be16(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value & 0xffff
                : Short.toUnsignedInt(Short.reverseBytes((short) value));
    }

    private static void checkName(String what, String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > NAME_MAX_BYTES || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad " + what + " name \"" + name + "\" (1 to " + NAME_MAX_BYTES
                    + " bytes, no NUL)");
        }
    }

    @Override
    public void close() throws LinuxException {
        try {
            socket.close();
        } finally {
            links.close();
        }
    }
}
