package dev.cipherlane.stages.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.forwarding.ForwardingGraph;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.testing.Capture;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.util.ArrayList;
import java.util.List;

/**
 * One node of a two-node pod network, running the whole built-in graph
 * ({@link ForwardingGraph}) with a capture as its tx stage. Node {@code s} (1 = A, 2 = B):
 *
 * <pre>
 * if0 pod0      10.s.0.1/24                 pod 10.s.0.7 / fd0s::7 behind MAC 02:00:00:00:0s:99
 * if1 underlay  10.0.0.s/24  MAC 02:00:00:00:00:0s, MTU 1500; the peer's MAC 02:00:00:00:00:0p
 * tunnel i (0..3): 10.0.s.(i+1) -> 10.0.p.(i+1), MTU 1500, all via the peer's underlay MAC
 * 10.p.0.0/16, fd0p::/64 -> load balancer over the 4 tunnel adjacencies
 * 10.0.s.(i+1)/32        -> local (outer tunnel addresses)
 * 10.s.0.7/32, fd0s::7   -> the pod's rewrite adjacency
 * </pre>
 *
 * {@link #close()} frees what reached tx or punt and asserts no buffer is left in use.
 */
final class TunnelNode implements AutoCloseable {
    static final int TUNNELS = 4;
    static final int POD_IF = 0;
    static final int UNDERLAY_IF = 1;
    static final String TX = "tx";

    final int self;
    final int peer;
    final InterfaceTable interfaces = new InterfaceTable();
    final AdjacencyTable adjacencies = new AdjacencyTable();
    final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
    final Ip4Fib fib4 = new Ip4Fib(loadBalances);
    final Ip6Fib fib6 = new Ip6Fib(loadBalances);
    final TunnelTable tunnels = new TunnelTable();
    final int underlay;
    final int podAdjacency;
    final int podAdjacency6;
    final int[] tunnelAdjacency = new int[TUNNELS];
    final List<Integer> punted = new ArrayList<>();

    final PacketMemory mem = new PacketMemory(2048, 32);
    final BufferCache cache = mem.newCache();
    private final Capture tx = new Capture(TX);
    private final GraphRuntime runtime;

    /** @param withTunnels whether the graph gets the IPIP stages ({@link ForwardingGraph#wireWithTunnels}) */
    TunnelNode(int self, boolean withTunnels) {
        this.self = self;
        this.peer = 3 - self;
        interfaces.put(new NetInterface(POD_IF, "pod0", podIfMac(self), 1500,
                List.of(new NetInterface.Ip4Address(addr(10, self, 0, 1), 24)), List.of()));
        interfaces.put(new NetInterface(UNDERLAY_IF, "underlay", underlayMac(self), 1500,
                List.of(new NetInterface.Ip4Address(addr(10, 0, 0, self), 24)), List.of()));
        underlay = adjacencies.addRewrite4(UNDERLAY_IF, addr(10, 0, 0, peer), bytes(underlayMac(self)),
                bytes(underlayMac(peer)));
        for (int i = 0; i < TUNNELS; i++) {
            int t = tunnels.add(outer(self, i), outer(peer, i), underlay, UNDERLAY_IF, 1500);
            tunnelAdjacency[i] = adjacencies.addTunnel(t);
            fib4.add(outer(self, i), 32, loadBalances.create(adjacencies.addLocal4(UNDERLAY_IF, outer(self, i))));
        }
        int toPeer = loadBalances.create(tunnelAdjacency);
        fib4.add(addr(10, peer, 0, 0), 16, toPeer);
        fib6.add(pod6Hi(peer), 0, 64, toPeer);
        podAdjacency = adjacencies.addRewrite4(POD_IF, pod(self), bytes(podIfMac(self)), bytes(podMac(self)));
        fib4.add(pod(self), 32, loadBalances.create(podAdjacency));
        podAdjacency6 = adjacencies.addRewrite6(POD_IF, pod6Hi(self), 7, bytes(podIfMac(self)), bytes(podMac(self)));
        fib6.add(pod6Hi(self), 7, 128, loadBalances.create(podAdjacency6));

        ForwardingTables tables = ForwardingTables.capture(fib4, fib6, loadBalances, adjacencies);
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        ForwardingGraph.Tables t = new ForwardingGraph.Tables(interfaces, () -> tables, neighbours, ProxySet.EMPTY,
                new ArpRequester(neighbours, ArpRequester.INTERVAL_DEFAULT), bi -> punted.add(bi), 1000, 100);
        Graph.Builder b = Graph.builder().add(tx);
        TunnelTable.Snapshot snapshot = tunnels.snapshot();
        if (withTunnels) {
            ForwardingGraph.wireWithTunnels(b, t, () -> snapshot, TX);
        } else {
            ForwardingGraph.wire(b, t, TX);
        }
        runtime = new GraphRuntime(b.build(), mem, cache, 0);
    }

    static int addr(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** Node {@code n}'s outer address of tunnel {@code i}. */
    static int outer(int n, int i) {
        return addr(10, 0, n, i + 1);
    }

    static int pod(int n) {
        return addr(10, n, 0, 7);
    }

    /** High 64 bits of node {@code n}'s pod prefix fd0n::/64. */
    static long pod6Hi(int n) {
        return 0xfd00_0000_0000_0000L | (long) n << 48;
    }

    static long underlayMac(int n) {
        return 0x02_00_00_00_00_00L | n;
    }

    static long podIfMac(int n) {
        return 0x02_00_00_00_00_10L | (long) n << 8;
    }

    static long podMac(int n) {
        return 0x02_00_00_00_00_99L | (long) n << 8;
    }

    static byte[] bytes(long mac) {
        return new MacAddress(mac).octets();
    }

    /** Injects {@code packet} into {@code stage} as received on {@code rxInterface}; runs the graph. */
    int send(String stage, byte[] packet, int rxInterface) {
        int bi = packet.length > 1792 ? cache.allocLarge() : cache.allocSmall();
        mem.write(bi, packet);
        mem.rxInterface(bi, rxInterface);
        runtime.inject(stage, bi);
        runtime.dispatch();
        return bi;
    }

    /** A packet already in a buffer (e.g. with GSO metadata set), injected and run. */
    void send(String stage, int bi) {
        runtime.inject(stage, bi);
        runtime.dispatch();
    }

    List<Integer> sent() {
        return tx.packets();
    }

    List<byte[]> sentBytes() {
        List<byte[]> out = new ArrayList<>();
        for (int bi : tx.packets()) {
            out.add(mem.read(bi));
        }
        return out;
    }

    long errors(String stage, String reason) {
        return RuntimeReport.errorCount(List.of(runtime), stage, reason);
    }

    @Override
    public void close() {
        try {
            for (int bi : tx.packets()) {
                cache.free(bi);
            }
            for (int bi : punted) {
                cache.free(bi);
            }
            cache.close();
            assertEquals(0, mem.inUse(), "buffers leaked by the graph");
        } finally {
            mem.close();
        }
    }
}
