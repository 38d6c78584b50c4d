package dev.cipherlane.chaos;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the node processes' logs of a failed test. A {@link NodeTestbed} hands its logs over
 * here when it closes (the nodes are gone by the time JUnit reports the failure); a passing
 * test's logs are dropped. Tests in one JVM run one after the other, so one slot is enough.
 */
public final class NodeLogs implements TestWatcher {
    private static volatile String kept;

    /** Called by {@link NodeTestbed#close()}. */
    static void keep(String logs) {
        kept = logs;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String logs = kept;
        kept = null;
        if (logs != null) {
            System.out.println("=== node logs of the failed test " + context.getDisplayName() + " ===\n" + logs);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        kept = null;
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        kept = null;
    }
}
