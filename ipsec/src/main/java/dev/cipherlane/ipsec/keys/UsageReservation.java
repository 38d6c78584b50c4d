package dev.cipherlane.ipsec.keys;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaLimits;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The lifetime of one statically keyed SA carried across restarts (RFC 4301 section
 * 4.4.2.1): its packet and byte counts and the time its key came into use, so an SA past its
 * hard limit stays down after a restart (fail closed) and one past its soft limit warns again.
 *
 * <p>Reserve-ahead, like the sequence and replay marks: the file holds counts a step above
 * what the SA had carried when it was written, and the control thread ({@link #update}, once
 * a second) writes the next step only when the counts come within half a step of it, never
 * per packet. The step is a sixteenth of the SA's smallest limit of that kind (at most the
 * sequence block), so a crash rounds the usage up by at most that, which brings no limit
 * closer by more than 1/16. After a crash the SA resumes at the counts on disk; a clean
 * {@link #close} writes back the exact counts.
 */
public final class UsageReservation {
    private final SequenceStore store;
    private final int spi;
    private final KeyFingerprint key;
    private final Direction direction;
    private final long packetStep;
    private final long byteStep;
    private final long startedMillis;
    private final long resumedPackets;
    private final long resumedBytes;
    /** What the file says (guarded by this). */
    private long packetsThrough;
    private long bytesThrough;
    private boolean closed;
    private long writes;

    private UsageReservation(SequenceStore store, int spi, KeyFingerprint key, Direction direction, long packetStep,
            long byteStep, UsageStateFile.State resumed) {
        this.store = store;
        this.spi = spi;
        this.key = key;
        this.direction = direction;
        this.packetStep = packetStep;
        this.byteStep = byteStep;
        this.startedMillis = resumed.startedMillis();
        this.resumedPackets = resumed.packetsThrough();
        this.resumedBytes = resumed.bytesThrough();
        this.packetsThrough = resumed.packetsThrough();
        this.bytesThrough = resumed.bytesThrough();
    }

    /** Opened by {@link SequenceStore#reserveUsage}; the first step is written before this returns. */
    static UsageReservation open(SequenceStore store, SaKeys keys, Direction direction, SaLimits limits, long block,
            Instant now) throws IOException {
        KeyFingerprint key = keys.material().fingerprint();
        UsageStateFile.State s = UsageStateFile.read(store.directory(), key, direction);
        if (s == null) {
            s = new UsageStateFile.State(keys.spi(), key, direction, 0, 0, now.toEpochMilli());
        }
        UsageReservation r = new UsageReservation(store, keys.spi(), key, direction,
                step(limits.softPackets(), limits.hardPackets(), block), step(limits.softBytes(), limits.hardBytes(),
                        Long.MAX_VALUE), s);
        r.write(r.resumedPackets, r.resumedBytes);
        return r;
    }

    /** A sixteenth of the smallest limit set, at least 1 and at most {@code max}; 0 without a limit. */
    private static long step(long soft, long hard, long max) {
        long smallest = soft == 0 ? hard : hard == 0 ? soft : Math.min(soft, hard);
        return smallest == 0 ? 0 : Math.clamp(smallest / 16, 1, max);
    }

    /** Packets the SA had carried before this start (at least). */
    public long resumedPackets() {
        return resumedPackets;
    }

    /** Inner bytes the SA had carried before this start (at least). */
    public long resumedBytes() {
        return resumedBytes;
    }

    /** How long the key has been in use at {@code now}; zero if the clock went back. */
    public Duration age(Instant now) {
        return Duration.ofMillis(Math.max(0, now.toEpochMilli() - startedMillis));
    }

    /**
     * Control thread: writes the next step if the SA's counts came within half a step of
     * what the file says. Returns whether it wrote.
     */
    public synchronized boolean update(long packets, long bytes) throws IOException {
        if (closed) {
            return false;
        }
        boolean due = packetStep > 0 && packets > packetsThrough - packetStep / 2
                || byteStep > 0 && bytes > bytesThrough - byteStep / 2;
        if (!due) {
            return false;
        }
        write(packets, bytes);
        return true;
    }

    private void write(long packets, long bytes) throws IOException {
        long p = packetStep > 0 ? Math.addExact(packets, packetStep) : packets;
        long b = byteStep > 0 ? saturatedAdd(bytes, byteStep) : bytes;
        store.persistUsage(new UsageStateFile.State(spi, key, direction, p, b, startedMillis));
        packetsThrough = p;
        bytesThrough = b;
        writes++;
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** Usage files written since opened. */
    public synchronized long writes() {
        return writes;
    }

    /** Writes back the exact counts of an orderly stop; a failure leaves the higher ones on disk. */
    public synchronized void close(long packets, long bytes) {
        if (closed) {
            return;
        }
        closed = true;
        long p = Math.max(packets, resumedPackets);
        long b = Math.max(bytes, resumedBytes);
        if (p != packetsThrough || b != bytesThrough) {
            try {
                store.persistUsage(new UsageStateFile.State(spi, key, direction, p, b, startedMillis));
            } catch (IOException | RuntimeException e) {
                // The higher counts stay on disk: the lifetime only comes closer, never goes back.
            }
        }
    }

    @Override
    public String toString() {
        return "usage of spi " + SaKeys.spiText(spi) + " key " + key + ": through " + packetsThrough + " packets, "
                + bytesThrough + " bytes";
    }
}
