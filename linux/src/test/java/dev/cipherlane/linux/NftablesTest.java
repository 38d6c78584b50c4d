package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The uplink's weak-host-model fix on a real kernel: two fresh namespaces joined by a veth
 * pair, 10.251.0.1/24 in A and 10.251.0.2/24 in B. A netdev ingress chain with policy drop
 * on B's end makes B's stack deaf (ping fails) while a packet socket on that end still gets
 * the echo requests; deleting the table brings ping back.
 */
@Tag("root")
class NftablesTest {
    private static final String VETH_A = "clnfa0";
    private static final String VETH_B = "clnfb0";
    private static final String MAC_A = "02:00:00:fb:00:01";
    private static final String MAC_B = "02:00:00:fb:00:02";
    private static final String ADDRESS_A = "10.251.0.1";
    private static final String ADDRESS_B = "10.251.0.2";
    private static final String TABLE = "cipherlane";
    private static final String CHAIN = "uplink-ingress";
    private static final int ETH_P_IP = 0x0800;
    private static final long WAIT_MS = 5_000;

    private TestNamespace a;
    private TestNamespace b;
    private NetNamespace nsB;

    @BeforeEach
    void vethBetweenTwoNamespaces() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for namespaces and nf_tables");
        a = TestNamespace.create("clnfa");
        b = TestNamespace.create("clnfb");
        nsB = b.open();
        try (NetNamespace nsA = a.open(); Rtnetlink rtA = Rtnetlink.open(nsA); Rtnetlink rtB = Rtnetlink.open(nsB)) {
            rtA.vethAdd(VETH_A, VETH_B, 0, nsB);
            int indexA = rtA.linkIndex(VETH_A);
            int indexB = rtB.linkIndex(VETH_B);
            rtA.linkSetMac(indexA, MacAddress.parse(MAC_A));
            rtB.linkSetMac(indexB, MacAddress.parse(MAC_B));
            rtA.addressAdd(indexA, InetAddress.ofLiteral(ADDRESS_A), 24);
            rtB.addressAdd(indexB, InetAddress.ofLiteral(ADDRESS_B), 24);
            rtA.linkSetUp(indexA);
            rtB.linkSetUp(indexB);
            // So A keeps sending echo requests (not ARP requests) once B goes deaf.
            rtA.neighbourReplace(indexA, InetAddress.ofLiteral(ADDRESS_B), MacAddress.parse(MAC_B));
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (nsB != null) {
                nsB.close();
            }
        } finally {
            try {
                if (a != null) {
                    a.close();
                }
            } finally {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    void ingressDropHidesFramesFromTheStackButNotFromPacketSockets() throws Exception {
        assertTrue(pingFromA(), "ping A -> B before any chain");

        nsB.runIn(() -> {
            try (Nftables nft = Nftables.open()) {
                assertFalse(nft.tableExists(TABLE));
                nft.installIngressDrop(TABLE, CHAIN, VETH_B);
                assertTrue(nft.tableExists(TABLE));
            }
            return null;
        });
        assertRulesetIfNftIsInstalled();

        int fd = packetSocket();
        try {
            Process ping = startPing(5);
            boolean[] seen = receiveIcmp(fd, ping);
            assertTrue(seen[0], "the packet socket on " + VETH_B + " saw no echo request");
            assertFalse(seen[1], "B's stack answered an echo request behind the drop chain");
            assertTrue(ping.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, ping.exitValue(), "ping A -> B succeeded through the drop chain");
        } finally {
            Libc.close(fd);
        }

        try (Nftables nft = Nftables.open(nsB)) {
            assertTrue(nft.deleteTable(TABLE));
            assertFalse(nft.tableExists(TABLE));
            assertFalse(nft.deleteTable(TABLE), "a second delete finds nothing");
        }
        assertTrue(pingFromA(), "ping A -> B after the table is gone");
    }

    @Test
    void installingTwiceReplacesTheTable() throws Exception {
        try (Nftables nft = Nftables.open(nsB)) {
            nft.installIngressDrop(TABLE, CHAIN, VETH_B);
            nft.installIngressDrop(TABLE, CHAIN, VETH_B);
            assertTrue(nft.tableExists(TABLE));
            assertFalse(pingFromA(), "still dropping after the second install");
            // Moving the chain to another device replaces it: B's veth is unguarded again.
            nft.installIngressDrop(TABLE, CHAIN, "lo");
            assertTrue(pingFromA(), "the chain moved to lo, yet " + VETH_B + " still drops");
            assertTrue(nft.deleteTable(TABLE));
        }
    }

    @Test
    void unknownDeviceNamesTheFailingMessage() throws Exception {
        try (Nftables nft = Nftables.open(nsB)) {
            LinuxException e = assertThrows(LinuxException.class,
                    () -> nft.installIngressDrop(TABLE, CHAIN, "clnf-nosuch"));
            assertEquals("NFT_MSG_NEWCHAIN netdev " + TABLE + "/" + CHAIN + " dev clnf-nosuch", e.call());
            assertEquals(Errno.ENODEV, e.errno(), e.getMessage());
            assertFalse(nft.tableExists(TABLE), "a failed batch leaves nothing behind: " + e.getMessage());
        }
    }

    @Test
    void tablesAreInTheSocketsNamespaceOnly() throws Exception {
        try (Nftables inB = Nftables.open(nsB); NetNamespace nsA = a.open(); Nftables inA = Nftables.open(nsA)) {
            inB.installIngressDrop(TABLE, CHAIN, VETH_B);
            assertTrue(inB.tableExists(TABLE));
            assertFalse(inA.tableExists(TABLE));
            assertFalse(inA.deleteTable(TABLE));
        }
    }

    private boolean pingFromA() throws Exception {
        Process ping = startPing(2);
        assertTrue(ping.waitFor(30, TimeUnit.SECONDS));
        return ping.exitValue() == 0;
    }

    private Process startPing(int count) throws Exception {
        return new ProcessBuilder("ip", "netns", "exec", a.name, "ping", "-n", "-q", "-c", String.valueOf(count),
                "-i", "0.2", "-W", "1", ADDRESS_B).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** A raw packet socket for every protocol on B's veth, made inside B. */
    private int packetSocket() throws Exception {
        int index;
        try (Rtnetlink rtnl = Rtnetlink.open(nsB)) {
            index = rtnl.linkIndex(VETH_B);
        }
        int fd = nsB.runIn(() -> Sockets.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC,
                SockAddr.packetProtocol(SockAddr.ETH_P_ALL)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ll = arena.allocate(SockAddr.LL_SIZE, 4);
            Sockets.bind(fd, ll, SockAddr.packet(ll, index, SockAddr.ETH_P_ALL));
            Sockets.setReceiveTimeout(fd, 200);
        } catch (LinuxException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Reads frames until the ping is over (or {@link #WAIT_MS}); returns {echo request from
     * A to B seen, echo reply from B seen}.
     */
    private static boolean[] receiveIcmp(int fd, Process ping) throws Exception {
        boolean[] seen = new boolean[2];
        byte[] a = java.net.InetAddress.ofLiteral(ADDRESS_A).getAddress();
        byte[] b = java.net.InetAddress.ofLiteral(ADDRESS_B).getAddress();
        ValueLayout.OfShort be16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(2048);
            while (System.nanoTime() < deadline && (ping.isAlive() || !seen[0])) {
                long n = Sockets.recv(fd, frame, 0, frame.byteSize(), 0);
                if (n < 14 + 20 + 8 || Short.toUnsignedInt(frame.get(be16, 12)) != ETH_P_IP) {
                    continue;
                }
                int ip = 14;
                int headerLength = (frame.get(ValueLayout.JAVA_BYTE, ip) & 0xf) * 4;
                if (frame.get(ValueLayout.JAVA_BYTE, ip + 9) != 1) {
                    continue; // not ICMP
                }
                byte[] src = frame.asSlice(ip + 12, 4).toArray(ValueLayout.JAVA_BYTE);
                byte[] dst = frame.asSlice(ip + 16, 4).toArray(ValueLayout.JAVA_BYTE);
                int type = Byte.toUnsignedInt(frame.get(ValueLayout.JAVA_BYTE, ip + headerLength));
                if (type == 8 && java.util.Arrays.equals(src, a) && java.util.Arrays.equals(dst, b)) {
                    seen[0] = true;
                } else if (type == 0 && java.util.Arrays.equals(src, b)) {
                    seen[1] = true;
                }
            }
        }
        return seen;
    }

    @Test
    void anErrorInABatchNamesItsMessageAndUndoesTheWholeBatch() throws Exception {
        String[] names = {"begin", "good table", "table without a name", "end"};
        List<NetlinkMessage> batch = List.of(
                message(Nftables.NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST, Nftables.NFPROTO_UNSPEC, null),
                message(Nftables.messageType(Nftables.NFT_MSG_NEWTABLE), CREATE, Nftables.NFPROTO_NETDEV, TABLE),
                message(Nftables.messageType(Nftables.NFT_MSG_NEWTABLE), CREATE, Nftables.NFPROTO_NETDEV, null),
                message(Nftables.NFNL_MSG_BATCH_END, Netlink.NLM_F_REQUEST, Nftables.NFPROTO_UNSPEC, null));
        try (NetlinkSocket socket = nsB.runIn(() -> NetlinkSocket.open(Netlink.NETLINK_NETFILTER));
             Nftables nft = Nftables.open(nsB)) {
            LinuxException e = assertThrows(LinuxException.class, () -> socket.requestBatch(batch, i -> names[i]));
            assertEquals("table without a name", e.call(), e.getMessage());
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
            assertFalse(nft.tableExists(TABLE), "the good table of a failed batch was committed");
        }
    }

    @Test
    void aBatchRefusedAsAWholeNamesItsBeginning() throws Exception {
        // A stale generation id (NFNL_BATCH_GENID) makes nfnetlink refuse the batch with
        // ERESTART, answered on BATCH_BEGIN, which asked for no ack; the change is never acked.
        NetlinkMessage begin = message(Nftables.NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST,
                Nftables.NFPROTO_UNSPEC, null);
        List<NetlinkMessage> batch = List.of(begin,
                message(Nftables.messageType(Nftables.NFT_MSG_NEWTABLE), CREATE, Nftables.NFPROTO_NETDEV, TABLE),
                message(Nftables.NFNL_MSG_BATCH_END, Netlink.NLM_F_REQUEST, Nftables.NFPROTO_UNSPEC, null));
        // Rebuild the beginning with the attribute: NFNL_BATCH_GENID (1), be32.
        begin.begin(Nftables.NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST);
        int h = begin.reserve(4);
        begin.putShort(h + 2, Nftables.be16(Nftables.NFNL_SUBSYS_NFTABLES));
        begin.attributeU32(1, Nftables.be32(0x7ead_beef));
        begin.finish();
        String[] names = {"begin", "table", "end"};
        try (NetlinkSocket socket = nsB.runIn(() -> NetlinkSocket.open(Netlink.NETLINK_NETFILTER));
             Nftables nft = Nftables.open(nsB)) {
            LinuxException e = assertThrows(LinuxException.class, () -> socket.requestBatch(batch, i -> names[i]));
            assertEquals("begin", e.call(), e.getMessage());
            assertFalse(nft.tableExists(TABLE));
        }
    }

    private static final int CREATE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE;

    /** An nf_tables message with its nfgenmsg and, unless null, NFTA_TABLE_NAME. */
    private NetlinkMessage message(int type, int flags, int family, String tableName) {
        NetlinkMessage m = NetlinkMessage.allocate(Arena.ofAuto(), 512);
        m.begin(type, flags);
        int h = m.reserve(4);
        m.putByte(h, family);
        if (type == Nftables.NFNL_MSG_BATCH_BEGIN || type == Nftables.NFNL_MSG_BATCH_END) {
            m.putShort(h + 2, Nftables.be16(Nftables.NFNL_SUBSYS_NFTABLES));
        }
        if (tableName != null) {
            m.attributeString(Nftables.NFTA_TABLE_NAME, tableName);
        }
        m.finish();
        return m;
    }

    /**
     * With the {@code nft} tool around (tests only; apt-get install nftables), what the
     * kernel holds as nft prints it: the chain as the class comment of {@link Nftables} shows.
     */
    private void assertRulesetIfNftIsInstalled() throws Exception {
        if (Shell.exitCode("sh", "-c", "command -v nft") != 0) {
            return;
        }
        String ruleset = Shell.run("ip", "netns", "exec", b.name, "nft", "list", "ruleset");
        String flat = ruleset.replaceAll("\\s+", " ");
        assertTrue(flat.contains("table netdev " + TABLE + " {"), ruleset);
        assertTrue(flat.contains("chain " + CHAIN + " {"), ruleset);
        assertTrue(flat.contains("type filter hook ingress device \"" + VETH_B + "\" priority filter; policy drop;")
                || flat.contains("type filter hook ingress device " + VETH_B + " priority filter; policy drop;"),
                ruleset);
    }
}
