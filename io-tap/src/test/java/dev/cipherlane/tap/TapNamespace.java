package dev.cipherlane.tap;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.TapQueues;
import dev.cipherlane.linux.TapSpec;
import dev.cipherlane.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh network namespace {@code cltap-<random>} holding one two-queue tap with a 12-byte
 * virtio-net header and checksum/TSO offloads, as a pod would see it: address
 * {@link #POD_IP}/24 and MAC {@link TestFrames#POD_MAC} on the tap, and a permanent
 * neighbour entry for the dataplane's side, {@link #NODE_IP} at {@link TestFrames#NODE_MAC},
 * so the kernel sends to us without ARP. The test process holds the queues.
 *
 * <p>{@link #close()} closes the queues (the tap is not persistent, so it goes with them)
 * and deletes the namespace; tests call it from @AfterEach so it happens even on failure.
 * Setup uses {@code ip}: it checks our code, it is not part of it.
 */
final class TapNamespace implements AutoCloseable {
    static final String POD_IP = "10.99.0.1";
    static final String NODE_IP = "10.99.0.2";

    final String name;
    final String tap;
    final TapQueues queues;
    final NetNamespace ns;

    private TapNamespace(String name, String tap, TapQueues queues, NetNamespace ns) {
        this.name = name;
        this.tap = tap;
        this.queues = queues;
        this.ns = ns;
    }

    static TapNamespace create() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String name = "cltap-" + suffix;
        String tap = "clt" + suffix;
        run("ip", "netns", "add", name);
        NetNamespace ns = null;
        TapQueues queues = null;
        try {
            ns = NetNamespace.named(name);
            // Opened inside: the tap is created in the namespace the opening thread is in.
            queues = ns.runIn(() -> TapQueues.open(new TapSpec(tap, 2, 12, TapSpec.DEFAULT_OFFLOADS, false)));
            TapNamespace t = new TapNamespace(name, tap, queues, ns);
            // IPv6 would add router solicitations and MLD reports to what the tap hands us.
            t.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            t.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            t.ip("link", "set", "lo", "up");
            t.ip("link", "set", tap, "address", new MacAddress(TestFrames.POD_MAC).toString());
            t.ip("address", "add", POD_IP + "/24", "dev", tap);
            t.ip("link", "set", tap, "up");
            t.ip("neigh", "replace", NODE_IP, "lladdr", new MacAddress(TestFrames.NODE_MAC).toString(), "dev", tap,
                    "nud", "permanent");
            return t;
        } catch (Exception | Error e) {
            if (queues != null) {
                queues.close();
            }
            if (ns != null) {
                ns.close();
            }
            run("ip", "netns", "del", name);
            throw e;
        }
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** {@code ip -n <ns> args...}. */
    String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** {@code ip netns exec <ns> cmd...}. */
    String exec(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(cmd));
        return run(c.toArray(String[]::new));
    }

    /** A counter of the tap as the namespace's kernel sees it, e.g. {@code rx_packets}. */
    long statistic(String counter) throws IOException, InterruptedException {
        return Long.parseLong(exec("cat", "/sys/class/net/" + tap + "/statistics/" + counter).trim());
    }


    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        LinuxException failure = null;
        try {
            queues.close();
        } catch (LinuxException e) {
            failure = e;
        }
        try {
            ns.close();
        } catch (LinuxException e) {
            failure = failure == null ? e : failure;
        }
        if (Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, name))) {
            try {
                run("ip", "netns", "del", name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted deleting namespace " + name, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
