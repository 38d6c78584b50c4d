package dev.cipherlane.supervisor.admin.views;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code show errors}: every non-zero drop or error counter, by stage and reason, summed over
 * workers; "exception" is the runtime's count of packets dropped because their stage threw.
 */
public record ErrorsView(List<ErrorRow> errors) implements OperatorView {

    public record ErrorRow(long count, String stage, String reason) {}

    public static ErrorsView of(StageTotals totals) {
        List<ErrorRow> rows = new ArrayList<>();
        for (StageTotals.Stage s : totals.stages()) {
            for (StageTotals.Reason r : s.errors()) {
                if (r.count() != 0) {
                    rows.add(new ErrorRow(r.count(), s.name(), r.reason()));
                }
            }
        }
        return new ErrorsView(List.copyOf(rows));
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(String.format("%14s  %-24s %s%n", "Count", "Stage", "Reason"));
        for (ErrorRow e : errors) {
            sb.append(String.format("%14d  %-24s %s%n", e.count(), e.stage(), e.reason()));
        }
        return sb.toString();
    }
}
