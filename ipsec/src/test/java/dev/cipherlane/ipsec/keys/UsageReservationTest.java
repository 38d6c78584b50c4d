package dev.cipherlane.ipsec.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SA usage reserved a step ahead: what a crash leaves, a clean close, and a damaged file. */
class UsageReservationTest {
    @TempDir
    Path tmp;

    private final SaKeys keys = new SaKeys(0x1001, KeyMaterial.of(KeyFiles.material(41)));
    private final SaLimits limits = new SaLimits(8_000, 16_000, 800, 1_600, Duration.ZERO, Duration.ofHours(1));
    private final Instant start = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aCrashResumesAtLeastWhatWasCarriedWithOneWritePerHalfStep() throws Exception {
        Path dir = tmp.resolve("state");
        Path crashed = tmp.resolve("crashed");
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            UsageReservation u = store.reserveUsage(keys, Direction.OUTBOUND, limits, start);
            long packets = 0;
            long bytes = 0;
            for (int second = 0; second < 100; second++) {
                packets += 7;
                bytes += 70;
                u.update(packets, bytes);
            }
            // Steps of 50 packets and 500 bytes: a write about every 25 packets, not every tick.
            assertTrue(u.writes() <= 700 / 25 + 2, u.writes() + " writes");
            Files.createDirectory(crashed);
            Files.setPosixFilePermissions(crashed, Files.getPosixFilePermissions(dir));
            Path file = store.usageFile(keys.material().fingerprint());
            Files.copy(file, crashed.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        try (SequenceStore store = SequenceStore.open(crashed, 1024, false)) {
            UsageReservation u = store.reserveUsage(keys, Direction.OUTBOUND, limits, start.plusSeconds(600));
            assertTrue(u.resumedPackets() >= 700 && u.resumedPackets() <= 700 + 50, u.resumedPackets() + " packets");
            assertTrue(u.resumedBytes() >= 7000 && u.resumedBytes() <= 7000 + 500, u.resumedBytes() + " bytes");
            assertEquals(Duration.ofMinutes(10), u.age(start.plusSeconds(600)), "the lifetime runs from the first start");
        }
    }

    @Test
    void aCleanCloseWritesBackTheExactCounts() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            store.reserveUsage(keys, Direction.OUTBOUND, limits, start).close(123, 4567);
        }
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            UsageReservation u = store.reserveUsage(keys, Direction.OUTBOUND, limits, start);
            assertEquals(123, u.resumedPackets());
            assertEquals(4567, u.resumedBytes());
        }
    }

    @Test
    void aDamagedUsageFileIsRefusedNotStartedOver() throws Exception {
        Path dir = tmp.resolve("state");
        Path file;
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            store.reserveUsage(keys, Direction.OUTBOUND, limits, start).close(1600, 0);
            file = store.usageFile(keys.material().fingerprint());
        }
        Files.writeString(file, Files.readString(file).replace("packets-through=1600", "packets-through=0000"));
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            SequenceStateException e = assertThrows(SequenceStateException.class,
                    () -> store.reserveUsage(keys, Direction.OUTBOUND, limits, start));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("stays down"), e.getMessage());
        }
        assertFalse(Files.readString(file).contains("packets-through=0 "), "the damaged file is left as it was");
    }

    @Test
    void aFileOfTheOtherDirectionIsRefused() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1024, false)) {
            store.reserveUsage(keys, Direction.OUTBOUND, limits, start);
            SequenceStateException e = assertThrows(SequenceStateException.class,
                    () -> store.reserveUsage(keys, Direction.INBOUND, limits, start));
            assertTrue(e.getMessage().contains("direction outbound, expected inbound"), e.getMessage());
        }
    }
}
