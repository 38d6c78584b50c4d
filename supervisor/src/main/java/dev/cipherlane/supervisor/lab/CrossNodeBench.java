package dev.cipherlane.supervisor.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Cross-node pod-to-pod throughput, run by {@code benchmarks/cross-node.sh}: iperf3 from a
 * pod on node 1 to a pod on node 2, one TCP flow and then four ({@code -P 4}), first through
 * Cipherlane (two {@code cipherlane run} nodes, IPIP tunnels over a veth wire), then over the
 * same namespaces routed by the kernel ({@link KernelRouting}), and a table of both with
 * their ratio. Figures are printed for the record, never judged: the exit status only says
 * whether every run produced a figure.
 *
 * <p>Usage: {@code CrossNodeBench [seconds per run, default 10] [workers per node, default 1]}.
 */
public final class CrossNodeBench {
    static final String FAMILY = "clb";
    private static final int PORT = 5201;

    private CrossNodeBench() {}

    /** Both figures of one path: one flow, four flows. */
    private record PathFigures(Iperf.Report one, Iperf.Report four) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        PrintStream out = System.out;
        if (!Lab.runningAsRoot()) {
            System.err.println("cross-node: needs root (network namespaces, taps, packet sockets)");
            System.exit(2);
        }
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withPodsPerNode(1).withWorkers(workers, workers);
        out.printf("cross-node: pod n1p1 -> pod n2p1, iperf3 TCP, %d s per run, pod MTU %d, wire MTU %d,"
                + " %d worker(s) per node%n", seconds, spec.podMtu(), spec.uplinkMtu(), workers);

        PathFigures cipherlane;
        try (Lab lab = Lab.create(spec)) {
            out.printf("cross-node: Cipherlane, %d IPIP tunnels per peer, nodes started with %s%n", spec.tunnels(),
                    lab.launcher());
            lab.start();
            cipherlane = measure(out, lab, seconds);
            for (LabNode n : lab.nodes()) {
                out.printf("--- %s: show runtime%n%s--- %s: show tunnels%n%s", n.name(), n.admin("show runtime"),
                        n.name(), n.admin("show tunnels"));
            }
        }
        PathFigures kernel;
        try (Lab lab = Lab.create(spec.withUplink(false))) {
            out.println("cross-node: the kernel, pods on veths, nodes routing without tunnels");
            KernelRouting.plumb(lab);
            kernel = measure(out, lab, seconds);
        }

        out.printf("%n%-10s %12s %12s %10s%n", "flows", "Cipherlane", "kernel", "ratio");
        row(out, "1", cipherlane.one(), kernel.one());
        row(out, "4 (-P 4)", cipherlane.four(), kernel.four());
        out.printf("Gbit/s received; load average %s%n", loadAverage());
        boolean complete = complete(cipherlane.one()) && complete(cipherlane.four()) && complete(kernel.one())
                && complete(kernel.four());
        System.exit(complete ? 0 : 1);
    }

    private static PathFigures measure(PrintStream out, Lab lab, int seconds) throws Exception {
        LabPod a = lab.node(1).pod(1);
        LabPod b = lab.node(2).pod(1);
        // Resolve the neighbours on the way first, so the first second measures traffic, not ARP.
        Ping.firstReply(a.netns(), b.ip4(), 5);
        Iperf.Report one = Iperf.run(lab, a.netns(), b.netns(), b.ip4(), PORT, seconds, 1);
        out.println("cross-node:   1 flow:  " + one);
        Iperf.Report four = Iperf.run(lab, a.netns(), b.netns(), b.ip4(), PORT + 1, seconds, 4);
        out.println("cross-node:   4 flows: " + four);
        return new PathFigures(one, four);
    }

    private static void row(PrintStream out, String flows, Iperf.Report cipherlane, Iperf.Report kernel) {
        double c = complete(cipherlane) ? cipherlane.gbitPerSecond() : Double.NaN;
        double k = complete(kernel) ? kernel.gbitPerSecond() : Double.NaN;
        out.printf(Locale.ROOT, "%-10s %12.2f %12.2f %10.2f%n", flows, c, k, c / k);
    }

    private static boolean complete(Iperf.Report r) {
        return r.error() == null && r.bytesReceived() > 0;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
