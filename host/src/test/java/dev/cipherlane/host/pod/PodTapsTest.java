package dev.cipherlane.host.pod;

import dev.cipherlane.stages.wire.Ethernet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.host.IpView;
import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.Namespace;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pods attached by {@link PodTaps} in fresh namespaces {@code clpod-<random>}, checked with
 * {@code ip -j}: the configuration the pod sees, a restart that reattaches without the pod
 * noticing, real frames from a pod socket, detach, errors, and a restart driven by the
 * state file.
 */
@Tag("root")
class PodTapsTest {
    private static final MacAddress GATEWAY_MAC = MacAddress.parse("02:fe:00:00:00:01");
    private static final InetAddress POD4 = InetAddress.ofLiteral("10.1.0.5");
    private static final InetAddress POD6 = InetAddress.ofLiteral("2001:db8:1::5");
    private static final InetAddress REMOTE4 = InetAddress.ofLiteral("10.200.0.1");
    private static final InetAddress REMOTE6 = InetAddress.ofLiteral("2001:db8:200::1");
    private static final int REMOTE_PORT = 5000;
    private static final int VNET = 12;
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<AttachedPod> attached = new ArrayList<>();
    private final List<PodSpec> specs = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private Namespace ns;
    private IpView view;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        ns = namespace();
        view = IpView.of(ns);
    }

    /** Queues first (a descriptor keeps its namespace alive), then taps, then namespaces. */
    @AfterEach
    void tearDown() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (AttachedPod pod : attached) {
            try {
                pod.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        for (PodSpec spec : specs) {
            try {
                PodTaps.detach(spec);
            } catch (LinuxException e) {
                // A test may leave a non-tap under the pod's interface name; the namespace goes anyway.
                if (e.errno() != Errno.EINVAL) {
                    failures.add(e);
                }
            }
        }
        for (Namespace n : namespaces) {
            try {
                n.close();
            } catch (IOException e) {
                failures.add(e);
            }
        }
        arena.close();
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    private Namespace namespace() throws Exception {
        Namespace n = Namespace.withRandomName("clpod");
        namespaces.add(n);
        return n;
    }

    private PodSpec spec(String name, Namespace in) {
        PodSpec spec = PodSpec.of(name, in.name(), List.of(POD4, POD6), GATEWAY_MAC).withQueues(2).withMtu(1400);
        specs.add(spec);
        return spec;
    }

    private AttachedPod attach(PodSpec spec) throws LinuxException {
        AttachedPod pod = PodTaps.attach(spec);
        attached.add(pod);
        return pod;
    }

    @Test
    void attachConfiguresTheTapInsideThePod() throws Exception {
        PodSpec spec = spec("pod-a", ns);
        AttachedPod pod = attach(spec);

        assertTrue(pod.created());
        assertEquals(2, pod.queues().count());
        assertEquals(spec.mac(), pod.mac());

        Map<String, Object> link = view.json("-d", "link", "show", "dev", "eth0").getFirst();
        assertEquals((long) pod.ifindex(), link.get("ifindex"));
        assertEquals(1400L, link.get("mtu"));
        assertEquals(spec.mac().toString(), link.get("address"));
        assertTrue(flags(link).containsAll(Set.of("UP", "LOWER_UP")), "up with carrier: " + link.get("flags"));
        Map<String, Object> linkInfo = map(link.get("linkinfo"));
        assertEquals("tun", linkInfo.get("info_kind"));
        Map<String, Object> tun = map(linkInfo.get("info_data"));
        assertEquals("tap", tun.get("type"));
        assertEquals(false, tun.get("pi"));
        assertEquals(true, tun.get("vnet_hdr"));
        assertEquals(true, tun.get("multi_queue"));
        assertEquals(true, tun.get("persist"));
        assertEquals(2L, tun.get("numqueues"));

        assertEquals(Set.of("inet 10.1.0.5/32", "inet6 2001:db8:1::5/128 nodad"), globalAddresses());

        assertEquals(Set.of("default via 169.254.1.1 [onlink]", "169.254.1.1 scope link []"),
                routes("-4", "route", "show", "dev", "eth0"));
        Set<String> routes6 = routes("-6", "route", "show", "default");
        assertEquals(Set.of("default via fe80::1 []"), routes6);

        assertEquals(Set.of("169.254.1.1 02:fe:00:00:00:01 [PERMANENT]", "fe80::1 02:fe:00:00:00:01 [PERMANENT]"),
                view.json("neigh", "show", "dev", "eth0").stream()
                        .map(n -> n.get("dst") + " " + n.get("lladdr") + " " + n.get("state"))
                        .collect(Collectors.toSet()));
        // attach returned only once the pod can receive on its IPv6 address.
        assertTrue(view.json("-6", "route", "show", "table", "local").stream()
                .anyMatch(r -> "local".equals(r.get("type")) && "2001:db8:1::5".equals(r.get("dst"))));
    }

    @Test
    void attachingAgainAfterARestartReattachesWithoutDisturbingThePod() throws Exception {
        PodSpec spec = spec("pod-a", ns);
        AttachedPod first = attach(spec);
        Map<String, Object> linkBefore = view.json("link", "show", "dev", "eth0").getFirst();
        Set<String> addressesBefore = globalAddresses();
        Set<String> routesBefore = routes("-4", "route", "show", "dev", "eth0");
        Set<String> routes6Before = routes("-6", "route", "show", "dev", "eth0");
        String neighboursBefore = view.ip("neigh", "show", "dev", "eth0");

        IpMonitor monitor = IpMonitor.start(ns);
        List<String> changes;
        AttachedPod second;
        try {
            first.close(); // the node service dies: its descriptors close, the persistent tap stays
            assertTrue(ns.hasLink("eth0"));
            second = attach(spec);
            changes = monitor.stop();
        } finally {
            monitor.close();
        }

        assertFalse(second.created());
        assertEquals(first.ifindex(), second.ifindex());
        Map<String, Object> linkAfter = view.json("link", "show", "dev", "eth0").getFirst();
        assertEquals(linkBefore.get("ifindex"), linkAfter.get("ifindex"));
        assertEquals(linkBefore.get("address"), linkAfter.get("address"));
        assertEquals(linkBefore.get("mtu"), linkAfter.get("mtu"));
        assertEquals(linkBefore.get("flags"), linkAfter.get("flags"));
        assertEquals(addressesBefore, globalAddresses());
        assertEquals(routesBefore, routes("-4", "route", "show", "dev", "eth0"));
        assertEquals(routes6Before, routes("-6", "route", "show", "dev", "eth0"));
        assertEquals(neighboursBefore, view.ip("neigh", "show", "dev", "eth0"));

        // Only carrier changes and in-place replacements: never a link down, never a deletion.
        for (String change : changes) {
            assertFalse(change.startsWith("Deleted"), "removed during the restart: " + change + "\nall: " + changes);
            if (change.contains(": eth0: <")) {
                String linkFlags = change.substring(change.indexOf('<') + 1, change.indexOf('>'));
                assertTrue(Arrays.asList(linkFlags.split(",")).contains("UP"),
                        "eth0 went down: " + change + "\nall: " + changes);
            }
        }
        assertTrue(changes.stream().anyMatch(c -> c.contains(": eth0: <")),
                "the monitor should have seen the carrier go and come back: " + changes);

        // The new descriptors carry the pod's traffic.
        sendFromPod(REMOTE4, "after the restart");
        byte[] frame = awaitUdpFrame(second, REMOTE_PORT);
        assertArrayEquals("after the restart".getBytes(StandardCharsets.UTF_8), udpPayload4(frame));
    }

    @Test
    void aDatagramFromThePodComesOutOfAQueueAddressedToTheGateway() throws Exception {
        PodSpec spec = spec("pod-a", ns);
        AttachedPod pod = attach(spec);

        sendFromPod(REMOTE4, "hello gateway");
        byte[] f = awaitUdpFrame(pod, REMOTE_PORT);
        assertEquals(GATEWAY_MAC, mac(f, VNET), "sent to the gateway's permanent neighbour entry");
        assertEquals(spec.mac(), mac(f, VNET + 6), "from the MAC attach gave the pod");
        assertEquals(0x0800, u16(f, VNET + 12));
        assertEquals(POD4, InetAddress.getByAddress(Arrays.copyOfRange(f, VNET + Ethernet.HEADER_LENGTH + 12, VNET + Ethernet.HEADER_LENGTH + 16)));
        assertEquals(REMOTE4, InetAddress.getByAddress(Arrays.copyOfRange(f, VNET + Ethernet.HEADER_LENGTH + 16, VNET + Ethernet.HEADER_LENGTH + 20)));
        assertArrayEquals("hello gateway".getBytes(StandardCharsets.UTF_8), udpPayload4(f));

        sendFromPod(REMOTE6, "hello over ipv6");
        byte[] f6 = awaitUdpFrame(pod, REMOTE_PORT);
        assertEquals(GATEWAY_MAC, mac(f6, VNET), "fe80::1 resolves to the gateway MAC");
        assertEquals(spec.mac(), mac(f6, VNET + 6));
        assertEquals(0x86dd, u16(f6, VNET + 12));
        assertEquals(POD6, InetAddress.getByAddress(Arrays.copyOfRange(f6, VNET + Ethernet.HEADER_LENGTH + 8, VNET + Ethernet.HEADER_LENGTH + 24)));
        assertEquals(REMOTE6, InetAddress.getByAddress(Arrays.copyOfRange(f6, VNET + Ethernet.HEADER_LENGTH + 24, VNET + Ethernet.HEADER_LENGTH + 40)));
        assertArrayEquals("hello over ipv6".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOfRange(f6, VNET + Ethernet.HEADER_LENGTH + 48, f6.length));
    }

    @Test
    void detachRemovesTheTapAndIsDoneWhenNothingIsLeft() throws Exception {
        PodSpec spec = spec("pod-a", ns);
        attach(spec).close();
        assertTrue(ns.hasLink("eth0"), "persistent: outlives its queues");

        assertTrue(PodTaps.detach(spec));
        assertFalse(ns.hasLink("eth0"));
        assertEquals(Set.of(), globalAddresses());
        assertFalse(PodTaps.detach(spec), "a second detach finds nothing");

        ns.close();
        assertFalse(PodTaps.detach(spec), "a deleted namespace took its taps along");
    }

    @Test
    void anIpv4OnlyPodGetsNoIpv6Configuration() throws Exception {
        PodSpec spec = PodSpec.of("pod-v4", ns.name(), List.of(POD4), GATEWAY_MAC).withMtu(576)
                .withInterfaceName("net1");
        specs.add(spec);
        AttachedPod pod = attach(spec);

        assertEquals(1, pod.queues().count());
        assertEquals(576L, view.json("link", "show", "dev", "net1").getFirst().get("mtu"));
        assertEquals(Set.of("inet 10.1.0.5/32"), globalAddresses("net1"));
        assertEquals(Set.of(), routes("-6", "route", "show", "default"));
    }

    @Test
    void aFailureNamesThePodAndTheStep() throws Exception {
        PodSpec missing = PodSpec.of("pod-x", "clpod-missing-" + ns.name().substring(6), List.of(POD4), GATEWAY_MAC);
        LinuxException e = assertThrows(LinuxException.class, () -> PodTaps.attach(missing));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("pod pod-x: open(\"/run/netns/clpod-missing-"), e.getMessage());
        assertTrue(e.getCause() instanceof LinuxException, "the original error is kept as the cause");
    }

    @Test
    void anInterfaceOfThatNameThatIsNotATapIsLeftAlone() throws Exception {
        ns.rtnetlink().vethAdd("eth0", "peer0");
        PodSpec spec = spec("pod-a", ns);

        LinuxException e = assertThrows(LinuxException.class, () -> PodTaps.attach(spec));
        assertTrue(e.getMessage().startsWith("pod pod-a: TUNSETIFF \"eth0\": EEXIST"), e.getMessage());
        assertTrue(e.getMessage().contains("eth0 is a veth, not a tap"), e.getMessage());
        LinuxException d = assertThrows(LinuxException.class, () -> PodTaps.detach(spec));
        assertTrue(d.getMessage().startsWith("pod pod-a: RTM_DELLINK dev eth0"), d.getMessage());
        assertEquals("veth", map(view.json("-d", "link", "show", "dev", "eth0").getFirst().get("linkinfo"))
                .get("info_kind"));
    }

    @Test
    void aTapCreatedByAFailedAttachIsRemovedAgain() throws Exception {
        // New interfaces in this namespace get no IPv6, so adding the pod's /128 fails.
        ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1");
        PodSpec spec = spec("pod-a", ns);

        LinuxException e = assertThrows(LinuxException.class, () -> PodTaps.attach(spec));
        assertTrue(e.getMessage().startsWith("pod pod-a: RTM_NEWADDR 2001:db8:1:0:0:0:0:5/128 dev eth0: EACCES"), e.getMessage());
        assertFalse(ns.hasLink("eth0"), "the half-configured tap is gone");
    }

    @Test
    void aRestartFollowsTheStateFile(@TempDir Path stateDir) throws Exception {
        Namespace other = namespace();
        PodSpec a = spec("pod-a", ns);
        PodSpec b = spec("pod-b", other);
        // Write ahead: recorded before attached.
        NodeState.empty().with(a).with(b).write(stateDir);
        AttachedPod attachedA = attach(a);
        attach(b);
        for (AttachedPod pod : attached) {
            pod.close(); // kill -9
        }

        // The restarted service: pod-b is no longer configured.
        NodeState recorded = NodeState.read(stateDir);
        List<PodSpec> configured = List.of(a);
        assertEquals(List.of(b), recorded.stale(configured));
        for (PodSpec gone : recorded.stale(configured)) {
            assertTrue(PodTaps.detach(gone));
            recorded = recorded.without(gone.name());
        }
        recorded.write(stateDir);
        AttachedPod again = attach(recorded.pod("pod-a").orElseThrow());

        assertFalse(again.created());
        assertEquals(attachedA.ifindex(), again.ifindex());
        assertFalse(other.hasLink("eth0"));
        assertEquals(List.of(a), NodeState.read(stateDir).pods());
    }

    // ---- helpers ------------------------------------------------------------------------

    private Set<String> globalAddresses() throws Exception {
        return globalAddresses("eth0");
    }

    /** "family address/prefix [nodad]" of the link's global addresses. */
    private Set<String> globalAddresses(String ifname) throws Exception {
        if (!ns.hasLink(ifname)) {
            return Set.of();
        }
        List<Object> info = list(view.json("address", "show", "dev", ifname).getFirst().get("addr_info"));
        return info.stream().map(PodTapsTest::map).filter(a -> "global".equals(a.get("scope")))
                .map(a -> a.get("family") + " " + a.get("local") + "/" + a.get("prefixlen")
                        + (Boolean.TRUE.equals(a.get("nodad")) ? " nodad" : ""))
                .collect(Collectors.toSet());
    }

    /** "dst [via gateway] [scope s] flags" of the routes {@code ip -j args} lists. */
    private Set<String> routes(String... args) throws Exception {
        return view.json(args).stream()
                .map(r -> r.get("dst") + (r.containsKey("gateway") ? " via " + r.get("gateway") : "")
                        + (r.containsKey("scope") ? " scope " + r.get("scope") : "") + " " + r.get("flags"))
                .collect(Collectors.toSet());
    }

    /** A datagram from a socket made inside the pod's namespace by this (platform) thread. */
    private void sendFromPod(InetAddress to, String text) throws Exception {
        try (NetNamespace pod = NetNamespace.named(ns.name());
             DatagramSocket socket = pod.runIn(DatagramSocket::new)) {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(payload, payload.length, to, REMOTE_PORT));
        }
    }

    /**
     * Reads every queue until a UDP frame to {@code port} turns up, skipping what else the
     * pod's kernel sends (IPv6 router solicitations, MLD reports); returns it with its
     * virtio-net header.
     */
    private byte[] awaitUdpFrame(AttachedPod pod, int port) throws Exception {
        MemorySegment buf = arena.allocate(VNET + 65536);
        long deadline = System.nanoTime() + WAIT_NS;
        while (System.nanoTime() < deadline) {
            boolean any = false;
            for (int q = 0; q < pod.queues().count(); q++) {
                long n;
                while ((n = Libc.read(pod.queues().fd(q), buf, 0, buf.byteSize())) != Libc.WOULD_BLOCK) {
                    any = true;
                    byte[] f = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                    if (udpDestinationPort(f) == port) {
                        return f;
                    }
                }
            }
            if (!any) {
                Thread.sleep(5);
            }
        }
        throw new AssertionError("no UDP frame to port " + port + " on any queue within 10 s");
    }

    /** The UDP destination port of a frame behind a virtio-net header, or -1. */
    private static int udpDestinationPort(byte[] f) {
        int ip = VNET + Ethernet.HEADER_LENGTH;
        if (f.length < ip + 20) {
            return -1;
        }
        int type = u16(f, VNET + 12);
        if (type == 0x0800 && f[ip + 9] == 17 && f.length >= ip + (f[ip] & 0x0f) * 4 + 8) {
            return u16(f, ip + (f[ip] & 0x0f) * 4 + 2);
        }
        if (type == 0x86dd && f.length >= ip + 48 && f[ip + 6] == 17) {
            return u16(f, ip + 42);
        }
        return -1;
    }

    private static byte[] udpPayload4(byte[] f) {
        int udp = VNET + Ethernet.HEADER_LENGTH + (f[VNET + Ethernet.HEADER_LENGTH] & 0x0f) * 4;
        return Arrays.copyOfRange(f, udp + 8, f.length);
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    private static MacAddress mac(byte[] b, int off) {
        return MacAddress.of(Arrays.copyOfRange(b, off, off + 6));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static Set<String> flags(Map<String, Object> link) {
        return list(link.get("flags")).stream().map(String::valueOf).collect(Collectors.toSet());
    }
}
