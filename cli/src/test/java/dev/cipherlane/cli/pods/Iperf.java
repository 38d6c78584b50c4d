package dev.cipherlane.cli.pods;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * iperf3 between two pods: a one-shot server ({@code -s -1}) in the receiving pod, the
 * client with {@code -J} in the sending pod, its JSON report read back.
 */
final class Iperf {
    private Iperf() {}

    /** What the client reported; {@code error} is iperf3's own message, or null. */
    record Report(long bytesSent, long bytesReceived, double receivedBitsPerSecond, long retransmits, String error) {
        @Override
        public String toString() {
            return error != null ? "iperf3 error: " + error : String.format(Locale.ROOT,
                    "%d bytes sent, %d received, %.2f Gbit/s, %d retransmits",
                    bytesSent, bytesReceived, receivedBitsPerSecond / 1e9, retransmits);
        }
    }

    /** Runs one TCP flow for {@code seconds} from {@code client} to {@code server}'s {@code address}. */
    static Report run(PodTestbed t, PodTestbed.Pod client, PodTestbed.Pod server, String address, int port,
                      int seconds) throws Exception {
        Process s = t.spawnIn(server, "iperf3-server-" + port, "iperf3", "-s", "-1", "-p", Integer.toString(port));
        try {
            t.waitUntil("iperf3 listens on port " + port + " in " + server.name(), Duration.ofSeconds(30), () -> {
                if (!s.isAlive()) {
                    throw new AssertionError("iperf3 server exited: " + t.log("iperf3-server-" + port));
                }
                return !t.runIn(server, Duration.ofSeconds(10), "ss", "-H", "-l", "-t", "-n", "sport = :" + port)
                        .output().isBlank();
            });
            PodTestbed.Run c = t.runIn(client, Duration.ofSeconds(seconds + 60L),
                    "iperf3", "-c", address, "-p", Integer.toString(port), "-t", Integer.toString(seconds), "-J");
            if (c.timedOut()) {
                throw new AssertionError("iperf3 client did not finish: " + c);
            }
            String json = c.output().substring(Math.max(0, c.output().indexOf('{')));
            Config r;
            try {
                r = PodTestbed.json(json).getConfig("v");
            } catch (RuntimeException e) {
                throw new AssertionError("iperf3 client output is not its JSON report: " + c, e);
            }
            if (r.hasPath("error")) {
                return new Report(0, 0, 0, 0, r.getString("error"));
            }
            Config end = r.getConfig("end");
            return new Report(end.getLong("sum_sent.bytes"), end.getLong("sum_received.bytes"),
                    end.getDouble("sum_received.bits_per_second"),
                    end.hasPath("sum_sent.retransmits") ? end.getLong("sum_sent.retransmits") : -1, null);
        } finally {
            s.destroyForcibly();
            s.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
