package dev.cipherlane.cli.pods;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.InterfaceState;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Launcher;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Two pods on one node for the pod tests: a one-node {@link Lab} without an uplink, whose
 * node is a real {@code cipherlane run --config node.conf} process on this JVM's class path
 * ({@link Launcher#thisJvm()}) that puts a persistent tap into each pod's namespace and
 * forwards between them. What this adds to the lab is the pod tests' vocabulary: the node's
 * buffer count, tools run inside a pod, the pod's interface. {@link #close()} tears
 * everything down even after a failed test (see {@link Lab#close()}): tools and node are
 * killed, sockets closed, namespaces deleted, and with them the pods' persistent taps.
 */
final class PodTestbed implements AutoCloseable {
    static final String FAMILY = "clp";
    static final String POD_INTERFACE = LabNode.POD_INTERFACE;
    static final String GATEWAY4 = "169.254.1.1";
    static final String GATEWAY6 = "fe80::1";
    static final String GATEWAY_MAC = "02:fe:00:00:00:01";

    final LabPod a;
    final LabPod b;
    private final Lab lab;
    private final LabNode node;

    private PodTestbed(Lab lab) {
        this.lab = lab;
        this.node = lab.node(1);
        this.a = node.pod(1);
        this.b = node.pod(2);
    }

    /**
     * Makes both pods' namespaces and writes node.conf for {@code workers} workers and
     * {@code queues} tap queues per pod, in {@code dir}. Nothing runs yet; {@link #start()}
     * starts the node.
     */
    static PodTestbed create(Path dir, int workers, int queues) throws Exception {
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withNodes(1).withPodsPerNode(2)
                .withWorkers(workers, queues);
        return new PodTestbed(Lab.create(spec, dir, Launcher.thisJvm()));
    }

    static PodTestbed create(Path dir) throws Exception {
        return create(dir, 1, 1);
    }

    /** The pods' MTU (pod-network.mtu). */
    int mtu() {
        return lab.spec().podMtu();
    }

    List<LabPod> pods() {
        return List.of(a, b);
    }

    /** Where the config, the node's logs and the tools' output go. */
    Path directory() {
        return lab.directory();
    }

    /** Name of a pod's tap input stage for one queue, as io-tap's TapInput names it. */
    static String tapInput(LabPod pod, int queue) {
        return "tap-input-" + pod.name() + "-q" + queue;
    }

    /**
     * Starts the node service as its own process, exactly as an operator would, and waits
     * until it serves both pods ({@link LabNode#awaitReady}).
     */
    void start() throws Exception {
        node.startAndAwait();
    }

    /** SIGKILL, as the OOM killer or a node crash would do it; waits until the process is gone. */
    void kill() throws IOException, InterruptedException {
        node.kill();
    }

    /** One admin request to the running node. */
    String admin(String request) throws IOException {
        return node.admin(request);
    }

    /** The "buffers in use" figure of {@code show interfaces}: packet buffers not back in their pool. */
    long buffersInUse() throws IOException {
        String interfaces = admin("show interfaces");
        return interfaces.lines().filter(l -> l.startsWith("buffers in use: ")).findFirst()
                .map(l -> Long.parseLong(l.substring("buffers in use: ".length()).split(",")[0].strip()))
                .orElseThrow(() -> new AssertionError("no buffer count in show interfaces:\n" + interfaces));
    }

    /**
     * Every buffer is accounted for (DESIGN.md): once traffic has stopped, every packet
     * buffer goes back to its pool. Pods' own chatter (router solicitations) may hold one
     * for a moment, hence the wait.
     */
    void awaitNoBuffersInUse() throws Exception {
        waitUntil("every packet buffer back in its pool after the traffic", Duration.ofSeconds(10),
                () -> buffersInUse() == 0);
    }

    /** The node's output from every start so far, for failure messages. */
    String nodeLog() {
        return node.log();
    }

    /** Lines of the node's logs that report an error or an exception; empty for a healthy node. */
    List<String> nodeErrors() {
        return node.logErrors();
    }

    /** Everything an operator would look at when a test fails: the node's log, views and kernel state. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder(lab.diagnostics());
        for (LabPod p : pods()) {
            sb.append("--- ").append(p.name()).append(": kernel state ---\n")
                    .append(Namespace.describe(p.netns()));
        }
        return sb.toString();
    }

    /** Runs a command inside {@code pod}'s namespace ({@code ip netns exec}) and waits for it. */
    Commands.Result runIn(LabPod pod, Duration limit, String... command) throws IOException, InterruptedException {
        return Commands.run(limit, Commands.inNamespace(pod.netns(), List.of(command)));
    }

    /** The pod's interface, or empty if there is none. */
    Optional<InterfaceState> link(LabPod pod) throws IOException {
        return Optional.ofNullable(InterfaceState.of(pod.netns(), POD_INTERFACE));
    }

    /**
     * A checked stream from {@code from}'s namespace to {@code to}'s address {@code toAddress}
     * ({@link CheckedStream#between}); nothing is sent until it is started.
     */
    static CheckedStream stream(String name, LabPod from, LabPod to, InetAddress toAddress, int port, long bytes,
            long bytesPerSecond, Duration stallLimit) throws Exception {
        return CheckedStream.between(name, from.netns(), to.netns(), new InetSocketAddress(toAddress, port), bytes,
                bytesPerSecond, stallLimit);
    }

    /** Closed by {@link #close()} before the namespaces go, whatever the test did. */
    <T extends AutoCloseable> T closeLater(T resource) {
        return lab.closeLater(resource);
    }

    /**
     * Polls {@code condition} until it holds. Not a timing assertion: the limit only keeps a
     * broken node from hanging the build, and it is far above what a working one needs.
     */
    void waitUntil(String what, Duration limit, Poll.Condition condition) throws Exception {
        Poll.until(what, limit, condition, this::diagnostics);
    }

    /** Tears the lab down ({@link Lab#close()}); safe to call twice. */
    @Override
    public void close() {
        lab.close();
    }
}
