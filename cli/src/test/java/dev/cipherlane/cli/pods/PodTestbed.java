package dev.cipherlane.cli.pods;

import dev.cipherlane.cli.Main;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.UnixRequest;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.InterfaceState;
import dev.cipherlane.testbed.Namespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two pods on one node, the way DESIGN.md's testbed builds them: each pod is a testbed
 * {@link Namespace}, and the node service is a real
 * {@code cipherlane run --config node.conf} process that puts a persistent tap into each
 * pod's namespace and forwards between them. The testbed writes the config, starts, kills
 * and restarts the node, runs tools inside the pods, and {@link #close() tears everything
 * down} even after a failed test: tools and node are killed, sockets closed, namespaces
 * deleted, and with them the pods' persistent taps.
 */
final class PodTestbed implements AutoCloseable {
    static final String POD_INTERFACE = "eth0";
    static final int MTU = 1400;
    static final String GATEWAY4 = "169.254.1.1";
    static final String GATEWAY6 = "fe80::1";
    static final String GATEWAY_MAC = "02:fe:00:00:00:01";
    /** JVM start, actor system, attaching the pods: slow on a busy 2-core machine. */
    static final Duration START_LIMIT = Duration.ofSeconds(90);

    /** A pod: its name in the config, its namespace and its two addresses. */
    record Pod(String name, String netns, String ip4, String ip6) {
        InetAddress address4() {
            return InetAddress.ofLiteral(ip4);
        }

        InetAddress address6() {
            return InetAddress.ofLiteral(ip6);
        }
    }

    final Pod a;
    final Pod b;
    private final Path dir;
    private final Path socket;
    private final Path config;
    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<Process> tools = new ArrayList<>();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    /** Tears down on JVM exit too, should the test runner be stopped mid-test. */
    private final Thread shutdownHook = Thread.ofPlatform().unstarted(this::close);
    private Process node;
    private int starts;

    private PodTestbed(Path dir, Pod a, Pod b) {
        this.dir = dir;
        this.a = a;
        this.b = b;
        this.socket = dir.resolve("admin.sock");
        this.config = dir.resolve("node.conf");
    }

