package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.supervisor.admin.views.FibView;
import dev.cipherlane.supervisor.admin.views.NeighboursView;
import dev.cipherlane.supervisor.admin.views.PodsView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code show fib}, {@code show pods} and {@code show neighbours} from a node's real tables. */
class DataplaneViewsTest {
    private static final int UPLINK = 2;
    private static final int HOST = 3;
    private static final Map<Integer, String> NAMES = Map.of(0, "p0", 1, "p1", UPLINK, "wire0", HOST, "cl-host");

    private static int ip(String text) {
        return (int) IpAddress.parse(text).low();
    }

    private static final List<PodPort> PODS = List.of(
            new PodPort("p0", 0, 0x02AA_0000_0001L, 1400, new int[] {100, 101}, Optional.of(ip("10.1.1.10")),
                    Optional.of(new long[] {0xFD01_0001_0000_0000L, 0x10L})),
            new PodPort("p1", 1, 0x02AA_0000_0002L, 1400, new int[] {102}, Optional.of(ip("10.1.1.11")),
                    Optional.empty()));

    private static NodeForwarding forwarding() {
        UplinkInterface up = new UplinkInterface(UPLINK, "wire0", 0x0AA3_A7CC_EDCFL, 1500,
                List.of(new NetInterface.Ip4Address(ip("10.200.0.1"), 24)), List.of(), List.of(ip("10.200.0.11")),
                HOST, "cl-host");
        PeerSettings peer = new PeerSettings("node-b", List.of(IpAddress.parse("10.200.0.2")),
                List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("fd01:2::/64")), 2);
        return NodeForwarding.build(PODS, 0x02FE_0000_0001L, Optional.of(up), List.of(peer));
    }

    @Test
    void fibListsEveryRouteWithItsPaths() {
        FibView fib = FibView.of(forwarding().tables(), NAMES::get);
        Map<String, FibView.RouteRow> byPrefix = fib.routes().stream()
                .collect(Collectors.toMap(FibView.RouteRow::prefix, r -> r));
        assertEquals(List.of("10.200.0.0/24", "10.1.1.10/32", "10.1.1.11/32", "10.200.0.1/32", "10.200.0.11/32",
                "10.1.2.0/24", "fd01:1::10/128", "fd01:2::/64").stream().sorted().toList(),
                byPrefix.keySet().stream().sorted().toList());
        FibView.PathRow pod = byPrefix.get("10.1.1.10/32").paths().getFirst();
        assertEquals(List.of("rewrite", "10.1.1.10", "p0"), List.of(pod.kind(), pod.nextHop(), pod.interfaceName()));
        assertEquals("glean", byPrefix.get("10.200.0.0/24").paths().getFirst().kind());
        assertEquals("local", byPrefix.get("10.200.0.11/32").paths().getFirst().kind());
        // The peer's pod CIDRs spread over its two tunnels, for both families alike.
        for (String cidr : List.of("10.1.2.0/24", "fd01:2::/64")) {
            assertEquals(List.of(0, 1), byPrefix.get(cidr).paths().stream().map(FibView.PathRow::tunnel).toList());
            assertEquals(FibView.TUNNEL, byPrefix.get(cidr).paths().getFirst().kind());
        }
        String text = fib.text();
        assertTrue(text.contains("tunnel 0, tunnel 1"), text);
        assertTrue(text.contains("rewrite 10.1.1.10 on p0"), text);
        assertTrue(text.contains("glean on wire0"), text);
    }

    @Test
    void podsListTheirPortsAndAddresses() {
        PodsView pods = PodReport.view(PODS);
        assertEquals(new PodsView.PodRow("p0", 0, "02:aa:00:00:00:01", 1400, 2, "10.1.1.10", "fd01:1::10"),
                pods.pods().get(0));
        assertEquals(new PodsView.PodRow("p1", 1, "02:aa:00:00:00:02", 1400, 1, "10.1.1.11", null), pods.pods().get(1));
        assertEquals("""
                Pod                  Index MAC                 MTU Queues IPv4            IPv6
                p0                       0 02:aa:00:00:00:01  1400      2 10.1.1.10       fd01:1::10
                p1                       1 02:aa:00:00:00:02  1400      1 10.1.1.11       -
                """, pods.text());
    }

    @Test
    void neighboursReadTheTableAsItsOwnFormatDoes() {
        NeighbourTable table = new NeighbourTable(new NeighbourTable.Params(30_000_000_000L,
                NeighbourTable.Params.STALE_TIME_DEFAULT, NeighbourTable.Params.INCOMPLETE_TIME_DEFAULT, 64, 16));
        InterfaceTable interfaces = new InterfaceTable();
        interfaces.put(new NetInterface(UPLINK, "wire0", 0x02FE_0000_0001L, 1500, List.of(), List.of()));
        NodeForwarding f = forwarding();
        f.follow(table, () -> {});
        table.addStatic4(UPLINK, ip("10.200.0.9"), 0x0A00_0000_0009L, 0);
        long now = 2_500_000_000L;
        NeighboursView view = NeighboursView.of(table.listing(now),
                i -> interfaces.get(i) == null ? "if" + i : interfaces.get(i).name());
        assertEquals(table.format(now, interfaces), view.text());
        assertTrue(view.neighbours().stream().anyMatch(n -> n.address().equals("10.200.0.9")
                && n.mac().equals("0a:00:00:00:00:09") && n.state().equals("PERMANENT") && n.ageSeconds() == null));
    }
}
