package dev.cipherlane.cli.demo;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip4Prefix;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.Ip6Prefix;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.forwarding.ForwardingGraph;
import dev.cipherlane.stages.graph.BackoffIdle;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.supervisor.ExitStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code cipherlane demo --graph-only}: the built-in forwarding graph in this process, no
 * namespaces, no root. A pod-facing interface and an uplink, routes with ECMP, generated IPv4
 * and IPv6 traffic with a few ARP requests and malformed frames mixed in, on one worker
 * thread. The report is what an operator would look at: rates, per-interface transmit
 * counts, {@code show runtime}, {@code show errors} and a trace of a few packets.
 */
final class GraphDemo {
    static final int PODS = 0;
    static final int UPLINK = 1;
    static final long PODS_MAC = 0x020000000001L;
    static final long UPLINK_MAC = 0x020000000002L;
    static final long POD_MAC = 0x02000000100AL;
    static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(2);

    private GraphDemo() {}

    /** Runs {@code seconds} of traffic after the warm-up, tracing {@code trace} packets; returns the exit status. */
    static int run(PrintWriter out, int seconds, int trace) throws Exception {
        InterfaceTable interfaces = new InterfaceTable();
        interfaces.put(new NetInterface(PODS, "pods0", PODS_MAC, 1500,
                List.of(new NetInterface.Ip4Address(ip4("10.0.0.1"), 24)),
                List.of(new NetInterface.Ip6Address(ip6("fd00::1").hi(), ip6("fd00::1").lo(), 64))));
        interfaces.put(new NetInterface(UPLINK, "uplink0", UPLINK_MAC, 1500,
                List.of(new NetInterface.Ip4Address(ip4("192.0.2.1"), 24)),
                List.of(new NetInterface.Ip6Address(ip6("2001:db8::1").hi(), ip6("2001:db8::1").lo(), 64))));
        ForwardingTables tables = routes();
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        ArrayBlockingQueue<Integer> punted = new ArrayBlockingQueue<>(4096);
        ForwardingGraph.Tables t = new ForwardingGraph.Tables(interfaces, () -> tables, neighbours,
                ProxySet.EMPTY, new ArpRequester(neighbours, TimeUnit.SECONDS.toNanos(1)),
                punted::offer, 100, 10);

        DemoTraffic traffic = new DemoTraffic(new DemoTraffic.Params(cycle(), PODS));
        NullTx tx = new NullTx();
        Graph.Builder b = Graph.builder().add(traffic).add(tx);
        ForwardingGraph.wire(b, t, NullTx.NAME).connect(DemoTraffic.NAME, "ethernet-input", EthernetInput.NAME);
        Graph graph = b.build();

        try (PacketMemory mem = new PacketMemory(16384, 0)) {
            BufferCache control = mem.newCache();
            Worker worker = new Worker(graph, mem, 0, new BackoffIdle(BackoffIdle.SPINS_DEFAULT));
            worker.runtime().trace().arm(trace);
            out.printf("cipherlane demo: forwarding graph of %d stages, 1 worker, %d s of traffic%n",
                    graph.slots().size(), seconds);
            out.flush();
            worker.start();
            // The JIT needs a moment to compile the stages; rates count only the window after.
            long puntCount = run(WARM_UP_NANOS, punted, control);
            long sent0 = traffic.sent();
            long frames0 = tx.frames(PODS) + tx.frames(UPLINK);
            long bytes0 = tx.bytes(PODS) + tx.bytes(UPLINK);
            long start = System.nanoTime();
            puntCount += run(TimeUnit.SECONDS.toNanos(seconds), punted, control);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long sent = traffic.sent() - sent0;
            long txFrames = tx.frames(PODS) + tx.frames(UPLINK) - frames0;
            long txBytes = tx.bytes(PODS) + tx.bytes(UPLINK) - bytes0;
            worker.stop();
            puntCount += drain(punted, control);
            control.close();

            List<dev.cipherlane.stages.graph.GraphRuntime> workers = List.of(worker.runtime());
            out.printf("%nafter %d s of warm-up, over %.1f s:%n", WARM_UP_NANOS / 1_000_000_000L, elapsed);
            out.printf("frames in: %,d (%.2f Mpps)   frames out: %,d (%.2f Mpps, %.2f Gbit/s)   punted: %,d%n",
                    sent, sent / elapsed / 1e6, txFrames, txFrames / elapsed / 1e6, txBytes * 8 / elapsed / 1e9,
                    puntCount);
            out.printf("whole run, warm-up included:%n  uplink0: %,d frames, %,d bytes   pods0: %,d frames, %,d bytes%n",
                    tx.frames(UPLINK), tx.bytes(UPLINK), tx.frames(PODS), tx.bytes(PODS));
            out.printf("%nshow runtime%n%s", RuntimeReport.runtime(workers));
            out.printf("%nshow errors%n%s", RuntimeReport.errors(workers));
            out.printf("%nshow neighbours%n%s", neighbours.format(System.nanoTime(), interfaces));
            if (trace > 0) {
                out.printf("%nshow trace%n%s", worker.runtime().trace().format());
            }
            int leaked = mem.inUse();
            out.printf("buffers in use after the run: %d%n", leaked);
            return leaked == 0 ? ExitStatus.OK : ExitStatus.FAILURE;
        }
    }

