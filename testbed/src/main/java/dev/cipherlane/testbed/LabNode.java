package dev.cipherlane.testbed;

import dev.cipherlane.linux.UnixRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link Lab}: its namespace, its wire, its pods, its config file, and the
 * {@code cipherlane run} process serving them, which this class starts, stops, kills and
 * asks through the admin socket. Each start logs to its own pair of files
 * ({@code node-<n>.out}, {@code node-<n>.err}) in the node's directory, so a restart keeps
 * the earlier process's log.
 */
public final class LabNode {
    /** Name of the node's wire inside its namespace: the interface the node takes over. */
    public static final String WIRE = "wire0";
    /** The host tap the uplink takeover gives the kernel (reference.conf's uplink.host-tap). */
    public static final String HOST_TAP = "cl-host";
    /** Name of a pod's interface inside its namespace (reference.conf's pod-network.interface-name). */
    public static final String POD_INTERFACE = "eth0";
    /** JVM start, actor system, taps, uplink: slow on a busy 2-core machine. */
    public static final Duration START_LIMIT = Duration.ofSeconds(90);
    public static final Duration STOP_LIMIT = Duration.ofSeconds(30);
    private static final Duration ADMIN_LIMIT = Duration.ofSeconds(30);

    private final LabSpec spec;
    private final int number;
    private final String netns;
    private final List<LabPod> pods;
    private final Path dir;
    private final Path config;
    private final Path socket;
    private final Launcher launcher;
    private Process process;
    private int starts;

    LabNode(LabSpec spec, int number, String netns, List<LabPod> pods, Path dir, Launcher launcher) {
        this.spec = spec;
        this.number = number;
        this.netns = netns;
        this.pods = List.copyOf(pods);
        this.dir = dir;
        this.config = dir.resolve("node.conf");
        this.socket = dir.resolve("admin.sock");
        this.launcher = launcher;
    }

    /** Writes the node's config file and creates its state directory. */
    void writeConfig() throws IOException {
        Files.createDirectories(stateDirectory());
        Files.writeString(config, LabConfig.render(spec, number, WIRE, pods, stateDirectory(), socket,
                keyDirectory()));
    }

    public int number() {
        return number;
    }

    public String name() {
        return LabConfig.nodeName(number);
    }

    public String netns() {
        return netns;
    }

    public List<LabPod> pods() {
        return pods;
    }

    public LabPod pod(int p) {
        return pods.get(p - 1);
    }

    /** The node's own address: on its wire before the service starts, on the host tap while it runs. */
    public String underlay() {
        return AddressPlan.underlay(number);
    }

    /** Tunnel endpoints of this node in tunnel order (wire address first). */
    public List<String> tunnelAddresses() {
        return LabConfig.tunnelSources(spec, number);
    }

    public Path config() {
        return config;
    }

    public Path socket() {
        return socket;
    }

    /** The node's Prometheus endpoint, reachable from inside {@link #netns()} only. */
    public String metricsUrl() {
        return "http://" + LabConfig.METRICS_LISTEN + "/metrics";
    }

    public Path directory() {
        return dir;
    }

    /** The node's state directory (node.state-dir): its state file and ESP sequence reservations. */
    public Path stateDirectory() {
        return dir.resolve("state");
    }

    /** The node's ipsec.key-dir; {@link LabKeys} fills it when the lab has ESP on. */
    public Path keyDirectory() {
        return dir.resolve(LabKeys.DIRECTORY);
    }

    /** The node's key file of tunnel {@code tunnel} (from 0) to node {@code peer}. */
    public Path keyFile(int peer, int tunnel) {
        return LabKeys.file(keyDirectory(), LabConfig.nodeName(peer), tunnel);
    }

    /** Starts {@code cipherlane run --config node.conf} inside the node's namespace; does not wait. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name() + " is already running");
        }
        starts++;
        ProcessBuilder pb = new ProcessBuilder(launcher.command(netns, List.of("run", "--config", config.toString())))
                .redirectOutput(dir.resolve("node-" + starts + ".out").toFile())
                .redirectError(dir.resolve("node-" + starts + ".err").toFile());
        pb.environment().putAll(launcher.environment());
        process = pb.start();
    }

    /**
     * Waits until the node serves: its admin socket answers, {@code show interfaces} lists
     * every pod and each pod's interface is up with both addresses (and IPv6 duplicate
     * address detection is over, or the pod would drop IPv6 for it), and with an uplink the
     * host tap carries the node's address.
     */
    public void awaitReady(Duration limit) throws Exception {
        Process started = currentProcess();
        Poll.until(name() + "'s admin socket answers", limit, () -> {
            requireAlive(started);
            try {
                return UnixRequest.request(socket, "version", Duration.ofSeconds(5)).startsWith("cipherlane ");
            } catch (IOException notYet) {
                return false; // not listening yet, or the socket of a killed process
            }
        }, this::log);
        Poll.until(name() + "'s pods attached" + (spec.uplink() ? " and its uplink taken over" : ""), limit, () -> {
            requireAlive(started);
            String interfaces = admin("show interfaces");
            for (LabPod p : pods) {
                if (interfaces.lines().noneMatch(l -> l.startsWith(p.name() + " ")) || !podReady(p)) {
                    return false;
                }
            }
            return !spec.uplink() || hostTapReady();
        }, this::log);
    }

