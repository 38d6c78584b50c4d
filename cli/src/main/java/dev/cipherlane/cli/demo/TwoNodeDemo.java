package dev.cipherlane.cli.demo;

import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.ipsec.esp.EspDecrypt;
import dev.cipherlane.ipsec.esp.EspEncrypt;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Launcher;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cipherlane demo}: encrypted traffic between two nodes. Two nodes with two pods each,
 * every one a network namespace made by the {@link Lab}, each node a real {@code cipherlane
 * run} process that takes over its end of the wire between them and carries its pods'
 * traffic to the other node through four IPIP tunnels, each protected by ESP (AES-GCM-256)
 * with static keys the lab writes for it. Pods ping across the nodes and run byte-checked TCP
 * streams across them for a few seconds; then the report: what each stream delivered and how
 * fast, and what each node counted, its SAs and ESP drops included. The demo passes when
 * every ping is answered, every byte verified, and every node both sent and received through
 * its SAs without an integrity failure. Everything is torn down at the end, also on failure
 * or Ctrl-C.
 */
final class TwoNodeDemo {
    /** The demo's namespaces are named {@code cld<5 hex>-n1}, {@code cld<5 hex>-n1p1}... */
    static final String FAMILY = "cld";
    private static final int PINGS = 3;
    /** An upper bound on a timed stream's bytes, never reached in a few seconds. */
    private static final long STREAM_CAP = 1L << 40;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final int FIRST_PORT = 7800;
    /** Ports of the unmeasured streams before the measured ones. */
    private static final int WARMUP_PORT = 7810;

    private TwoNodeDemo() {}

    /** A stream to run: from one pod to another's address. */
    private record Flow(String name, LabPod from, LabPod to, InetAddress address) {}

