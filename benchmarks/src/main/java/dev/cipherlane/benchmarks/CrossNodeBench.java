package dev.cipherlane.benchmarks;

import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Iperf;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Ping;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-node pod-to-pod throughput, run by {@code benchmarks/cross-node.sh}: iperf3 from a
 * pod on node 1 to a pod on node 2, one TCP flow and then four ({@code -P 4}), over six
 * paths in the same kind of namespaces, one after the other:
 *
 * <ol>
 *   <li>the kernel routing plaintext, no tunnel ({@link KernelRouting});</li>
 *   <li>Cipherlane with plain IPIP tunnels (ESP off);</li>
 *   <li>Cipherlane with ESP (AES-GCM-256, static keys), IP protocol 50, on every tunnel;</li>
 *   <li>the same with ESP in UDP (RFC 3948), which the uplink sends as UDP GSO super-frames,
 *       with the default crypto engine ({@code ipsec.engine}, see {@code show sa});</li>
 *   <li>ESP in UDP with the JDK's AES-GCM, the engine as a dimension;</li>
 *   <li>wireguard-go between the node namespaces, the kernel routing pods into it
 *       ({@link WireGuardRouting}).</li>
 * </ol>
 *
 * Each path first carries {@value #WARMUP_SECONDS} s of unmeasured traffic (four flows), so
 * the JIT has compiled Cipherlane's stages before the measured runs. Then one table of all
 * of them, with each figure's ratio to the kernel's and what it cost: CPU seconds per
 * gigabyte received, of the whole machine (both nodes, both pods' kernels, iperf3) and of the
 * dataplane processes alone ({@link CpuMeter}). {@value #PATHS_VARIABLE} (e.g.
 * {@code kernel,esp-udp}) picks some of them. Figures are printed
 * for the record, never judged: the exit status only says whether every run produced one.
 *
 * <p>Usage: {@code CrossNodeBench [seconds per run, default 10] [workers per node, default 1]}.
 */
public final class CrossNodeBench {
    static final String FAMILY = "clb";
    private static final int PORT = 5201;
    /** Unmeasured traffic before each path's runs. */
    static final int WARMUP_SECONDS = 10;

    private CrossNodeBench() {}

    /** One path's figures: one flow, four flows, and the CPU each run spent per gigabyte. */
    private record PathFigures(String path, Iperf.Report one, CpuMeter.Spent oneCpu, Iperf.Report four,
            CpuMeter.Spent fourCpu) {}

    /** Environment variable naming the paths to run, comma-separated; all of them when unset. */
    static final String PATHS_VARIABLE = "CROSS_NODE_PATHS";
    /** Every path, in the order they run and are listed. */
    static final List<String> PATHS = List.of("kernel", "ipip", "esp", "esp-udp", "esp-udp-jdk", "wireguard");

    /** The paths {@code list} names ({@link #PATHS} when null or blank); an unknown name is refused. */
    static Set<String> paths(String list) {
        if (list == null || list.isBlank()) {
            return Set.copyOf(PATHS);
        }
        Set<String> chosen = new HashSet<>();
        for (String name : list.split(",")) {
            String path = name.strip();
            if (!PATHS.contains(path)) {
                throw new IllegalArgumentException(PATHS_VARIABLE + ": unknown path \"" + path + "\"; the paths are "
                        + String.join(", ", PATHS));
            }
            chosen.add(path);
        }
        return chosen;
    }

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
                + " %d worker(s) per node; load average %s%n", seconds, spec.podMtu(), spec.uplinkMtu(), workers,
                loadAverage());

        Set<String> chosen = paths(System.getenv(PATHS_VARIABLE));
        List<PathFigures> figures = new ArrayList<>();
        PathFigures kernel = null;
        if (chosen.contains("kernel")) {
            try (Lab lab = Lab.create(spec.withUplink(false))) {
                out.println("cross-node: the kernel, pods on veths, nodes routing plaintext without tunnels");
                KernelRouting.plumb(lab);
                kernel = measure(out, lab, "kernel, plaintext", seconds);
                figures.add(kernel);
            }
        }
        if (chosen.contains("ipip")) {
            figures.add(cipherlane(out, spec.withIpsec(LabIpsec.OFF), "Cipherlane IPIP", seconds));
        }
        if (chosen.contains("esp")) {
            figures.add(cipherlane(out, spec.withIpsec(LabIpsec.ON), "Cipherlane ESP", seconds));
        }
        if (chosen.contains("esp-udp")) {
            LabIpsec udp = LabIpsec.ON.withUdpEncapsulation(true);
            figures.add(cipherlane(out, spec.withIpsec(udp), "ESP-in-UDP, " + udp.engine(), seconds));
        }
        if (chosen.contains("esp-udp-jdk")) {
            figures.add(cipherlane(out, spec.withIpsec(LabIpsec.ON.withUdpEncapsulation(true).withEngine("jdk")),
                    "ESP-in-UDP, jdk", seconds));
        }
        if (chosen.contains("wireguard")) {
            try (Lab lab = Lab.create(spec.withUplink(false))) {
                out.println("cross-node: wireguard-go in each node namespace, the kernel routing pods into it");
                WireGuardRouting.plumb(lab);
                figures.add(measure(out, lab, "wireguard-go", seconds));
                for (LabNode n : lab.nodes()) {
                    out.printf("--- %s: wg show%n%s", n.name(),
                            Commands.checkIn(n.netns(), "wg", "show", WireGuardRouting.interfaceName(lab, n)));
                }
            }
        }

        out.printf("%n%-22s | %31s | %31s%n", "", "1 flow", "4 flows");
        out.printf("%-22s | %6s %5s %8s %8s | %6s %5s %8s %8s%n", "path", "Gbit/s", "ratio", "cpu s/GB", "dp s/GB",
                "Gbit/s", "ratio", "cpu s/GB", "dp s/GB");
        for (PathFigures p : figures) {
            out.printf(Locale.ROOT, "%-22s | %6.2f %5.2f %8.2f %8.2f | %6.2f %5.2f %8.2f %8.2f%n", p.path(),
                    gbit(p.one()), kernel == null ? Double.NaN : gbit(p.one()) / gbit(kernel.one()),
                    p.oneCpu().machine(), p.oneCpu().dataplane(),
                    gbit(p.four()), kernel == null ? Double.NaN : gbit(p.four()) / gbit(kernel.four()),
                    p.fourCpu().machine(), p.fourCpu().dataplane());
        }
        out.printf("Gbit/s received; ratio to the kernel's plaintext figure; cpu s/GB: CPU seconds of the whole"
                + " machine per 10^9 bytes received (both nodes, the pods' kernels, iperf3); dp s/GB: of the dataplane"
                + " processes alone (node JVMs, wireguard-go; none for the kernel); load average %s%n", loadAverage());
        boolean complete = figures.stream().allMatch(p -> complete(p.one()) && complete(p.four()));
        System.exit(complete ? 0 : 1);
    }

    /** The two-node Cipherlane lab of {@code spec}: started, measured, its views printed, torn down. */
    private static PathFigures cipherlane(PrintStream out, LabSpec spec, String path, int seconds) throws Exception {
        try (Lab lab = Lab.create(spec)) {
            out.printf("cross-node: %s, %d tunnels per peer, %s, nodes started with %s%n", path, spec.tunnels(),
                    spec.ipsec(), lab.launcher());
            lab.start();
            PathFigures figures = measure(out, lab, path, seconds);
            for (LabNode n : lab.nodes()) {
                out.printf("--- %s: show runtime%n%s--- %s: show tunnels%n%s", n.name(), n.admin("show runtime"),
                        n.name(), n.admin("show tunnels"));
                if (spec.ipsec().enabled()) {
                    out.printf("--- %s: show sa%n%s--- %s: show errors%n%s", n.name(), n.admin("show sa"), n.name(),
                            n.admin("show errors"));
                }
            }
            return figures;
        }
    }

    private static PathFigures measure(PrintStream out, Lab lab, String path, int seconds) throws Exception {
        LabPod a = lab.node(1).pod(1);
        LabPod b = lab.node(2).pod(1);
        // Resolve the neighbours on the way first (and let WireGuard shake hands), so the
        // first second measures traffic, not ARP.
        Ping.firstReply(a.netns(), b.ip4(), 5);
        // Every path gets the same unmeasured run first: Cipherlane's stages are Java and run
        // interpreted until the JIT has compiled them, which a 10 s measurement would mostly see.
        Iperf.Report warmup = Iperf.run(lab, a.netns(), b.netns(), b.ip4(), PORT + 2, WARMUP_SECONDS, 4);
        out.println("cross-node:   " + path + ", warm-up (not counted): " + warmup);
        CpuMeter.Sample before = CpuMeter.sample();
        Iperf.Report one = Iperf.run(lab, a.netns(), b.netns(), b.ip4(), PORT, seconds, 1);
        CpuMeter.Sample between = CpuMeter.sample();
        out.println("cross-node:   " + path + ", 1 flow:  " + one);
        Iperf.Report four = Iperf.run(lab, a.netns(), b.netns(), b.ip4(), PORT + 1, seconds, 4);
        CpuMeter.Sample after = CpuMeter.sample();
        out.println("cross-node:   " + path + ", 4 flows: " + four);
        return new PathFigures(path, one, between.since(before).perGigabyte(one.bytesReceived()), four,
                after.since(between).perGigabyte(four.bytesReceived()));
    }

    private static double gbit(Iperf.Report r) {
        return complete(r) ? r.gbitPerSecond() : Double.NaN;
    }

    private static boolean complete(Iperf.Report r) {
        return r.error() == null && r.bytesReceived() > 0;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
