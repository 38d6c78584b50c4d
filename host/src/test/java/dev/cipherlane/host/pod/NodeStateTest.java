package dev.cipherlane.host.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStateTest {
    private static final MacAddress GATEWAY_MAC = MacAddress.parse("02:fe:00:00:00:01");
    private static final String HEADER = "cipherlane-node-state 1\n";
    private static final String POD_A = "pod pod-a netns=pod-a interface=eth0 ip4=10.0.0.10 ip6=fd00::10 "
            + "mac=02:00:00:00:0a:01 mtu=1400 queues=1 gateway-mac=02:fe:00:00:00:01 gateway4=169.254.1.1 "
            + "gateway6=fe80::1\n";

    @TempDir
    Path dir;

    private static PodSpec dualStack() {
        return PodSpec.of("pod-a", "pod-a", List.of(InetAddress.ofLiteral("10.0.0.10"),
                InetAddress.ofLiteral("fd00::10")), GATEWAY_MAC).withMac(MacAddress.parse("02:00:00:00:0a:01"));
    }

    private static PodSpec ipv4Only() {
        return PodSpec.of("pod-b.team", "/proc/4242/ns/net", List.of(InetAddress.ofLiteral("10.0.0.11")),
                GATEWAY_MAC).withQueues(4).withMtu(9000).withInterfaceName("net1");
    }

    private static PodSpec ipv6Only() {
        return PodSpec.of("pod-c", "cni-5f0e", List.of(InetAddress.ofLiteral("2001:db8:0:1::c")), GATEWAY_MAC)
                .withGateways(PodSpec.DEFAULT_GATEWAY4, (Inet6Address) InetAddress.ofLiteral("fe80::2"));
    }

    @Test
    void aMissingFileOrDirectoryIsAnEmptyState() throws IOException {
        assertEquals(NodeState.empty(), NodeState.read(dir));
        assertEquals(NodeState.empty(), NodeState.read(dir.resolve("not-yet-created")));
    }

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        NodeState state = NodeState.empty().with(dualStack()).with(ipv4Only()).with(ipv6Only());
        state.write(dir.resolve("created/on/demand"));
        assertEquals(state, NodeState.read(dir.resolve("created/on/demand")));

        state.write(dir);
        String text = Files.readString(NodeState.file(dir));
        assertTrue(text.contains(POD_A), text);
        assertTrue(text.contains("ip6=2001:db8:0:1::c"), "IPv6 in RFC 5952 text: " + text);
        assertTrue(text.endsWith("end 3\n"), text);
        assertEquals(NodeState.empty(), roundTrip(NodeState.empty()));
    }

    private NodeState roundTrip(NodeState state) throws IOException {
        state.write(dir);
        return NodeState.read(dir);
    }

    @Test
    void aFileThePreviousReleaseWroteIsReadAndWrittenTheSame() throws IOException {
        // A node restarted onto a new release re-attaches the pods its old release recorded.
        String old = "# Cipherlane node state: the pods whose persistent taps this node made.\n"
                + "# Written by the node service and replaced whole; do not edit while it runs.\n"
                + HEADER + POD_A + "end 1\n";
        Files.writeString(NodeState.file(dir), old);
        NodeState state = NodeState.read(dir);
        assertEquals(NodeState.empty().with(dualStack()), state);
        state.write(dir);
        assertEquals(old, Files.readString(NodeState.file(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(NodeState.file(dir))));
    }

    @Test
    void ipv6IsWrittenInItsShortestForm() {
        for (String[] c : new String[][] {
                {"fe80::1", "fe80::1"}, {"::", "::"}, {"::1", "::1"}, {"1::", "1::"},
                {"2001:db8:0:0:0:0:0:5", "2001:db8::5"}, {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
                {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"}, {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
                {"FD00::AB", "fd00::ab"}}) {
            Inet6Address a = (Inet6Address) InetAddress.ofLiteral(c[0]);
            String text = NodeStateFormat.ipv6Text(a);
            assertEquals(c[1], text, c[0]);
            assertEquals(a, InetAddress.ofLiteral(text));
        }
    }

    @Test
    void aWriteReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        NodeState before = NodeState.empty().with(dualStack());
        NodeState after = before.with(ipv4Only());
        before.write(dir);
        Path file = NodeState.file(dir);
        Object inodeBefore = Files.readAttributes(file, "unix:ino").get("ino");
        try (InputStream reader = Files.newInputStream(file)) {
            after.write(dir);
            // A reader that opened the file before the write still reads the old contents
            // whole: the new file was renamed over it, not written into it.
            String old = new String(reader.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(old.endsWith("end 1\n"), old);
        }
        assertNotEquals(inodeBefore, Files.readAttributes(file, "unix:ino").get("ino"));
        assertEquals(after, NodeState.read(dir));
        assertEquals(List.of(NodeState.FILE_NAME), fileNames());
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsRemovedByTheNextWrite() throws IOException {
        Files.writeString(dir.resolve(".node.state.8812731.tmp"), "cipherlane-node-state 1\npod pod-a");
        assertEquals(NodeState.empty(), NodeState.read(dir), "never read as the state");
        NodeState.empty().with(dualStack()).write(dir);
        assertEquals(List.of(NodeState.FILE_NAME), fileNames());
    }

    @Test
    void aFailedWriteRemovesItsTemporaryFile() throws IOException {
        // rename(2) cannot put a file over a directory.
        Files.createDirectories(dir.resolve(NodeState.FILE_NAME).resolve("in-the-way"));
        assertThrows(IOException.class, () -> NodeState.empty().with(dualStack()).write(dir));
        assertEquals(List.of(NodeState.FILE_NAME), fileNames());
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDamagedFileIsRefusedNamingTheFileAndLine() throws IOException {
        String comment = "# written by hand\n";
        damaged("", 0, "empty: no \"cipherlane-node-state\" line");
        damaged("{\"pods\": []}\n", 1, "not a node state file");
        damaged("cipherlane-node-state 2\nend 0\n", 1, "version 2 is not one this service reads (1)");
        damaged(HEADER + POD_A, 2, "ends without its \"end <pod count>\" line: the file is truncated");
        damaged(HEADER + POD_A.substring(0, 60), 2, "ends in the middle of this line: the file is truncated");
        damaged(HEADER + POD_A + "end 1", 3, "ends in the middle of this line");
        damaged(HEADER + POD_A + "end 2\n", 3, "says 2 pods, 1 precede it");
        damaged(HEADER + "end 0\n" + POD_A, 3, "text after the \"end\" line");
        damaged(comment + HEADER + POD_A.replace("10.0.0.10", "10.0.0.300") + "end 1\n", 3,
                "pod pod-a: ip4 \"10.0.0.300\" is not a dotted-quad IPv4 address");
        damaged(HEADER + POD_A.replace("fd00::10", "fd00::10%eth0") + "end 1\n", 2,
                "pod pod-a: ip6 \"fd00::10%eth0\" is not an IPv6 address");
        damaged(HEADER + POD_A.replace("mtu=1400", "mtu=1000") + "end 1\n", 2,
                "pod pod-a: mtu 1000 is below IPv6's minimum of 1280");
        damaged(HEADER + POD_A.replace("queues=1", "queues=1 color=blue") + "end 1\n", 2,
                "pod pod-a: unknown field \"color\"");
        damaged(HEADER + POD_A.replace(" mtu=1400", "") + "end 1\n", 2, "pod pod-a: field \"mtu\" is missing");
        damaged(HEADER + POD_A.replace("mtu=1400", "mtu=1400 mtu=1500") + "end 1\n", 2,
                "pod pod-a: field \"mtu\" given twice");
        damaged(HEADER + POD_A.replace("mac=02:00:00:00:0a:01", "mac=2:0:0:0:a:1") + "end 1\n", 2,
                "pod pod-a: mac \"2:0:0:0:a:1\" is not a MAC address");
        damaged(HEADER + POD_A + POD_A + "end 2\n", 3, "pod pod-a appears twice");
        damaged(HEADER + POD_A + POD_A.replace("pod pod-a", "pod pod-z") + "end 2\n", 3,
                "pod pod-z: another pod has eth0 in /run/netns/pod-a");
        damaged(HEADER + "tunnel node-2 spi=1\nend 0\n", 2, "unknown record \"tunnel\"");
        damaged(HEADER + "end\n", 2, "expected \"end <pod count>\"");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNamingTheLine() throws IOException {
        byte[] bad = (HEADER + POD_A.replace("pod-a netns=pod-a", "pod-a netns=pod-\u00e9")).getBytes(
                StandardCharsets.ISO_8859_1);
        Files.write(NodeState.file(dir), bad);
        NodeStateException e = assertThrows(NodeStateException.class, () -> NodeState.read(dir));
        assertEquals(NodeState.file(dir) + ":2: not UTF-8 text", e.getMessage());
    }

    private void damaged(String content, int line, String problem) throws IOException {
        Path file = NodeState.file(dir);
        Files.writeString(file, content);
        NodeStateException e = assertThrows(NodeStateException.class, () -> NodeState.read(dir), content);
        assertEquals(file, e.file());
        assertEquals(line, e.line(), e.getMessage());
        String where = line > 0 ? file + ":" + line + ": " : file + ": ";
        assertTrue(e.getMessage().startsWith(where + problem),
                "\"" + e.getMessage() + "\" should start with \"" + where + problem + "\"");
    }

    @Test
    void withReplacesByNameInPlaceAndWithoutForgets() {
        NodeState state = NodeState.empty().with(dualStack()).with(ipv4Only());
        NodeState changed = state.with(dualStack().withMtu(1500));
        assertEquals(List.of(dualStack().withMtu(1500), ipv4Only()), changed.pods());
        assertEquals(List.of(ipv4Only()), changed.without("pod-a").pods());
        assertEquals(changed, changed.without("no-such-pod"));
        assertTrue(changed.pod("pod-b.team").isPresent());
        assertFalse(changed.pod("pod-a").orElseThrow().equals(dualStack()));
        assertThrows(IllegalArgumentException.class, () -> new NodeState(List.of(dualStack(), dualStack())));
    }

    @Test
    void staleAreTheRecordedPodsWhoseTapsMustGo() {
        PodSpec a = dualStack();
        PodSpec b = ipv4Only();
        PodSpec c = ipv6Only();
        NodeState recorded = NodeState.empty().with(a).with(b).with(c);

        assertEquals(List.of(), recorded.stale(List.of(a, b, c)));
        // Changes attach makes in place keep the tap.
        assertEquals(List.of(), recorded.stale(List.of(a.withMtu(1500).withQueues(2), b, c)));
        assertEquals(List.of(c), recorded.stale(List.of(a, b)), "no longer configured");
        assertEquals(List.of(b), recorded.stale(List.of(a, b.withInterfaceName("eth0"), c)), "moved");
        PodSpec readdressed = PodSpec.of("pod-a", "pod-a", List.of(InetAddress.ofLiteral("10.0.0.99")), GATEWAY_MAC);
        assertEquals(List.of(a), recorded.stale(List.of(readdressed, b, c)), "lost an address");
    }
}
