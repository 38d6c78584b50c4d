package dev.cipherlane.stages.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.builtin.HostRedirect;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSlot;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.testing.Capture;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every stage of the whole node's graph (tunnels, host tap) names each of its arcs and errors,
 * distinctly, and the names are those of the enums it declares them with, in index order.
 */
class ForwardingGraphSpecsTest {
    private static final String TX = "tx";

    @Test
    void everyArcAndErrorOfEveryStageHasItsOwnName() {
        Graph graph = wholeNode();
        List<String> seen = new ArrayList<>();
        for (StageSlot slot : graph.slots()) {
            Stage<?> stage = slot.stage();
            StageSpec spec = stage.spec();
            assertDistinctAndNamed(spec.name() + " arcs", spec.nextArcs());
            assertDistinctAndNamed(spec.name() + " errors", spec.errors());
            List<String> declaredArcs = declared(stage.getClass(), "Arcs", NextArc.class).stream()
                    .map(a -> ((NextArc) a).arcName()).toList();
            if (!spec.nextArcs().isEmpty()) {
                assertEquals(declaredArcs, spec.nextArcs(), spec.name() + ": arcs are its Arcs enum, in order");
            }
            List<String> declaredErrors = declared(stage.getClass(), "Errors", StageError.class).stream()
                    .map(e -> ((StageError) e).reason()).toList();
            assertEquals(declaredErrors, spec.errors().subList(0, declaredErrors.size()),
                    spec.name() + ": errors begin with its Errors enum, in order");
            seen.add(spec.name());
        }
        assertTrue(seen.containsAll(List.of("ethernet-input", "ip4-input", "ip6-input", "ip4-lookup", "ip6-lookup",
                "ip4-rewrite", "ip6-rewrite", "icmp4-error", "icmp6-error", "arp-input", "arp-glean",
                "ethernet-output", "gro4", "gro6", "ip6-nd-input", "ip6-nd-glean", "ip4-local", "punt", "drop",
                "ipip-encap", "ipip-decap", "gso", "host-redirect")), "stages of the whole node: " + seen);
    }

    private static void assertDistinctAndNamed(String what, List<String> names) {
        for (String n : names) {
            assertFalse(n == null || n.isBlank(), what + ": a blank name in " + names);
        }
        assertEquals(names.size(), new HashSet<>(names).size(), what + ": duplicate names in " + names);
    }

    /** The constants of the enum named {@code simpleName} declared by {@code type} or a superclass. */
    private static List<Object> declared(Class<?> type, String simpleName, Class<?> kind) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> nested : c.getDeclaredClasses()) {
                if (nested.getSimpleName().equals(simpleName) && nested.isEnum() && kind.isAssignableFrom(nested)) {
                    return List.of(nested.getEnumConstants());
                }
            }
        }
        return List.of();
    }

    private static Graph wholeNode() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
        ForwardingTables tables = ForwardingTables.capture(new Ip4Fib(loadBalances), new Ip6Fib(loadBalances),
                loadBalances, adjacencies);
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        ForwardingGraph.Tables t = new ForwardingGraph.Tables(new InterfaceTable(), () -> tables, neighbours,
                ProxySet.EMPTY, new ArpRequester(neighbours, ArpRequester.INTERVAL_DEFAULT), bi -> true, 1000, 100);
        TunnelTable.Snapshot tunnels = new TunnelTable().snapshot();
        HostRedirect.Params host = new HostRedirect.Params(1, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                new int[] {0x0A00_0001}, new long[] {0xFD00_0000_0000_0000L, 1});
        Graph.Builder b = Graph.builder().add(new Capture(TX));
        return ForwardingGraph.wireNode(b, t, new ForwardingGraph.Tunnels(() -> tunnels, null), null, host, TX).build();
    }
}
