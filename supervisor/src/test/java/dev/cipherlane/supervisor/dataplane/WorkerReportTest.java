package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.graph.Worker;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerReportTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void runtimeShowsEachWorkersStateRestartsAndLastFailure() {
        String report = WorkerReport.format(List.of(new Worker.Health(0, true, 0, null, null),
                new Worker.Health(1, false, 2, "java.lang.OutOfMemoryError: boom", AT)));
        assertEquals("""
                Worker   State     Restarts  Last failure
                0        running          0  -
                1        down             2  2026-12-07T10:00:00Z java.lang.OutOfMemoryError: boom
                """, report);
    }

    @Test
    void healthIsOkOnlyWhileEveryWorkerRuns() {
        assertEquals("ok: 2 workers running\n", WorkerReport.health(List.of(new Worker.Health(0, true, 0, null, null),
                new Worker.Health(1, true, 0, null, null))));
        assertEquals("ok: 1 workers running\n  workers restarted 3 times since the start\n",
                WorkerReport.health(List.of(new Worker.Health(0, true, 3, "java.lang.Error: x", AT))));
        assertEquals("degraded: workers down\n  worker 1 is down, restarting: 2026-12-07T10:00:00Z java.lang.Error: x\n"
                        + "  workers restarted 1 times since the start\n",
                WorkerReport.health(List.of(new Worker.Health(0, true, 0, null, null),
                        new Worker.Health(1, false, 1, "java.lang.Error: x", AT))));
    }
}
