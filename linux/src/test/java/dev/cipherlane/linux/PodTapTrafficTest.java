package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A pod attached the way DESIGN.md describes it, built only with this module: a persistent
 * multi-queue tap created in the "node" namespace, moved into the "pod" namespace, given
 * MAC, MTU, a /32 and a /128 (no DAD), default routes via link-local gateways and permanent
 * neighbour entries for them. Then real traffic: a UDP socket made inside the pod sends,
 * and the frame comes out of a queue descriptor behind a 12-byte virtio-net header asking
 * us to finish the checksum (the CSUM offload at work); frames written into a queue reach
 * the pod's socket.
 */
@Tag("root")
class PodTapTrafficTest {
    private static final String TAP = "cl-pod0";
    private static final int QUEUES = 4;
    private static final MacAddress POD_MAC = MacAddress.parse("02:00:00:00:aa:01");
    private static final MacAddress GW_MAC = MacAddress.parse("02:00:00:00:ee:01");
    private static final InetAddress POD4 = InetAddress.ofLiteral("10.1.0.5");
    private static final InetAddress POD6 = InetAddress.ofLiteral("2001:db8:1::5");
    private static final InetAddress GW4 = InetAddress.ofLiteral("169.254.1.1");
    private static final InetAddress GW6 = InetAddress.ofLiteral("fe80::1");
    private static final InetAddress REMOTE4 = InetAddress.ofLiteral("10.9.9.9");
    private static final InetAddress REMOTE6 = InetAddress.ofLiteral("2001:db8:9::9");
    private static final int POD_PORT = 4000;
    private static final int REMOTE_PORT = 5000;
    private static final int VNET = VirtioNetHeader.SIZE;
    private static final long WAIT_MS = 10_000;

    private TestNamespace node;
    private TestNamespace pod;
    private NetNamespace nodeNs;
    private NetNamespace podNs;
    private TapQueues tap;
    private Epoll epoll;
    private final Arena arena = Arena.ofConfined();
    private final List<Integer> sockets = new ArrayList<>();

    @BeforeEach
    void attachPod() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for taps, namespaces and netlink changes");
        node = TestNamespace.create();
        pod = TestNamespace.create();
        nodeNs = node.open();
        podNs = pod.open();

