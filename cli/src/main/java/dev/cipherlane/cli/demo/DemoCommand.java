package dev.cipherlane.cli.demo;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.testbed.Lab;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The local demo. By default two nodes with two pods each in network namespaces, real node
 * processes, encrypted traffic across the nodes (ESP on every tunnel) and a report
 * ({@link TwoNodeDemo}); it needs root. With
 * {@code --graph-only} the forwarding graph runs in this process on generated traffic
 * ({@link GraphDemo}), without root.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run two nodes with two pods each in network namespaces, send checked traffic "
                + "between pods across the nodes in ESP-protected tunnels, report and tear down (needs root).",
            "With --graph-only: push generated traffic through the forwarding graph in this process."})
public final class DemoCommand implements Callable<Integer> {
    /** Exit status when the two-node demo is not run as root: nothing was attempted. */
    public static final int NEEDS_ROOT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--graph-only", description = "Only the in-process forwarding graph demo; no root needed.")
    boolean graphOnly;

    @Option(names = "--seconds", description = "How long traffic runs (1..600, default ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int seconds;

    @Option(names = "--warm-up", description = "Unmeasured traffic before the measured streams, in seconds"
            + " (0..600, default ${DEFAULT-VALUE}): fresh JVMs run the stages interpreted at first.",
            defaultValue = "10")
    int warmUp;

    @Option(names = "--trace", description = "With --graph-only: packets to trace (0..50, default ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int trace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (seconds < 1 || seconds > 600 || warmUp < 0 || warmUp > 600 || trace < 0 || trace > 50) {
            err.println("cipherlane demo: --seconds must be in 1..600, --warm-up in 0..600 and --trace in 0..50");
            return ExitStatus.FAILURE;
        }
        if (graphOnly) {
            return GraphDemo.run(out, seconds, trace);
        }
        if (!Lab.runningAsRoot()) {
            err.println("cipherlane demo: needs root: it creates network namespaces, taps and packet sockets."
                    + " Run it as root, or run 'cipherlane demo --graph-only', which needs none of that.");
            return NEEDS_ROOT;
        }
        return TwoNodeDemo.run(out, seconds, warmUp);
    }
}
