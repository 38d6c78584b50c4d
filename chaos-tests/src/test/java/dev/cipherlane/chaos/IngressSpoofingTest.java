package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.keys.SaKeys;
import dev.cipherlane.ipsec.keys.StaticKeyFile;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import dev.cipherlane.testbed.Poll;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Let in only what may come (RFC 4301 section 5.2, DESIGN.md "IPsec"): n1 drops, each under its
 * own reason in {@code show errors}, what Debian's scapy forges against it
 *
 * <ul>
 *   <li>from inside n1's pod: IPv4 and IPv6 packets whose source is n2's pod;
 *   <li>on the wire: clear packets to n1's pod from n2's pod address, and clear packets from
 *       n2's own address to n2's pod (which n1 would otherwise encrypt into the tunnel);
 *   <li>on the wire: ESP sealed with the tunnel's real static key, so it passes the ICV and
 *       the replay window, carrying inner packets to n1's pod from n2's host address and from
 *       n1's own pod address, neither inside n2's pod CIDRs;
 * </ul>
 *
 * while byte-checked streams between the two pods, before and after, arrive intact.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IngressSpoofingTest {
    private static final long BYTES = 1_000_000;
    private static final int FORGED = 20;
    private static final String FORGED_TEXT = Integer.toString(FORGED);
    /** The forged ESP numbers sit this far above n2's next one, inside n1's window and reserved mark. */
    private static final int SEQUENCE_GAP = 64;
    private static final int BURST_PORT = 43100;
    private static final int SERVER_PORT = 9310;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final Duration COUNTED_LIMIT = Duration.ofSeconds(20);
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String SPOOFED_POD = "pod source not its own";
    private static final String FROM_PEER_CIDR = "clear packet from a peer pod cidr";
    private static final String INTO_TUNNEL = "clear packet into a tunnel";
    private static final String TUNNEL_SOURCE = "tunnel source outside the peer pod cidrs";

    /** Forges and sends; the first argument says what (see the test's steps). */
    private static final String FORGE = String.join("\n",
            "import socket, sys",
            "from scapy.all import rdpcap, sendp, Ether, IP, IPv6, UDP",
            "from scapy.layers.ipsec import SecurityAssociation, ESP",
            "mode, args = sys.argv[1], sys.argv[2:]",
            "data = b'cipherlane ingress check'",
            "if mode == 'pod':",
            "    src, dst, count = args[0], args[1], int(args[2])",
            "    six = ':' in src",
            "    s = socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)",
            "    for i in range(count):",
            "        ip = IPv6(src=src, dst=dst) if six else IP(src=src, dst=dst)",
            "        s.sendto(bytes(ip / UDP(sport=42000 + i, dport=9300) / data), (dst, 0))",
            "else:",
            "    t = rdpcap(args[0])[0]",
            "    link = Ether(src=t[Ether].src, dst=t[Ether].dst)",
            "    if mode == 'clear':",
            "        src, dst, count, iface = args[1], args[2], int(args[3]), args[4]",
            "        sendp([link / IP(src=src, dst=dst) / UDP(sport=43000 + i, dport=9301) / data",
            "               for i in range(count)], iface=iface, verbose=False)",
            "    else:",
            "        spi, key, seq = int(args[1], 16), bytes.fromhex(args[2]), int(args[3])",
            "        src, dst, count, iface = args[4], args[5], int(args[6]), args[7]",
            "        assert t[ESP].spi == spi, 'the template is not under spi %x' % spi",
            "        sa = SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM', crypt_key=key)",
            "        frames = []",
            "        for i in range(count):",
            "            inner = IP(src=src, dst=dst) / UDP(sport=44000 + i, dport=9302) / data",
            "            outer = IP(src=t[IP].src, dst=t[IP].dst, proto=4) / inner",
            "            n = seq + i",
            "            frames.append(link / sa.encrypt(outer, seq_num=n, iv=n.to_bytes(8, 'big')))",
            "        sendp(frames, iface=iface, verbose=False)",
            "");

    @BeforeEach
    void needs() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import scapy.layers.ipsec").redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "needs Debian's python3-scapy for " + PYTHON);
    }

    @Test
    void forgedSourcesAreDroppedUnderTheirReasonsWhileThePodsTalk() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withTunnels(1, 0).withRelay(true)
                .withIpsec(LabIpsec.ON);
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            stream(t, "ingress-before-n2-to-n1", b, a, 7971);

            // One real ESP frame from n2 to n1: its MACs, outer addresses and SPI are the template.
            EspCapture template = new EspCapture(Direction.B_TO_A, 1);
            t.observe(template);
            Ping.firstReply(b.netns(), a.ip4(), 5);
            t.observe();
            Path pcap = t.lab().directory().resolve("ingress-template.pcap");
            assertEquals(1, template.writePcap(pcap), "an ESP frame from n2 to n1 crossed the relay");
            Path forge = t.lab().directory().resolve("ingress-forge.py");
            Files.writeString(forge, FORGE);
            String before = n1.admin("show errors");

            forge(t, a.netns(), "pod-spoof-4", "pod", b.ip4(), b.ip4(), FORGED_TEXT);
            forge(t, a.netns(), "pod-spoof-6", "pod", b.ip6(), b.ip6(), FORGED_TEXT);
            forge(t, t.lab().relayNetns(), "clear-from-peer-pod", "clear", pcap.toString(), b.ip4(), a.ip4(),
                    FORGED_TEXT, Lab.RELAY_PORT_A);
            forge(t, t.lab().relayNetns(), "clear-into-tunnel", "clear", pcap.toString(), n2.underlay(), b.ip4(),
                    FORGED_TEXT, Lab.RELAY_PORT_A);
            StaticKeyFile keys = StaticKeyFile.load(n1.keyFile(2, 0));
            try {
                SaKeys in = keys.inbound();
                long next = NodeViews.sas(n2.admin("show sa")).stream()
                        .filter(sa -> sa.outbound() && sa.spi() == in.spi()).findFirst()
                        .orElseThrow(() -> new AssertionError("n2 has no outbound SA " + SaKeys.spiText(in.spi())))
                        .nextSequence();
                byte[] key = in.material().copyKey();
                byte[] salt = in.material().copySalt();
                String hex = HexFormat.of().formatHex(key) + HexFormat.of().formatHex(salt);
                Arrays.fill(key, (byte) 0);
                Arrays.fill(salt, (byte) 0);
                String spi = Integer.toHexString(in.spi());
                long seq = next + SEQUENCE_GAP;
                forge(t, t.lab().relayNetns(), "esp-as-peer-host", "esp", pcap.toString(), spi, hex,
                        Long.toString(seq), n2.underlay(), a.ip4(), FORGED_TEXT, Lab.RELAY_PORT_A);
                forge(t, t.lab().relayNetns(), "esp-as-local-pod", "esp", pcap.toString(), spi, hex,
                        Long.toString(seq + FORGED), a.ip4(), a.ip4(), FORGED_TEXT, Lab.RELAY_PORT_A);
            } finally {
                keys.destroy();
            }

            Poll.until("n1 counted every forged packet under its reason", COUNTED_LIMIT, () -> {
                String now = n1.admin("show errors");
                return grew(before, now, SPOOFED_POD) >= 2 * FORGED && grew(before, now, FROM_PEER_CIDR) >= FORGED
                        && grew(before, now, INTO_TUNNEL) >= FORGED && grew(before, now, TUNNEL_SOURCE) >= 2 * FORGED;
            }, t::diagnostics);
            String after = n1.admin("show errors");
            System.out.println("IngressSpoofingTest: n1 show errors after the forgeries\n" + after);
            assertEquals(FORGED, grew(before, after, FROM_PEER_CIDR), after);
            assertEquals(FORGED, grew(before, after, INTO_TUNNEL), after);
            assertEquals(2 * FORGED, grew(before, after, TUNNEL_SOURCE), after);
            // The forged ESP was authentic to esp-decrypt: only the inner source gave it away.
            assertEquals(0, grew(before, after, "integrity check failed"), after);
            assertEquals(0, grew(before, after, "unknown spi"), after);
            assertEquals(0, NodeViews.error(after, "ip4-lookup", "tunnel destination not a local pod"), after);

            // The forged ESP took n2's sequence numbers just ahead of its own: n1 now drops those as
            // replays when n2 reaches them. A burst of datagrams from n2's pod uses them up.
            Map<Integer, Integer> burst = UdpProbe.send(b.netns(), b.ip4(), List.of(BURST_PORT), a.netns(),
                    new InetSocketAddress(a.address4(), SERVER_PORT), 2 * (SEQUENCE_GAP + 2 * FORGED),
                    Duration.ofNanos(200_000), Duration.ofSeconds(1));
            assertTrue(burst.get(BURST_PORT) > 0, () -> "datagrams from n2 arrive: " + burst);
            stream(t, "ingress-after-n1-to-n2", a, b, 7972);
            stream(t, "ingress-after-n2-to-n1", b, a, 7973);
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }

    private static long grew(String before, String after, String reason) {
        return NodeViews.reasonTotal(after, reason) - NodeViews.reasonTotal(before, reason);
    }

    private static void stream(NodeTestbed t, String name, LabPod from, LabPod to, int port) throws Exception {
        CheckedStream s = t.closeLater(CheckedStream.between(name, from, to, to.address4(), port, BYTES, 0,
                STALL_LIMIT)).start();
        CheckedStream.Result r = s.await(STREAM_LIMIT);
        System.out.println("IngressSpoofingTest: " + name + ": " + r);
        assertTrue(r.intact(), () -> name + ": " + r + "\n" + t.diagnostics());
    }

    /** Runs the forging script in {@code netns} with {@code args} and waits for it to succeed. */
    private static void forge(NodeTestbed t, String netns, String log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                t.lab().directory().resolve("ingress-forge.py").toString()));
        command.addAll(List.of(args));
        Process p = t.lab().spawn(netns, log, command);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log + ": scapy did not finish");
        assertEquals(0, p.exitValue(), () -> log + ":\n" + toolLog(t, log));
    }

    private static String toolLog(NodeTestbed t, String log) {
        try {
            return t.lab().toolLog(log);
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