    /** Lets traffic run for {@code nanos}, freeing punted packets as the control plane would. */
    private static long run(long nanos, ArrayBlockingQueue<Integer> punted, BufferCache control)
            throws InterruptedException {
        long end = System.nanoTime() + nanos;
        long n = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(50);
            n += drain(punted, control);
        }
        return n;
    }

    private static long drain(ArrayBlockingQueue<Integer> punted, BufferCache cache) {
        List<Integer> got = new ArrayList<>();
        punted.drainTo(got);
        for (int bi : got) {
            cache.free(bi);
        }
        return got.size();
    }

    /** 10.1.0.0/16 over two uplink neighbours (ECMP), 2001:db8:1::/48 over one, local and connected. */
    private static ForwardingTables routes() {
        AdjacencyTable adjs = new AdjacencyTable();
        LoadBalanceTable lbs = new LoadBalanceTable(adjs);
        Ip4Fib fib4 = new Ip4Fib(lbs);
        Ip6Fib fib6 = new Ip6Fib(lbs);
        byte[] uplinkMac = mac(UPLINK_MAC);
        int a = adjs.addRewrite4(UPLINK, ip4("192.0.2.11"), uplinkMac, mac(0x02000000010BL));
        int c = adjs.addRewrite4(UPLINK, ip4("192.0.2.12"), uplinkMac, mac(0x02000000010CL));
        route4(fib4, "10.1.0.0/16", lbs.create(a, c));
        Ip6Prefix gw6 = Prefixes.parse6("2001:db8::11");
        int v6 = adjs.addRewrite6(UPLINK, gw6.hi(), gw6.lo(), uplinkMac, mac(0x020000000111L));
        Ip6Prefix remote6 = Prefixes.parse6("2001:db8:1::/48");
        fib6.add(remote6.hi(), remote6.lo(), remote6.length(), lbs.create(v6));
        route4(fib4, "10.0.0.1/32", lbs.create(adjs.addLocal4(PODS, ip4("10.0.0.1"))));
        route4(fib4, "192.0.2.1/32", lbs.create(adjs.addLocal4(UPLINK, ip4("192.0.2.1"))));
        route4(fib4, "10.0.0.0/24", lbs.create(adjs.addGlean4(PODS)));
        route4(fib4, "192.0.2.0/24", lbs.create(adjs.addGlean4(UPLINK)));
        Ip6Prefix local6 = Prefixes.parse6("fd00::1");
        fib6.add(local6.hi(), local6.lo(), 128, lbs.create(adjs.addLocal6(PODS, local6.hi(), local6.lo())));
        return ForwardingTables.capture(fib4, fib6, lbs, adjs);
    }

    /**
     * 1024 frames from a pod: mostly 1400-byte UDP over IPv4 and IPv6 toward the remote
     * prefixes on many ports (so ECMP spreads them), plus one each of: an ARP request for
     * the gateway, a TTL 1 packet, a bad header checksum, an unrouted destination, and a
     * packet for the node itself.
     */
    private static List<byte[]> cycle() {
        int pod = ip4("10.0.0.10");
        Ip6Prefix pod6 = Prefixes.parse6("fd00::10");
        List<byte[]> frames = new ArrayList<>();
        frames.add(DemoPackets.arpRequest(POD_MAC, pod, ip4("10.0.0.1")));
        frames.add(DemoPackets.udp4(PODS_MAC, POD_MAC, pod, ip4("10.1.0.5"), 4000, 4001, 1, 1372));
        byte[] bad = DemoPackets.udp4(PODS_MAC, POD_MAC, pod, ip4("10.1.0.6"), 4000, 4001, 64, 1372);
        bad[24] ^= 0x55;
        frames.add(bad);
        frames.add(DemoPackets.udp4(PODS_MAC, POD_MAC, pod, ip4("198.51.100.7"), 4000, 4001, 64, 1372));
        frames.add(DemoPackets.udp4(PODS_MAC, POD_MAC, pod, ip4("10.0.0.1"), 4000, 4001, 64, 100));
        for (int i = frames.size(); i < 1024; i++) {
            if (i % 5 < 2) {
                Ip6Prefix dst = Prefixes.parse6("2001:db8:1::" + Integer.toHexString(1 + i % 200));
                frames.add(DemoPackets.udp6(PODS_MAC, POD_MAC, new long[] {pod6.hi(), pod6.lo()},
                        new long[] {dst.hi(), dst.lo()}, 1024 + i, 5201, 1352));
            } else {
                frames.add(DemoPackets.udp4(PODS_MAC, POD_MAC, pod, ip4("10.1." + (i % 250) + ".9"),
                        1024 + i, 5201, 64, 1372));
            }
        }
        return frames;
    }

    private static void route4(Ip4Fib fib, String prefix, int lb) {
        Ip4Prefix p = Prefixes.parse4(prefix);
        fib.add(p.address(), p.length(), lb);
    }

    private static int ip4(String a) {
        return Prefixes.parse4(a).address();
    }

    private static Ip6Prefix ip6(String a) {
        return Prefixes.parse6(a);
    }

    private static byte[] mac(long m) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (m >>> (8 * (5 - i)));
        }
        return b;
    }
}
