package dev.cipherlane.stages.graph;

/**
 * The log of one stage's faults on one worker: the first at once, with its stack trace,
 * then at most one a second, saying how many came in between, so a stage that throws on
 * every packet cannot flood the log or slow the worker down with stack traces.
 */
final class StageFaults {
    private static final System.Logger LOG = System.getLogger(StageFaults.class.getName());
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final int worker;
    private long lastReport;
    private boolean reported;
    private long suppressed;

    StageFaults(int worker) {
        this.worker = worker;
    }

    /** Logs {@code e}, or counts it toward the next line when one was logged in the last second. */
    void report(String stage, Throwable e) {
        long now = System.nanoTime();
        if (reported && now - lastReport < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        String more = suppressed == 0 ? "" : " (" + suppressed + " more since the last report)";
        LOG.log(System.Logger.Level.WARNING,
                "stage " + stage + " threw on worker " + worker + "; its packet is dropped as '"
                        + NodeCounters.EXCEPTION + "' and the worker goes on" + more, e);
        reported = true;
        lastReport = now;
        suppressed = 0;
    }

    /** Faults not logged since the last line (for tests). */
    long suppressed() {
        return suppressed;
    }
}
