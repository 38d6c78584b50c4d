package dev.cipherlane.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the tools a lab is built and checked with ({@code ip}, {@code ethtool}, {@code ping},
 * {@code iperf3}) with a time limit, so a hung tool fails the lab instead of hanging it.
 */
public final class Commands {
    /** Long enough for {@code ip netns add} on a loaded machine, short enough to notice a hang. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(30);

    private Commands() {}

    /** A command's exit status and its output, stdout and stderr together. */
    public record Result(List<String> command, int exit, String output, boolean timedOut) {
        public Result {
            command = List.copyOf(command);
        }

        public boolean ok() {
            return !timedOut && exit == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + (timedOut ? " (timed out)" : " exited " + exit)
                    + (output.isBlank() ? "" : ":\n" + output.strip());
        }
    }

    /** Runs {@code command} to its end or {@code limit}, whichever comes first. */
    public static Result run(Duration limit, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read while it runs: a tool that fills the pipe would otherwise block forever.
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.complete("(output unreadable: " + e + ")");
            }
        });
        boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String text;
        try {
            text = output.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            text = "(output not collected: " + e + ")";
        }
        return new Result(command, done ? p.exitValue() : -1, text, !done);
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(DEFAULT_LIMIT, List.of(command));
    }

    /** Runs {@code command} and returns its output; a failure is an exception carrying that output. */
    public static String check(String... command) throws IOException, InterruptedException {
        return check(run(DEFAULT_LIMIT, List.of(command)));
    }

    public static String check(Result r) throws IOException {
        if (!r.ok()) {
            throw new IOException(r.toString());
        }
        return r.output();
    }

    /** {@code command} run inside network namespace {@code netns} by {@code ip netns exec}, which execs it. */
    public static List<String> inNamespace(String netns, List<String> command) {
        List<String> full = new ArrayList<>(command.size() + 4);
        full.addAll(List.of("ip", "netns", "exec", netns));
        full.addAll(command);
        return full;
    }

    /** Runs {@code command} in {@code netns} and returns its output; a failure is an exception. */
    public static String checkIn(String netns, String... command) throws IOException, InterruptedException {
        return check(run(DEFAULT_LIMIT, inNamespace(netns, List.of(command))));
    }
}
