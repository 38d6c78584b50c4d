package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.swap.StageRow;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** {@code show stages}: what runs in every slot of the graph, and since when. */
public record StagesView(List<Row> stages) implements OperatorView {

    /**
     * @param origin "builtin", or the jar the implementation came from
     * @param since  when it went live, UTC, ISO 8601 to the second
     */
    public record Row(String slot, String implementation, String version, String origin, String since, long packets) {}

    public static StagesView of(List<StageRow> rows) {
        List<Row> out = new ArrayList<>();
        for (StageRow r : rows) {
            out.add(new Row(r.slot(), r.implementation(), r.version(), r.origin(),
                    r.since().truncatedTo(ChronoUnit.SECONDS).toString(), r.packets()));
        }
        return new StagesView(List.copyOf(out));
    }

    @Override
    public String text() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"slot", "implementation", "version", "origin", "since", "packets"});
        for (Row r : stages) {
            rows.add(new String[] {r.slot(), r.implementation(), r.version(), r.origin(), r.since(),
                    Long.toString(r.packets())});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