    /**
     * Makes both pods' namespaces and writes node.conf for {@code workers} workers and
     * {@code queues} tap queues per pod. Nothing runs yet; {@link #start()} starts the node.
     */
    static PodTestbed create(Path dir, int workers, int queues) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        PodTestbed t = new PodTestbed(dir,
                new Pod("pod-a", "clpa-" + id, "10.77.0.10", "fd77::10"),
                new Pod("pod-b", "clpb-" + id, "10.77.0.11", "fd77::11"));
        Runtime.getRuntime().addShutdownHook(t.shutdownHook);
        try {
            for (Pod p : List.of(t.a, t.b)) {
                Namespace ns = Namespace.create(p.netns());
                t.namespaces.add(ns);
                ns.linkUp("lo");
            }
            Files.createDirectories(dir.resolve("state"));
            Files.writeString(t.config, """
                    cipherlane {
                      node { name = "t1", state-dir = "%s" }
                      admin.socket = "%s"
                      dataplane { workers = %d, buffers { small = 16384, large = 1024 } }
                      pod-network { mtu = %d, queues = %d }
                      pods = [
                        { name = "%s", netns = "%s", addresses = ["%s", "%s"] }
                        { name = "%s", netns = "%s", addresses = ["%s", "%s"] }
                      ]
                    }
                    """.formatted(dir.resolve("state"), t.socket, workers, MTU, queues,
                    t.a.name(), t.a.netns(), t.a.ip4(), t.a.ip6(),
                    t.b.name(), t.b.netns(), t.b.ip4(), t.b.ip6()));
        } catch (Exception | AssertionError e) {
            t.close();
            throw e;
        }
        return t;
    }

    static PodTestbed create(Path dir) throws Exception {
        return create(dir, 1, 1);
    }

    List<Pod> pods() {
        return List.of(a, b);
    }

    /** Where the config, the node's logs and the tools' output go. */
    Path directory() {
        return dir;
    }

    /** Name of a pod's tap input stage for one queue, as io-tap's TapInput names it. */
    static String tapInput(Pod pod, int queue) {
        return "tap-input-" + pod.name() + "-q" + queue;
    }

    /**
     * Starts the node service as its own process, exactly as an operator would, and waits
     * until its admin socket answers and both pods are attached: listed by
     * {@code show interfaces}, and inside each pod the interface up with both addresses.
     */
    void start() throws Exception {
        if (node != null && node.isAlive()) {
            throw new IllegalStateException("the node is already running");
        }
        starts++;
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString());
        node = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("node-" + starts + ".out").toFile())
                .redirectError(dir.resolve("node-" + starts + ".err").toFile())
                .start();
        Process started = node;
        waitUntil("the admin socket answers", START_LIMIT, () -> {
            requireAlive(started);
            try {
                return UnixRequest.request(socket, "version", Duration.ofSeconds(5)).startsWith("cipherlane ");
            } catch (IOException notYet) {
                return false; // not listening yet, or a socket left by a killed node
            }
        });
        waitUntil("both pods are attached", START_LIMIT, () -> {
            String interfaces;
            try {
                interfaces = admin("show interfaces");
            } catch (IOException e) {
                requireAlive(started);
                throw new AssertionError("the node's admin socket stopped answering: " + e + "\n" + nodeLog(), e);
            }
            for (Pod p : pods()) {
                if (interfaces.lines().noneMatch(l -> l.startsWith(p.name() + " ")) || !podReady(p)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** SIGKILL, as the OOM killer or a node crash would do it; waits until the process is gone. */
    void kill() throws InterruptedException {
        if (node != null) {
            node.destroyForcibly();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the node process survived SIGKILL for 30 s");
            }
        }
    }

    boolean nodeAlive() {
        return node != null && node.isAlive();
    }

    /** One admin request to the running node. */
    String admin(String request) throws IOException {
        return UnixRequest.request(socket, request, Duration.ofSeconds(30));
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

    /** The node's stderr from every start so far, for failure messages. */
    String nodeLog() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            for (String stream : List.of("out", "err")) {
                Path f = dir.resolve("node-" + i + "." + stream);
                try {
                    String text = Files.readString(f);
                    if (!text.isEmpty()) {
                        sb.append("--- node start ").append(i).append(' ').append(stream).append(" ---\n").append(text);
                    }
                } catch (IOException e) {
                    sb.append("--- cannot read ").append(f).append(": ").append(e).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Lines of the node's logs that report an error or an exception; empty for a healthy node. */
    List<String> nodeErrors() {
        return nodeLog().lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).toList();
    }

    /**
     * Everything an operator would look at when a test fails: the node's log, its show
     * output, and the pods' interfaces, routes and neighbours.
     */
    String diagnostics() {
        StringBuilder sb = new StringBuilder(nodeLog());
        if (nodeAlive()) {
            for (String view : List.of("show interfaces", "show runtime", "show errors")) {
                try {
                    sb.append("--- ").append(view).append(" ---\n").append(admin(view));
                } catch (IOException e) {
                    sb.append("--- ").append(view).append(": ").append(e).append('\n');
                }
            }
        } else {
            sb.append("--- the node process is not running ---\n");
        }
        for (Pod p : pods()) {
            sb.append("--- ").append(p.name()).append(": kernel state ---\n").append(Namespace.describe(p.netns()));
        }
        return sb.toString();
    }

    /** Runs a command inside {@code pod}'s namespace ({@code ip netns exec}) and waits for it. */
    Commands.Result runIn(Pod pod, Duration limit, String... command) throws IOException, InterruptedException {
        return Commands.run(limit, Commands.inNamespace(pod.netns(), List.of(command)));
    }

    /**
     * Starts a command inside {@code pod}'s namespace and leaves it running; {@link #close()}
     * kills it if the test did not. Its output goes to {@code <logName>.txt}.
     */
    Process spawnIn(Pod pod, String logName, String... command) throws IOException {
        Process p = new ProcessBuilder(Commands.inNamespace(pod.netns(), List.of(command))).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName + ".txt").toFile()).start();
        tools.add(p);
        return p;
    }

    String log(String logName) throws IOException {
        return Files.readString(dir.resolve(logName + ".txt"));
    }

    /** The pod's interface, or empty if there is none. */
    Optional<InterfaceState> link(Pod pod) throws IOException {
        return Optional.ofNullable(InterfaceState.of(pod.netns(), POD_INTERFACE));
    }

    private boolean podReady(Pod pod) throws IOException {
        return InterfaceState.podAttached(pod.netns(), POD_INTERFACE, pod.ip4(), pod.ip6());
    }

    /**
     * A checked stream from {@code from}'s namespace to {@code to}'s address {@code toAddress}
     * ({@link CheckedStream#between}); nothing is sent until it is started.
     */
    static CheckedStream stream(String name, Pod from, Pod to, InetAddress toAddress, int port, long bytes,
            long bytesPerSecond, Duration stallLimit) throws Exception {
        return CheckedStream.between(name, from.netns(), to.netns(), new InetSocketAddress(toAddress, port), bytes,
                bytesPerSecond, stallLimit);
    }

    /** Closed by {@link #close()} before the namespaces go, whatever the test did. */
    <T extends AutoCloseable> T closeLater(T resource) {
        closeables.push(resource);
        return resource;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} until it holds. Not a timing assertion: the limit only keeps a
     * broken node from hanging the build, and it is far above what a working one needs.
     */
    void waitUntil(String what, Duration limit, Condition condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + "\n" + diagnostics());
            }
            Thread.sleep(100);
        }
    }

    private void requireAlive(Process p) {
        if (!p.isAlive()) {
            throw new AssertionError("the node process exited with status " + p.exitValue() + "\n" + nodeLog());
        }
    }

    /**
     * Closes what the test handed over, kills the tools and the node, and deletes the pods'
     * namespaces; safe to call twice. Deleting a namespace destroys the persistent taps
     * inside it once nothing holds the namespace any more: no process in it, no socket
     * made in it.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Running as the hook itself.
        }
        List<Throwable> problems = new ArrayList<>();
        try {
            while (!closeables.isEmpty()) {
                try {
                    closeables.pop().close();
                } catch (Exception e) {
                    problems.add(e);
                }
            }
            for (Process p : tools) {
                p.destroyForcibly();
            }
            for (Process p : tools) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    problems.add(new IllegalStateException("tool " + p.info().commandLine().orElse("?")
                            + " survived SIGKILL"));
                }
            }
            try {
                kill();
            } catch (AssertionError e) {
                problems.add(e);
            }
            for (Namespace ns : namespaces) {
                try {
                    ns.close();
                } catch (LinuxException e) {
                    problems.add(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add(e);
        }
        if (!problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException("pod testbed teardown: " + problems.size() + " problem(s)");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }
}
