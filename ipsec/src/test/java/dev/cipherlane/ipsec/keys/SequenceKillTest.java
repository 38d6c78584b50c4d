package dev.cipherlane.ipsec.keys;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: a child JVM takes sequence numbers as fast as it can, reporting each on
 * stdout before it counts as used, and is killed with SIGKILL at a random moment. Restarted
 * on the same state directory, it must never report a number it reported before. Small
 * blocks make the kill land in every phase of a reservation: while numbers flow, while the
 * next block is being written, while the data path waits for it.
 */
class SequenceKillTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);
    private static final int ROUNDS = 4;
    private static final long BLOCK = 500;

    @TempDir
    Path tmp;

    /** Reads the child's numbers until end of stream, into a growing array. */
    private static final class Reader implements Runnable {
        private final InputStream in;
        private long[] numbers = new long[1 << 16];
        private final AtomicInteger count = new AtomicInteger();
        private volatile IOException failure;

        Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            try (DataInputStream d = new DataInputStream(in)) {
                while (true) {
                    long s = d.readLong();
                    int n = count.get();
                    if (n == numbers.length) {
                        numbers = Arrays.copyOf(numbers, 2 * n);
                    }
                    numbers[n] = s;
                    count.set(n + 1);
                }
            } catch (EOFException end) {
                // the child is dead and the pipe drained
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    private Process start(Path dir, KeyFingerprint key) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", cp, "-Xmx64m", SequenceHammer.class.getName(), dir.toString(),
                key.hex(), Long.toString(BLOCK))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    @Test
    void noNumberIsUsedTwiceAcrossKillNine() throws Exception {
        Path dir = tmp.resolve("state");
        KeyFingerprint key = KeyMaterial.of(KeyFiles.material(21)).fingerprint();
        SplittableRandom rnd = new SplittableRandom();
        long previousMax = 0;
        long total = 0;
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Process child = start(dir, key);
            Reader reader = new Reader(child.getInputStream());
            Thread t = Thread.ofPlatform().start(reader);
            try {
                int killAt = 2_000 + rnd.nextInt(60_000);
                await().atMost(HANG_GUARD).until(() -> reader.count.get() >= killAt || !child.isAlive());
                if (round == 0) {
                    // While the child runs it holds the directory: a second node service is refused.
                    SequenceStateException locked = assertThrows(SequenceStateException.class,
                            () -> SequenceStore.open(dir, BLOCK, false));
                    assertTrue(locked.getMessage().contains("locked by another process"), locked.getMessage());
                }
                // Through the handle: Process.destroyForcibly would also close our end of the
                // pipe, losing numbers the child wrote just before it died.
                child.toHandle().destroyForcibly();
                assertTrue(child.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS), "child did not die");
                assertEquals(137, child.exitValue(), "the child died of SIGKILL, not of an error");
            } finally {
                child.toHandle().destroyForcibly();
                t.join(HANG_GUARD);
            }
            assertEquals(null, reader.failure);
            int n = reader.count.get();
            long[] used = reader.numbers;
            assertTrue(n > 0, "round " + round + " used no number");
            assertTrue(used[0] > previousMax, "round " + round + " started at " + used[0]
                    + " but an earlier run used up to " + previousMax);
            for (int i = 1; i < n; i++) {
                assertTrue(used[i] > used[i - 1], "round " + round + ": " + used[i] + " after " + used[i - 1]);
            }
            rounds.add(used[0] + ".." + used[n - 1] + " (" + n + ")");
            previousMax = used[n - 1];
            total += n;
        }
        System.out.println("kill -9 rounds, numbers used: " + String.join(", ", rounds) + "; " + total + " in all");
        // The store opens after the last kill and continues above everything.
        try (SequenceStore store = SequenceStore.open(dir, BLOCK, false)) {
            assertTrue(store.reserve(0x2001, key, false).next() > previousMax);
        }
    }
}
