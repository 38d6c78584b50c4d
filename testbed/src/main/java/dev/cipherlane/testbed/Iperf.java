package dev.cipherlane.testbed;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * iperf3 between two namespaces of a lab: a one-shot server ({@code -s -1}) in the receiving
 * namespace, the client with {@code -J} in the sending one, its JSON report read back. With
 * {@code -P n} the client runs n TCP flows at once; the figures are their sum.
 */
public final class Iperf {
    private Iperf() {}

    /** What the client reported; {@code error} is iperf3's own message, or null. */
    public record Report(int flows, long bytesSent, long bytesReceived, double receivedBitsPerSecond,
                         long retransmits, String error) {
        public double gbitPerSecond() {
            return receivedBitsPerSecond / 1e9;
        }

        @Override
        public String toString() {
            return error != null ? "iperf3 error: " + error : String.format(Locale.ROOT,
                    "%d flow(s): %d bytes sent, %d received, %.2f Gbit/s, %d retransmits",
                    flows, bytesSent, bytesReceived, gbitPerSecond(), retransmits);
        }
    }

    /**
     * Runs {@code flows} TCP flows for {@code seconds} from {@code clientNetns} to
     * {@code address}, served in {@code serverNetns}; the server's output goes to the lab's
     * directory.
     */
    public static Report run(Lab lab, String clientNetns, String serverNetns, String address, int port, int seconds,
                             int flows) throws Exception {
        return run(lab.directory(), clientNetns, serverNetns, address, port, seconds, flows);
    }

    /**
     * As {@link #run(Lab, String, String, String, int, int, int)}, the server's output in
     * {@code iperf3-server-<port>.txt} under {@code logDirectory}. The server is killed
     * before this returns, whatever happened.
     */
    public static Report run(Path logDirectory, String clientNetns, String serverNetns, String address, int port,
                             int seconds, int flows) throws Exception {
        Path serverLog = logDirectory.resolve("iperf3-server-" + port + ".txt");
        Process server = new ProcessBuilder(Commands.inNamespace(serverNetns,
                List.of("iperf3", "-s", "-1", "-p", Integer.toString(port))))
                .redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        try {
            Poll.until("iperf3 listens on port " + port + " in " + serverNetns, Duration.ofSeconds(30), () -> {
                if (!server.isAlive()) {
                    throw new IOException("iperf3 server exited: " + Files.readString(serverLog));
                }
                return !Commands.run(Commands.DEFAULT_LIMIT, Commands.inNamespace(serverNetns,
                        List.of("ss", "-H", "-l", "-t", "-n", "sport = :" + port))).output().isBlank();
            }, () -> "");
            Commands.Result c = Commands.run(Duration.ofSeconds(seconds + 60L), Commands.inNamespace(clientNetns,
                    List.of("iperf3", "-c", address, "-p", Integer.toString(port), "-t", Integer.toString(seconds),
                            "-P", Integer.toString(flows), "-J")));
            if (c.timedOut()) {
                throw new IOException("iperf3 client did not finish: " + c);
            }
            return parse(flows, c.output());
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Reads iperf3's {@code -J} report: the received sum, and the sender's retransmissions. */
    static Report parse(int flows, String output) throws IOException {
        int start = output.indexOf('{');
        Config r;
        try {
            r = IpJson.object(output.substring(Math.max(0, start)));
        } catch (RuntimeException e) {
            throw new IOException("iperf3 client output is not its JSON report:\n" + output, e);
        }
        if (r.hasPath("error")) {
            return new Report(flows, 0, 0, 0, 0, r.getString("error"));
        }
        Config end = r.getConfig("end");
        return new Report(flows, end.getLong("sum_sent.bytes"), end.getLong("sum_received.bytes"),
                end.getDouble("sum_received.bits_per_second"),
                end.hasPath("sum_sent.retransmits") ? end.getLong("sum_sent.retransmits") : -1, null);
    }
}
