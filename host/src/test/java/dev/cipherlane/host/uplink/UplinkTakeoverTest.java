package dev.cipherlane.host.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.host.IpView;
import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.IfAddress;
import dev.cipherlane.linux.Link;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Nftables;
import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.UplinkTestbed;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takes over the veth uplink of a fresh node namespace and gives it back, by a normal
 * restore and by one after a simulated crash, checking what {@code ip} and the peer see.
 */
@Tag("root")
class UplinkTakeoverTest {
    private static final String HOST_TAP = "clhost0";

    @TempDir
    Path stateDir;
    private UplinkTestbed bed;
    private TakenUplink taken;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and nftables");
        bed = UplinkTestbed.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (taken != null) {
                taken.close();
            }
        } finally {
            if (bed != null) {
                bed.close();
            }
        }
    }

    @Test
    void takeThenRestore() throws Exception {
        List<String> before = snapshot();
        assertTrue(bed.peerPingAnswered(), "the testbed works before the takeover");

        taken = bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, HOST_TAP, stateDir));
        assertTaken();

        assertTrue(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)));
        taken.close();
        assertRestored(before);
    }

    @Test
    void restoreAfterCrash() throws Exception {
        List<String> before = snapshot();
        TakenUplink lost = bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, HOST_TAP, stateDir));
        assertTaken();
        // The crash: the descriptors close with the process, nothing is undone.
        lost.close();
        assertTrue(Files.exists(stateDir.resolve(UplinkTakeover.STATE_FILE)));

        assertTrue(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)));
        assertRestored(before);
        assertFalse(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)), "a second restore finds nothing");
    }

    @Test
    void restoreFinishesAnInterruptedRestore() throws Exception {
        List<String> before = snapshot();
        bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, HOST_TAP, stateDir)).close();
        // A restore that crashed half-way: table and tap gone, one address back already.
        try (Nftables nft = Nftables.open(bed.nodeNs()); Rtnetlink rtnl = Rtnetlink.open(bed.nodeNs())) {
            assertTrue(nft.deleteTable(UplinkTakeover.NFT_TABLE));
            rtnl.linkDelete(rtnl.linkIndex(HOST_TAP));
        }
        Rtnetlink node = bed.node().rtnetlink();
        node.addressAdd(node.linkIndex(UplinkTestbed.UPLINK), InetAddress.ofLiteral("10.252.0.1"), 24);

        assertTrue(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)));
        assertRestored(before);
    }

    @Test
    void missingUplinkIsRefusedWithoutStateFile() throws Exception {
        LinuxException e = assertThrows(LinuxException.class,
                () -> bed.nodeNs().runIn(() -> UplinkTakeover.take("nosuch0", HOST_TAP, stateDir)));
        assertEquals(Errno.ENODEV, e.errno());
        assertFalse(Files.exists(stateDir.resolve(UplinkTakeover.STATE_FILE)));
    }

    @Test
    void takeRefusedWhileTaken() throws Exception {
        List<String> before = snapshot();
        taken = bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, HOST_TAP, stateDir));
        IOException e = assertThrows(IOException.class,
                () -> bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, "clhost1", stateDir)));
        assertTrue(e.getMessage().contains("restore"), e.getMessage());
        assertTrue(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)));
        assertRestored(before);
    }

    @Test
    void hostTapNameOfAnotherInterfaceIsRefusedUntouched() throws Exception {
        List<String> before = snapshot();
        assertThrows(IllegalArgumentException.class,
                () -> bed.nodeNs().runIn(() -> UplinkTakeover.take(UplinkTestbed.UPLINK, "lo", stateDir)));
        assertFalse(Files.exists(stateDir.resolve(UplinkTakeover.STATE_FILE)));
        assertEquals(before, snapshot());
    }

    @Test
    void restoreWithoutStateFileIsNoOp() throws Exception {
        List<String> before = snapshot();
        assertFalse(bed.nodeNs().runIn(() -> UplinkTakeover.restore(stateDir)));
        assertEquals(before, snapshot());
    }

    private void assertTaken() throws Exception {
        try (Rtnetlink rtnl = Rtnetlink.open(bed.nodeNs())) {
            Link uplink = rtnl.link(UplinkTestbed.UPLINK);
            Link tap = rtnl.link(HOST_TAP);
            assertEquals(uplink.mac(), tap.mac(), "the host tap has the uplink's MAC");
            assertEquals(uplink.mtu(), tap.mtu());
            assertTrue(tap.up());

            assertEquals(Set.of(), global(rtnl.addresses(uplink.index())), "the uplink keeps no address");
            assertEquals(Set.of("10.252.0.1/24", "fd52:0:0:0:0:0:0:1/64"), global(rtnl.addresses(tap.index())));

            Set<String> viaTap = rtnl.routes().stream()
                    .filter(r -> r.outputInterface() == tap.index() && r.table() == Route.RT_TABLE_MAIN)
                    .map(Route::toString).collect(Collectors.toSet());
            String oif = " dev #" + tap.index();
            assertTrue(viaTap.contains("default via " + UplinkTestbed.GATEWAY + oif), viaTap.toString());
            assertTrue(viaTap.contains("10.252.0.0/24" + oif + " scope link"), viaTap.toString());
            assertTrue(viaTap.contains("fd52:0:0:0:0:0:0:0/64" + oif + " metric 256"), viaTap.toString());
            assertTrue(rtnl.routes().stream().noneMatch(r -> r.outputInterface() == uplink.index()
                    && r.table() == Route.RT_TABLE_MAIN && !(r.destination().isLinkLocalAddress())),
                    "no route left through the uplink but its link-local one");

            if (taken != null) {
                assertEquals(uplink.index(), taken.uplinkIndex());
                assertEquals(uplink.mac(), taken.mac());
            }
        }
        if (Files.isExecutable(Path.of("/usr/sbin/nft"))) {
            String table = bed.node().exec("nft", "list", "table", "netdev", UplinkTakeover.NFT_TABLE);
            assertTrue(table.contains("chain " + UplinkTakeover.NFT_CHAIN), table);
            assertTrue(table.contains("\"" + UplinkTestbed.UPLINK + "\""), table);
            assertTrue(table.contains("policy drop"), table);
        } else {
            try (Nftables nft = Nftables.open(bed.nodeNs())) {
                assertTrue(nft.tableExists(UplinkTakeover.NFT_TABLE));
            }
        }
        assertFalse(bed.peerPingAnswered(), "the kernel no longer answers on the uplink");
    }

    private void assertRestored(List<String> before) throws Exception {
        assertEquals(before, snapshot(), "addresses and routes as they were");
        assertTrue(bed.peerPingAnswered(), "the kernel answers on the uplink again");
        try (Rtnetlink rtnl = Rtnetlink.open(bed.nodeNs()); Nftables nft = Nftables.open(bed.nodeNs())) {
            LinuxException e = assertThrows(LinuxException.class, () -> rtnl.link(HOST_TAP));
            assertEquals(Errno.ENODEV, e.errno(), "the host tap is gone");
            assertFalse(nft.tableExists(UplinkTakeover.NFT_TABLE));
        }
        assertFalse(Files.exists(stateDir.resolve(UplinkTakeover.STATE_FILE)));
    }

    /** The global-scope addresses, as address/prefix. */
    private static Set<String> global(List<IfAddress> addresses) {
        return addresses.stream().filter(a -> a.scope() == Route.RT_SCOPE_UNIVERSE)
                .map(a -> a.address().getHostAddress() + "/" + a.prefixLength()).collect(Collectors.toSet());
    }

    /** {@code ip -j addr show dev <uplink>}, {@code ip -j route}, {@code ip -j -6 route} in the node. */
    private List<String> snapshot() throws IOException, InterruptedException {
        IpView ip = IpView.of(bed.node());
        return List.of(ip.ip("-j", "addr", "show", "dev", UplinkTestbed.UPLINK), ip.ip("-j", "route"),
                ip.ip("-j", "-6", "route"));
    }
}