        tap = nodeNs.runIn(() -> TapQueues.open(TapSpec.pod(TAP, QUEUES)));
        try (Rtnetlink nodeRtnl = Rtnetlink.open(nodeNs)) {
            nodeRtnl.linkSetNetns(nodeRtnl.linkIndex(TAP), podNs);
        }
        try (Rtnetlink rtnl = Rtnetlink.open(podNs)) {
            int index = rtnl.linkIndex(TAP);
            rtnl.linkSetMac(index, POD_MAC);
            rtnl.linkSetMtu(index, 1500);
            rtnl.linkSetUp(index);
            rtnl.addressAdd(index, POD4, 32);
            rtnl.addressAdd(index, POD6, 128, IfAddress.IFA_F_NODAD);
            rtnl.routeAdd(Route.link(GW4, 32, index));
            rtnl.routeAdd(Route.defaultVia(GW4, index).onlink());
            rtnl.routeAdd(Route.defaultVia(GW6, index));
            rtnl.neighbourAdd(index, GW4, GW_MAC);
            rtnl.neighbourAdd(index, GW6, GW_MAC);
            awaitLocalRoute(rtnl, POD6);
        }
        epoll = Epoll.open(QUEUES);
        for (int q = 0; q < QUEUES; q++) {
            epoll.add(tap.fd(q), Epoll.EPOLLIN, q);
        }
    }

    @AfterEach
    void detachPod() throws Exception {
        try {
            for (int fd : sockets) {
                Libc.close(fd);
            }
            if (epoll != null) {
                epoll.close();
            }
            if (tap != null) {
                tap.close();
            }
            if (podNs != null && pod.hasLink(TAP)) {
                podNs.runIn(() -> {
                    TapQueues.destroy(TAP);
                    return null;
                });
            }
            if (nodeNs != null && node.hasLink(TAP)) {
                nodeNs.runIn(() -> {
                    TapQueues.destroy(TAP);
                    return null;
                });
            }
        } finally {
            arena.close();
            try {
                if (podNs != null) {
                    podNs.close();
                }
                if (nodeNs != null) {
                    nodeNs.close();
                }
            } finally {
                try {
                    if (pod != null) {
                        pod.close();
                    }
                } finally {
                    if (node != null) {
                        node.close();
                    }
                }
            }
        }
    }

    /**
     * IPv6 installs an address's local route (what makes it accept packets) only once the
     * link is operationally up, which the kernel's linkwatch reports up to a second after
     * the link was set up; NODAD only skips the wait for duplicate detection after that.
     */
    private static void awaitLocalRoute(Rtnetlink rtnl, InetAddress address) throws Exception {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (rtnl.routes(Sockets.AF_INET6).stream()
                .noneMatch(r -> r.type() == Route.RTN_LOCAL && r.destination().equals(address))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no local route for " + address + " within " + WAIT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }

    /** A UDP socket made inside the pod and bound to {@code address:POD_PORT}. */
    private int podSocket(InetAddress address) throws Exception {
        int family = address instanceof java.net.Inet4Address ? Sockets.AF_INET : Sockets.AF_INET6;
        int fd = podNs.runIn(() -> Sockets.socket(family, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0));
        sockets.add(fd);
        MemorySegment local = arena.allocate(SockAddr.STORAGE_SIZE);
        Sockets.bind(fd, local, SockAddr.inet(local, address, POD_PORT));
        Sockets.setReceiveTimeout(fd, WAIT_MS);
        return fd;
    }

    /**
     * Reads the queues until a frame carrying UDP to {@code port} turns up (the pod also
     * sends IPv6 router solicitations and MLD reports), and returns it with its virtio-net
     * header in front.
     */
    private byte[] awaitFrameTo(int port) throws Exception {
        MemorySegment buf = arena.allocate(VNET + 65536);
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (System.nanoTime() < deadline) {
            int ready = epoll.await((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            for (int i = 0; i < ready; i++) {
                int fd = tap.fd((int) epoll.data(i));
                long n;
                while ((n = Libc.read(fd, buf, 0, buf.byteSize())) != Libc.WOULD_BLOCK) {
                    byte[] frame = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                    if (Packets.udpTo(Arrays.copyOfRange(frame, VNET, frame.length), port) > 0) {
                        return frame;
                    }
                }
            }
        }
        throw new AssertionError("no UDP frame to port " + port + " within " + WAIT_MS + " ms");
    }

    private void send(int fd, InetAddress to, byte[] payload) throws Exception {
        MemorySegment out = arena.allocateFrom(ValueLayout.JAVA_BYTE, payload);
        MemorySegment dst = arena.allocate(SockAddr.STORAGE_SIZE);
        int len = SockAddr.inet(dst, to, REMOTE_PORT);
        assertEquals(payload.length, Sockets.sendto(fd, out, 0, payload.length, 0, dst, len));
    }

    @Test
    void ipv4FromThePodComesOutOfAQueueWithAPartialChecksum() throws Exception {
        int fd = podSocket(POD4);
        byte[] payload = "hello from the pod".getBytes();
        send(fd, REMOTE4, payload);

        byte[] withHeader = awaitFrameTo(REMOTE_PORT);
        MemorySegment h = MemorySegment.ofArray(withHeader);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(h, 0));
        assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(h, 0));
        assertEquals(Packets.ETH + 20, VirtioNetHeader.csumStart(h, 0), "checksum from the UDP header on");
        assertEquals(6, VirtioNetHeader.csumOffset(h, 0), "into the UDP checksum field");

        byte[] f = Arrays.copyOfRange(withHeader, VNET, withHeader.length);
        assertEquals(GW_MAC, Packets.mac(f, 0), "sent to the permanent neighbour of the default gateway");
        assertEquals(POD_MAC, Packets.mac(f, 6));
        assertEquals(Packets.ETHERTYPE_IPV4, Packets.u16(f, 12));
        assertEquals(0, Packets.checksum(f, Packets.ETH, 20, 0), "IPv4 header checksum is complete");
        assertEquals(POD4, Packets.address(f, Packets.ETH + 12, 4));
        assertEquals(REMOTE4, Packets.address(f, Packets.ETH + 16, 4));
        int udp = Packets.ETH + 20;
        assertEquals(POD_PORT, Packets.u16(f, udp));
        assertEquals(8 + payload.length, Packets.u16(f, udp + 4));
        assertArrayEquals(payload, Arrays.copyOfRange(f, udp + 8, f.length));
    }

    @Test
    void ipv6FromThePodUsesTheNodadAddressAndTheLinkLocalGateway() throws Exception {
        int fd = podSocket(POD6);
        byte[] payload = "hello over ipv6".getBytes();
        send(fd, REMOTE6, payload);

        byte[] withHeader = awaitFrameTo(REMOTE_PORT);
        MemorySegment h = MemorySegment.ofArray(withHeader);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(h, 0));
        assertEquals(Packets.ETH + 40, VirtioNetHeader.csumStart(h, 0));
        assertEquals(6, VirtioNetHeader.csumOffset(h, 0));

        byte[] f = Arrays.copyOfRange(withHeader, VNET, withHeader.length);
        assertEquals(GW_MAC, Packets.mac(f, 0));
        assertEquals(Packets.ETHERTYPE_IPV6, Packets.u16(f, 12));
        assertEquals(POD6, Packets.address(f, Packets.ETH + 8, 16));
        assertEquals(REMOTE6, Packets.address(f, Packets.ETH + 24, 16));
        assertArrayEquals(payload, Arrays.copyOfRange(f, Packets.ETH + 48, f.length));
    }

    @Test
    void ipv4WrittenIntoAQueueReachesThePodSocket() throws Exception {
        int fd = podSocket(POD4);
        byte[] payload = "hello from the node".getBytes();
        byte[] frame = Packets.udp(POD_MAC, GW_MAC, REMOTE4, REMOTE_PORT, POD4, POD_PORT, payload);
        MemorySegment out = arena.allocate(VNET + frame.length);
        VirtioNetHeader.clear(out, 0, VNET);
        MemorySegment.copy(frame, 0, out, ValueLayout.JAVA_BYTE, VNET, frame.length);
        assertEquals(out.byteSize(), Libc.write(tap.fd(1), out, 0, out.byteSize()));

        MemorySegment in = arena.allocate(2048);
        MemorySegment from = arena.allocate(SockAddr.STORAGE_SIZE);
        long n = Sockets.recvfrom(fd, in, 0, in.byteSize(), 0, from);
        assertEquals(payload.length, n, "datagram (or WOULD_BLOCK after the timeout)");
        assertArrayEquals(payload, in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(REMOTE4, SockAddr.address(from));
        assertEquals(REMOTE_PORT, SockAddr.port(from));
    }

    @Test
    void ipv6WithAPartialChecksumWrittenIntoAQueueReachesThePodSocket() throws Exception {
        int fd = podSocket(POD6);
        byte[] payload = "partial checksum, finished by nobody".getBytes();
        byte[] frame = Packets.udp(POD_MAC, GW_MAC, REMOTE6, REMOTE_PORT, POD6, POD_PORT, payload);
        int udp = Packets.ETH + 40;
        // As a virtio driver would: the pseudo-header sum in the checksum field, the rest
        // announced in the header (NEEDS_CSUM); local delivery trusts it.
        int pseudo = Packets.ipv6PseudoHeaderSum(REMOTE6, POD6, 8 + payload.length);
        frame[udp + 6] = (byte) (pseudo >>> 8);
        frame[udp + 7] = (byte) pseudo;
        MemorySegment out = arena.allocate(VNET + frame.length);
        VirtioNetHeader.clear(out, 0, VNET);
        VirtioNetHeader.set(out, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, udp, 6);
        MemorySegment.copy(frame, 0, out, ValueLayout.JAVA_BYTE, VNET, frame.length);
        assertEquals(out.byteSize(), Libc.write(tap.fd(3), out, 0, out.byteSize()));

        MemorySegment in = arena.allocate(2048);
        MemorySegment from = arena.allocate(SockAddr.STORAGE_SIZE);
        long n = Sockets.recvfrom(fd, in, 0, in.byteSize(), 0, from);
        assertEquals(payload.length, n, "datagram (or WOULD_BLOCK after the timeout)");
        assertArrayEquals(payload, in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(REMOTE6, SockAddr.address(from));
        assertEquals(Sockets.AF_INET6, SockAddr.family(from));
    }

    @Test
    void aBadVirtioHeaderIsRefusedByTheTap() throws Exception {
        byte[] frame = Packets.udp(POD_MAC, GW_MAC, REMOTE4, REMOTE_PORT, POD4, POD_PORT, new byte[8]);
        MemorySegment out = arena.allocate(VNET + frame.length);
        // The checksum would have to be written past the end of the frame.
        VirtioNetHeader.set(out, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0,
                frame.length, 6);
        MemorySegment.copy(frame, 0, out, ValueLayout.JAVA_BYTE, VNET, frame.length);
        LinuxException e = org.junit.jupiter.api.Assertions.assertThrows(LinuxException.class,
                () -> Libc.write(tap.fd(0), out, 0, out.byteSize()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(pod.ip("-s", "link", "show", "dev", TAP).contains(TAP));
    }
}
