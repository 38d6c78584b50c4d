package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testbed's namespaces and wires, made through the linux module: a namespace is what
 * {@code ip netns add} makes (iproute2 finds and uses it), it is gone after close, and
 * nothing is left behind when building fails half-way.
 */
@Tag("root")
class NamespaceTest {
    private static final String FAMILY = "cltn";
    private final List<Namespace> made = new ArrayList<>();

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for network namespaces");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Namespace ns : made) {
            ns.close();
        }
    }

    private Namespace namespace() throws Exception {
        Namespace ns = Namespace.withRandomName(FAMILY);
        made.add(ns);
        return ns;
    }

    @Test
    void aNamespaceIsVisibleUsableAndGoneAfterClose() throws Exception {
        Namespace ns = namespace();
        String name = ns.name();
        assertTrue(Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, name)));
        assertTrue(Commands.check("ip", "netns", "list").contains(name), "iproute2 lists it");
        assertTrue(ns.exec("cat", "/proc/net/dev").contains("lo:"), "ip netns exec runs a tool in it");
        assertNotEquals(NetNamespace.currentInode(), ns.handle().inode());
        assertEquals(List.of("lo"), ns.rtnetlink().links().stream().map(l -> l.name()).toList());
        assertFalse(ns.rtnetlink().link("lo").up(), "new and empty, as ip netns add leaves it");

        ns.close();
        assertFalse(Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, name)));
        assertFalse(Commands.check("ip", "netns", "list").contains(name));
        ns.close(); // twice is fine
    }

    @Test
    void aTakenNameIsRefusedAndTheNamespaceKept() throws Exception {
        Namespace ns = namespace();
        LinuxException e = assertThrows(LinuxException.class, () -> Namespace.create(ns.name()));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(ns.hasLink("lo"), "the first one is untouched");
        assertTrue(Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, ns.name())));
    }

    @Test
    void sysctlChangesTheNamespaceAndNotTheHost() throws Exception {
        Path file = Path.of("/proc/sys/net/ipv6/conf/default/accept_dad");
        String host = Files.readString(file).strip();
        String other = host.equals("0") ? "2" : "0";
        Namespace ns = namespace();
        ns.sysctl("net.ipv6.conf.default.accept_dad", other);
        assertEquals(other, ns.sysctl("net.ipv6.conf.default.accept_dad"));
        assertEquals(other, ns.exec("cat", file.toString()).strip(), "what sysctl inside it reads");
        assertEquals(host, Files.readString(file).strip(), "the host's own value");
    }

    @Test
    void aWireJoinsTwoNamespaces() throws Exception {
        Namespace a = namespace();
        Namespace b = namespace();
        Wire w = Wire.join(a, "w0", b, "w0", 1400).up();
        assertEquals(1400, a.rtnetlink().link(w.indexA()).mtu());
        assertEquals(1400, b.rtnetlink().link(w.indexB()).mtu());
        a.rtnetlink().addressAdd(w.indexA(), InetAddress.ofLiteral("10.254.0.1"), 24);
        b.rtnetlink().addressAdd(w.indexB(), InetAddress.ofLiteral("10.254.0.2"), 24);
        assertTrue(Ping.firstReply(a.name(), "10.254.0.2", 5).received() > 0);

        // The kernel dismantles a namespace whose last holder let go in the background.
        b.close();
        Poll.until("the wire goes with either of its namespaces", Duration.ofSeconds(10), () -> !a.hasLink("w0"),
                () -> "");
    }

    @Test
    void aLabThatFailsHalfWayLeavesNoNamespace(@TempDir Path tmp) throws Exception {
        // The lab directory is a file: the first node's namespaces are made, its directory is not.
        Path notADirectory = Files.writeString(tmp.resolve("lab"), "");
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(1);
        List<String> before = namespacesOf(FAMILY);
        assertThrows(Exception.class, () -> Lab.create(spec, notADirectory, Launcher.thisJvm()));
        assertEquals(before, namespacesOf(FAMILY));
    }

    private static List<String> namespacesOf(String family) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(NetNamespace.NAMED_DIRECTORY))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(family)).sorted().toList();
        }
    }
}