    static int run(PrintWriter out, int seconds, int warmUpSeconds) throws Exception {
        // ESP in UDP, as a node is configured by default (reference.conf ipsec.udp-encapsulation).
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY)
                .withIpsec(LabIpsec.ON.withUdpEncapsulation(IpsecSettings.DEFAULTS.udpEncapsulation()));
        out.printf("cipherlane demo: 2 nodes, 2 pods each, %d IPIP tunnels between the nodes, each protected by %s%n",
                spec.tunnels(), spec.ipsec());
        out.flush();
        boolean ok = true;
        try (Lab lab = Lab.create(spec, null, Launcher.find())) {
            out.printf("namespaces %s-*, node logs and configs in %s%nstarting the nodes with %s ...%n",
                    lab.prefix(), lab.directory(), lab.launcher());
            out.flush();
            long startedAt = System.nanoTime();
            try {
                lab.start();
            } catch (Exception e) {
                lab.keepDirectory();
                out.printf("a node did not start: %s%nlogs kept in %s%n", e.getMessage(), lab.directory());
                return ExitStatus.FAILURE;
            }
            out.printf("nodes serving after %.1f s%n", (System.nanoTime() - startedAt) / 1e9);
            for (LabNode n : lab.nodes()) {
                out.printf("  %s: wire %s, tunnel sources %s, pods %s%n    static ESP keys in %s, one file per tunnel%n",
                        n.name(), n.underlay(), n.tunnelAddresses(), n.pods(), n.keyDirectory());
            }
            ok &= pings(out, lab);
            if (warmUpSeconds > 0) {
                ok &= warmUp(out, lab, warmUpSeconds);
            }
            ok &= streams(out, lab, seconds);
            ok &= report(out, lab);
            if (!ok) {
                lab.keepDirectory();
                out.printf("%nsomething failed: node logs and configs kept in %s%n", lab.directory());
            }
            out.printf("%ntearing down the lab%n");
            out.flush();
        }
        out.println(ok ? "demo passed: every ping answered, every byte verified, every node sent and received in ESP"
                : "demo FAILED");
        return ok ? ExitStatus.OK : ExitStatus.FAILURE;
    }

    /** Pings between pods on different nodes, IPv4 and IPv6. */
    private static boolean pings(PrintWriter out, Lab lab) throws IOException, InterruptedException {
        LabPod a = lab.node(1).pod(1);
        LabPod b = lab.node(2).pod(1);
        out.printf("%nping across the nodes%n");
        boolean ok = true;
        for (String[] p : new String[][] {{a.netns(), a.name(), b.ip4()}, {a.netns(), a.name(), b.ip6()},
                {b.netns(), b.name(), a.ip4()}, {b.netns(), b.name(), a.ip6()}}) {
            // The first packet toward a new neighbour may be spent on resolving it.
            Ping.firstReply(p[0], p[2], 5);
            Ping.Result r = Ping.run(p[0], p[2], PINGS);
            out.printf("  %-6s -> %-12s %s%n", p[1], p[2], r);
            ok &= r.allAnswered();
        }
        out.flush();
        return ok;
    }

    /**
     * The same four streams for {@code seconds} before the measured ones: freshly started
     * JVMs run the stages interpreted and carry a fraction of their later rate for the first
     * seconds (benchmarks/README.md). Checked like the others, reported in one line.
     */
    private static boolean warmUp(PrintWriter out, Lab lab, int seconds) throws Exception {
        out.printf("%nwarm-up: the same streams for %d s, not in the table below (fresh JVMs run the stages"
                + " interpreted at first)%n", seconds);
        return run(out, lab, seconds, WARMUP_PORT, false);
    }

    /** Four timed streams at once, one per pod, each to a pod on the other node, over both families. */
    private static boolean streams(PrintWriter out, Lab lab, int seconds) throws Exception {
        out.printf("%nbyte-checked TCP across the nodes, 4 streams at once for %d s%n", seconds);
        return run(out, lab, seconds, FIRST_PORT, true);
    }

    /**
     * Runs the streams ({@link #start}) to the end and reports them: a row per stream and a
     * total with {@code table}, else one line (and any stream that was not intact).
     */
    private static boolean run(PrintWriter out, Lab lab, int seconds, int firstPort, boolean table)
            throws Exception {
        out.flush();
        List<CheckedStream> streams = start(lab, seconds, firstPort);
        boolean ok = true;
        long bytes = 0;
        long longest = 0;
        if (table) {
            out.printf("  %-20s %14s %9s %14s  %s%n", "stream", "bytes verified", "Gbit/s", "longest stall", "result");
        }
        for (CheckedStream s : streams) {
            CheckedStream.Result r = s.await(Duration.ofSeconds(seconds + 60L));
            ok &= r.intact();
            bytes += r.received();
            longest = Math.max(longest, r.elapsedNanos());
            if (table) {
                out.printf(Locale.ROOT, "  %-20s %,14d %9.2f %11d ms  %s%n", s.name(), r.received(),
                        r.gbitPerSecond(), r.longestStall().toMillis(), r.intact() ? "intact" : r.toString());
            } else if (!r.intact()) {
                out.printf("  %-20s %s%n", s.name(), r);
            }
        }
        double gbit = longest == 0 ? 0 : bytes * 8.0 / longest;
        if (table) {
            out.printf(Locale.ROOT, "  %-20s %,14d %9.2f%n", "total", bytes, gbit);
        } else {
            out.printf(Locale.ROOT, "  %,d bytes verified, %.2f Gbit/s, %s%n", bytes, gbit,
                    ok ? "all intact" : "NOT intact");
        }
        out.flush();
        return ok;
    }

    /** Starts one stream per pod to a pod on the other node, over both families, on ports from {@code firstPort}. */
    private static List<CheckedStream> start(Lab lab, int seconds, int firstPort) throws Exception {
        LabPod a1 = lab.node(1).pod(1);
        LabPod a2 = lab.node(1).pod(2);
        LabPod b1 = lab.node(2).pod(1);
        LabPod b2 = lab.node(2).pod(2);
        List<Flow> flows = List.of(
                new Flow(a1.name() + " -> " + b1.name() + " v4", a1, b1, b1.address4()),
                new Flow(b2.name() + " -> " + a2.name() + " v4", b2, a2, a2.address4()),
                new Flow(a2.name() + " -> " + b2.name() + " v6", a2, b2, b2.address6()),
                new Flow(b1.name() + " -> " + a1.name() + " v6", b1, a1, a1.address6()));
        List<CheckedStream> streams = new ArrayList<>();
        for (int i = 0; i < flows.size(); i++) {
            Flow f = flows.get(i);
            streams.add(lab.closeLater(CheckedStream.between(f.name(), f.from(), f.to(), f.address(),
                    firstPort + i, STREAM_CAP, 0, STALL_LIMIT)).sendFor(Duration.ofSeconds(seconds)));
        }
        streams.forEach(CheckedStream::start);
        return streams;
    }

    /**
     * Per node: packets per stage family, the non-zero error counters, ESP drops, the tunnels
     * and the SAs. Returns whether every node sent and received through its SAs with no
     * packet failing its integrity check.
     */
    private static boolean report(PrintWriter out, Lab lab) {
        boolean ok = true;
        for (LabNode n : lab.nodes()) {
            out.printf("%n%s%n", n.name());
            try {
                out.printf("  packets per stage (show runtime, summed per stage family)%n");
                for (Map.Entry<String, NodeViews.StageRow> e
                        : NodeViews.runtimeByFamily(n.admin("show runtime")).entrySet()) {
                    out.printf(Locale.ROOT, "    %-22s %,14d%n", e.getKey(), e.getValue().packets());
                }
                String showErrors = n.admin("show errors");
                Map<String, Long> errors = NodeViews.errors(showErrors);
                out.printf("  show errors, non-zero%n");
                errors.forEach((what, count) -> out.printf(Locale.ROOT, "    %,14d  %s%n", count, what));
                Map<String, Long> esp = new LinkedHashMap<>();
                errors.forEach((what, count) -> {
                    if (what.startsWith(EspEncrypt.NAME + ": ") || what.startsWith(EspDecrypt.NAME + ": ")) {
                        esp.put(what, count);
                    }
                });
                out.printf("  esp drops: %s%n", esp.isEmpty() ? "none" : esp);
                out.printf("  show tunnels%n");
                n.admin("show tunnels").lines().forEach(l -> out.printf("    %s%n", l));
                String showSa = n.admin("show sa");
                out.printf("  show sa%n");
                showSa.lines().forEach(l -> out.printf("    %s%n", l));
                ok &= saCarriedTraffic(out, n, NodeViews.sas(showSa), showErrors);
            } catch (IOException e) {
                out.printf("  no answer from %s: %s%n", n.name(), e.getMessage());
                ok = false;
            }
        }
        out.flush();
        return ok;
    }

    private static boolean saCarriedTraffic(PrintWriter out, LabNode n, List<NodeViews.SaRow> sas,
                                            String showErrors) {
        long sent = sas.stream().filter(NodeViews.SaRow::outbound).mapToLong(NodeViews.SaRow::packets).sum();
        long received = sas.stream().filter(r -> !r.outbound()).mapToLong(NodeViews.SaRow::packets).sum();
        long integrity = NodeViews.error(showErrors, EspDecrypt.NAME, SaDrop.INTEGRITY.reason());
        out.printf(Locale.ROOT, "  ESP: %,d packets sent and %,d received through %d SAs, %d integrity failures%n",
                sent, received, sas.size(), integrity);
        return sent > 0 && received > 0 && integrity == 0;
    }
}