    /** Starts the node and waits until it serves. */
    public void startAndAwait() throws Exception {
        start();
        awaitReady(START_LIMIT);
    }

    /**
     * SIGTERM, as systemd stops a service, and waits for the exit.
     *
     * @return the exit status, or -1 if the node was not running
     */
    public int stop() throws IOException, InterruptedException {
        Process p = currentProcess();
        if (p == null) {
            return -1;
        }
        p.destroy();
        if (!p.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException(name() + " did not exit within " + STOP_LIMIT.toSeconds() + " s of SIGTERM\n" + log());
        }
        return p.exitValue();
    }

    /** SIGKILL, as the OOM killer or a crash ends it; waits until the process is gone. */
    public void kill() throws IOException, InterruptedException {
        Process p = currentProcess();
        if (p == null) {
            return;
        }
        // The launcher script may still be building, with Maven below it.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        if (!p.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException(name() + " survived SIGKILL for " + STOP_LIMIT.toSeconds() + " s");
        }
    }

    public boolean running() {
        Process p = currentProcess();
        return p != null && p.isAlive();
    }

    /** The process of the latest start, or null before the first. */
    public synchronized Process process() {
        return process;
    }

    private synchronized Process currentProcess() {
        return process;
    }

    /** One admin request ({@code show errors}, {@code show tunnels}...) and its answer. */
    public String admin(String request) throws IOException {
        return UnixRequest.request(socket, request, ADMIN_LIMIT);
    }

    /** What {@code cipherlane ctl} printed and how it exited. */
    public record CtlResult(int exit, String out, String err) {}

    /**
     * Runs {@code cipherlane ctl --socket <this node's socket> <words>} as an operator would, through
     * the lab's launcher (bin/cipherlane by default), inside the node's namespace.
     */
    public CtlResult ctl(String... words) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("ctl", "--socket", socket.toString()));
        args.addAll(List.of(words));
        ProcessBuilder pb = new ProcessBuilder(launcher.command(netns, args));
        pb.environment().putAll(launcher.environment());
        Process p = pb.start();
        p.getOutputStream().close();
        // Both pipes read while it runs: a full one would block it forever.
        CompletableFuture<String> out = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> out.complete(readAll(p.getInputStream())));
        String err = readAll(p.getErrorStream());
        if (!p.waitFor(CTL_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("cipherlane ctl " + String.join(" ", words) + " did not finish within " + CTL_LIMIT);
        }
        return new CtlResult(p.exitValue(), out.join(), err);
    }

    private static final Duration CTL_LIMIT = Duration.ofSeconds(60);

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The node's output from every start so far, for failure messages and the record. */
    public String log() {
        StringBuilder sb = new StringBuilder();
        int n;
        synchronized (this) {
            n = starts;
        }
        for (int i = 1; i <= n; i++) {
            for (String stream : List.of("out", "err")) {
                Path f = dir.resolve("node-" + i + "." + stream);
                try {
                    String text = Files.readString(f);
                    if (!text.isEmpty()) {
                        sb.append("--- ").append(name()).append(" start ").append(i).append(' ').append(stream)
                                .append(" ---\n").append(text);
                    }
                } catch (IOException e) {
                    sb.append("--- ").append(name()).append(": cannot read ").append(f).append(": ").append(e)
                            .append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Lines of the node's logs reporting an error or an exception; empty for a healthy node. */
    public List<String> logErrors() {
        return log().lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).toList();
    }

    /** What an operator would look at: the log and, if the node runs, its views. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder(log());
        if (running()) {
            for (String view : List.of("show interfaces", "show tunnels", "show runtime", "show errors")) {
                try {
                    sb.append("--- ").append(name()).append(": ").append(view).append(" ---\n").append(admin(view));
                } catch (IOException e) {
                    sb.append("--- ").append(name()).append(": ").append(view).append(": ").append(e).append('\n');
                }
            }
        } else {
            sb.append("--- ").append(name()).append(" is not running ---\n");
        }
        sb.append("--- ").append(name()).append(": kernel state ---\n").append(Namespace.describe(netns));
        return sb.toString();
    }

    private boolean podReady(LabPod pod) throws IOException {
        return InterfaceState.podAttached(pod.netns(), POD_INTERFACE, pod.ip4(), pod.ip6());
    }

    private boolean hostTapReady() throws IOException {
        InterfaceState s = InterfaceState.of(netns, HOST_TAP);
        return s != null && s.up()
                && s.addresses().contains(underlay() + "/" + AddressPlan.UNDERLAY_PREFIX_LENGTH);
    }

    private void requireAlive(Process p) throws IOException {
        if (p == null) {
            throw new IllegalStateException(name() + " was never started");
        }
        if (!p.isAlive()) {
            throw new IOException(name() + " exited with status " + p.exitValue() + "\n" + log());
        }
    }

    @Override
    public String toString() {
        return name() + " (" + netns + ", " + underlay() + ")";
    }
}
