package dev.cipherlane.supervisor.admin.views;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.graph.Worker;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workers' part of {@code show runtime} and {@code show health}. */
class WorkerViewsTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
    private static final StageTotals NO_STAGES = new StageTotals(List.of());

    @Test
    void runtimeShowsEachWorkersStateRestartsAndLastFailure() {
        RuntimeView view = RuntimeView.of(List.of(new Worker.Health(0, true, 0, null, null),
                new Worker.Health(1, false, 2, "java.lang.OutOfMemoryError: boom", AT)), NO_STAGES);
        assertEquals("""
                Worker   State     Restarts  Last failure
                0        running          0  -
                1        down             2  2026-12-07T10:00:00Z java.lang.OutOfMemoryError: boom

                Stage                           Calls      Vectors        Packets   Pkts/Vec     ns/Pkt
                """, view.text());
        assertEquals("2026-12-07T10:00:00Z", view.workers().get(1).failedAt());
    }

    @Test
    void runtimeListsCalledStagesOnly() {
        RuntimeView view = RuntimeView.of(List.of(), SampleViews.TOTALS);
        assertEquals(List.of("ip4-lookup", "esp-encrypt"), view.stages().stream().map(RuntimeView.StageRow::name).toList());
        assertEquals(true, view.text().contains(String.format("%-24s %12d %12d %14d %10.1f %10.1f%n", "ip4-lookup", 10,
                12, 300, 25.0, 150.0)));
    }

    @Test
    void healthIsOkOnlyWhileEveryWorkerRuns() {
        assertEquals("ok: 2 workers running\n", HealthView.of(List.of(new Worker.Health(0, true, 0, null, null),
                new Worker.Health(1, true, 0, null, null))).text());
        assertEquals("ok: 1 workers running\n  workers restarted 3 times since the start\n",
                HealthView.of(List.of(new Worker.Health(0, true, 3, "java.lang.Error: x", AT))).text());
        HealthView degraded = HealthView.of(List.of(new Worker.Health(0, true, 0, null, null),
                new Worker.Health(1, false, 1, "java.lang.Error: x", AT)));
        assertEquals("degraded: workers down\n  worker 1 is down, restarting: 2026-12-07T10:00:00Z java.lang.Error: x\n"
                + "  workers restarted 1 times since the start\n", degraded.text());
        assertEquals(HealthView.DEGRADED, degraded.status());
        assertEquals(1, degraded.running());
    }

    @Test
    void errorsListNonZeroCountersOnlyWithTheExceptionReason() {
        assertEquals(List.of(new ErrorsView.ErrorRow(4, "ip4-lookup", "no route"),
                new ErrorsView.ErrorRow(2, "ip4-lookup", "exception")), ErrorsView.of(SampleViews.TOTALS).errors());
    }

    @Test
    void healthSaysWhatDropsTrafficAndWhatIsWaitingOnWhat() {
        List<Worker.Health> running = List.of(new Worker.Health(0, true, 0, null, null));
        assertEquals("ok: 1 workers running\n  waiting: tunnel n2/0 on an ARP answer from its next hop 10.200.0.2\n",
                HealthView.of(running, List.of(), List.of("tunnel n2/0 on an ARP answer from its next hop 10.200.0.2")).text());
        HealthView failing = HealthView.of(running, List.of("tunnel n2/1 drops its traffic: it has no SA"), List.of());
        assertEquals(HealthView.DEGRADED, failing.status());
        assertEquals("degraded: traffic dropped\n  tunnel n2/1 drops its traffic: it has no SA\n", failing.text());
    }
}
