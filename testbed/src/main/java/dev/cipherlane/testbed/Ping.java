package dev.cipherlane.testbed;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ping} from inside a namespace, its summary line read back. */
public final class Ping {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private Ping() {}

    /** How many echo requests went out and how many replies came back; {@code output} is ping's own. */
    public record Result(int transmitted, int received, String output) {
        /** Every request answered. */
        public boolean allAnswered() {
            return transmitted > 0 && received == transmitted;
        }

        @Override
        public String toString() {
            return received + " of " + transmitted + " answered";
        }
    }

    /** {@code count} echo requests 0.2 s apart from {@code netns} to {@code address} (IPv4 or IPv6). */
    public static Result run(String netns, String address, int count) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(Duration.ofSeconds(30L + count), Commands.inNamespace(netns,
                List.of("ping", "-n", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", address)));
        Matcher m = SUMMARY.matcher(r.output());
        if (!m.find()) {
            throw new IOException("no summary from ping: " + r);
        }
        return new Result(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), r.output());
    }

    /**
     * Pings until one reply comes back, at most {@code attempts} times: the first packets
     * toward a new neighbour may wait for ARP or ND, and a new tunnel for its own resolution.
     */
    public static Result firstReply(String netns, String address, int attempts)
            throws IOException, InterruptedException {
        Result last = null;
        for (int i = 0; i < attempts; i++) {
            last = run(netns, address, 1);
            if (last.received() > 0) {
                return last;
            }
        }
        return last;
    }
}
