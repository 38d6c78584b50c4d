package dev.cipherlane.testbed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a node's {@code show runtime}, {@code show errors}, {@code show tunnels} and
 * {@code show sa} tables back into numbers, so a report or a test can say which stages
 * packets went through, which counters moved, which tunnels and SAs carried traffic.
 */
public final class NodeViews {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private NodeViews() {}

    /**
     * A {@code show tunnels} row: the tunnel's index, its outer source and destination, and
     * what it sent and received.
     */
    public record TunnelRow(int index, String local, String remote, long txPackets, long txBytes, long rxPackets,
                            long rxBytes) {}

    /**
     * The rows of {@code show tunnels}: index first, the first two IPv4 addresses are the
     * local and remote ends, the last four numbers are tx packets, tx bytes, rx packets and
     * rx bytes. Other columns (the peer, the underlay's state) are skipped.
     */
    public static List<TunnelRow> tunnels(String showTunnels) {
        List<TunnelRow> rows = new ArrayList<>();
        for (String line : showTunnels.lines().map(String::strip).toList()) {
            String[] f = line.split("\\s+");
            if (f.length < 7 || !isNumber(f[0])) {
                continue;
            }
            List<String> addresses = new ArrayList<>();
            for (String field : f) {
                if (IPV4.matcher(field).matches()) {
                    addresses.add(field);
                }
            }
            int n = f.length;
            if (addresses.size() < 2 || !isNumber(f[n - 1]) || !isNumber(f[n - 2]) || !isNumber(f[n - 3])
                    || !isNumber(f[n - 4])) {
                continue;
            }
            rows.add(new TunnelRow(Integer.parseInt(f[0]), addresses.get(0), addresses.get(1),
                    Long.parseLong(f[n - 4]), Long.parseLong(f[n - 3]), Long.parseLong(f[n - 2]),
                    Long.parseLong(f[n - 1])));
        }
        return rows;
    }

    /**
     * A {@code show sa} row: the SA's index, direction, SPI, tunnel, the packets and bytes it
     * carried, and for an outbound SA the next sequence number it will use (-1 for inbound).
     */
    public record SaRow(int index, boolean outbound, int spi, int tunnel, long packets, long bytes,
                        long nextSequence) {}

    /**
     * The rows of {@code show sa}: index, {@code in} or {@code out}, the SPI as 0x and hex
     * digits, tunnel, packets, bytes and, on outbound rows only, the next sequence number.
     * The header and anything else ("ipsec is off") are skipped.
     */
    public static List<SaRow> sas(String showSa) {
        List<SaRow> rows = new ArrayList<>();
        for (String line : showSa.lines().map(String::strip).toList()) {
            String[] f = line.split("\\s+");
            if (f.length < 6 || !isNumber(f[0]) || !(f[1].equals("in") || f[1].equals("out"))
                    || !f[2].startsWith("0x") || !isNumber(f[3]) || !isNumber(f[4]) || !isNumber(f[5])) {
                continue;
            }
            boolean out = f[1].equals("out");
            long next = out && f.length > 6 && isNumber(f[6]) ? Long.parseLong(f[6]) : -1;
            rows.add(new SaRow(Integer.parseInt(f[0]), out, Integer.parseUnsignedInt(f[2].substring(2), 16),
                    Integer.parseInt(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), next));
        }
        return rows;
    }

    /** The SPIs of the outbound rows of {@code show sa}: what the node sends under now. */
    public static java.util.Set<Integer> outboundSpis(String showSa) {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        sas(showSa).stream().filter(SaRow::outbound).forEach(s -> out.add(s.spi()));
        return out;
    }

    /** A {@code show runtime} row: calls, vectors and packets, summed over workers. */
    public record StageRow(long calls, long vectors, long packets) {
        StageRow plus(StageRow o) {
            return new StageRow(calls + o.calls, vectors + o.vectors, packets + o.packets);
        }
    }

    /** Stage name to its row, for every stage that was called at all. */
    public static Map<String, StageRow> runtime(String showRuntime) {
        Map<String, StageRow> rows = new LinkedHashMap<>();
        showRuntime.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+");
            if (f.length >= 4 && isNumber(f[1]) && isNumber(f[2]) && isNumber(f[3])) {
                rows.merge(f[0], new StageRow(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])),
                        StageRow::plus);
            }
        });
        return rows;
    }

    /**
     * {@link #runtime} summed per stage family: the per-interface stages
     * ({@code tap-input-n1p1-q0}, {@code tap-input-n1p2-q0}...) count as one
     * ({@code tap-input}).
     */
    public static Map<String, StageRow> runtimeByFamily(String showRuntime) {
        Map<String, StageRow> families = new LinkedHashMap<>();
        runtime(showRuntime).forEach((stage, row) -> families.merge(family(stage), row, StageRow::plus));
        return families;
    }

    /**
     * A stage's family: its first two dash-separated words. Built-in stage names have at
     * most two ({@code ip4-lookup}, {@code ethernet-input}, {@code drop}); per-interface
     * stages append the interface and queue to such a name.
     */
    public static String family(String stage) {
        int first = stage.indexOf('-');
        if (first < 0) {
            return stage;
        }
        int second = stage.indexOf('-', first + 1);
        return second < 0 ? stage : stage.substring(0, second);
    }

    /** Packets through {@code stage}, 0 if it was never called. */
    public static long packets(String showRuntime, String stage) {
        StageRow r = runtime(showRuntime).get(stage);
        return r == null ? 0 : r.packets();
    }

    /** "stage: reason" to its count, for every non-zero counter of {@code show errors}. */
    public static Map<String, Long> errors(String showErrors) {
        Map<String, Long> counts = new LinkedHashMap<>();
        showErrors.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+", 3);
            if (f.length == 3 && isNumber(f[0])) {
                counts.merge(f[1] + ": " + f[2], Long.parseLong(f[0]), Long::sum);
            }
        });
        return counts;
    }

    /** The count of one {@code show errors} counter, 0 when the table does not list it. */
    public static long error(String showErrors, String stage, String reason) {
        return errors(showErrors).getOrDefault(stage + ": " + reason, 0L);
    }

    /**
     * The counts of {@code reason} summed over every stage that has it: ESP's drops move
     * between stages with the crypto threads ({@code esp-decrypt} inline, {@code
     * esp-decrypt-check} and the ring's stages with threads) but keep their reasons.
     */
    public static long reasonTotal(String showErrors, String reason) {
        return errors(showErrors).entrySet().stream().filter(e -> e.getKey().endsWith(": " + reason))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
