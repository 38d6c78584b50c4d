package dev.cipherlane.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh, empty network namespace {@code clpod-<random>} standing in for a pod's sandbox,
 * and {@code ip} to look into it. {@link #close()} deletes it, and with it any tap left
 * inside (a namespace's taps are destroyed with it once no descriptor holds them), so
 * tests call it from @AfterEach after closing their queues. Checks use {@code ip}: it is
 * the independent view, never part of the code under test.
 */
public final class PodNamespace implements AutoCloseable {
    public final String name;

    private PodNamespace(String name) {
        this.name = name;
    }

    public static PodNamespace create() throws IOException, InterruptedException {
        String name = "clpod-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", name);
        return new PodNamespace(name);
    }

    /** {@code ip -n <ns> args...}; throws with the output if it fails. */
    public String ip(String... args) throws IOException, InterruptedException {
        return run(command(args));
    }

    /** The exit code of {@code ip -n <ns> args...}. */
    public int ipStatus(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    /** {@code ip -n <ns> -j args...}, parsed. */
    public List<Map<String, Object>> json(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("-j"));
        cmd.addAll(List.of(args));
        return IpJsonStrict.objects(ip(cmd.toArray(String[]::new)));
    }

    /** {@code ip netns exec <ns> cmd...}. */
    public String exec(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(cmd));
        return run(c.toArray(String[]::new));
    }

    public boolean hasLink(String ifname) throws IOException, InterruptedException {
        return ipStatus("link", "show", "dev", ifname) == 0;
    }

    private String[] command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    public static boolean isRoot() {
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

    public static String run(String... cmd) throws IOException, InterruptedException {
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
        if (Files.exists(Path.of("/run/netns", name))) {
            try {
                run("ip", "netns", "del", name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted deleting namespace " + name, e);
            }
        }
    }
}
