package dev.cipherlane.ipsec.keys;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.sa.ReplayWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay windows that outlive the process: resumed above the persisted mark, marks raised
 * ahead by the store's thread and not per packet, a crash between marks, a clean close, and
 * state that cannot be trusted. A crash is the directory as it is on disk while the store is
 * still open: a copy taken then is what {@code kill -9} leaves behind.
 */
class ReplayReservationTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);
    private static final int WINDOW = 128;

    @TempDir
    Path tmp;

    private final SaKeys inbound = new SaKeys(0x2001, KeyMaterial.of(KeyFiles.material(31)));
    private final SaKeys outbound = new SaKeys(0x1001, KeyMaterial.of(KeyFiles.material(32)));

    private long onDisk(Path dir) throws IOException {
        return ReplayStateFile.read(dir, inbound.material().fingerprint(), SequenceReservation.LIMIT_32)
                .acceptedThrough();
    }

    /** What a kill -9 leaves: the files as they are now, no close, no write-back. */
    private Path crashCopy(Path dir, String name) throws IOException {
        return crashCopy(dir, name, true);
    }

    /**
     * What a crash of the machine leaves: as {@link #crashCopy(Path, String)}, but the exact-top
     * cells are not to be trusted (they are of another boot), as if they were gone.
     */
    private Path machineCrashCopy(Path dir, String name) throws IOException {
        return crashCopy(dir, name, false);
    }

    private Path crashCopy(Path dir, String name, boolean pageCacheKept) throws IOException {
        Path copy = tmp.resolve(name);
        Files.createDirectory(copy);
        Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                // A writer's temporary file is not state: the rename that makes it so is atomic.
                if (!file.equals("lock") && !file.startsWith(".") && (pageCacheKept || !file.endsWith(".top"))) {
                    Files.copy(f, copy.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    @Test
    void aNewKeyPersistsAMarkABlockAheadAndRefusesPastItUntilItIsRaised() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 64, false)) {
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            ReplayWindow w = r.window();
            assertEquals(64, onDisk(dir), "first mark persisted before any packet");
            for (long s = 1; s <= 64; s++) {
                assertEquals(ReplayWindow.OK, w.accept(s));
            }
            assertEquals(ReplayWindow.OK, w.check(65), "past the mark is not refused before the ICV is checked");
            assertEquals(ReplayWindow.UNPERSISTED, w.accept(65), "recording 65 could be forgotten by a crash");
            assertEquals(64, w.highest(), "a refused number does not move the window");
            assertTrue(r.refillRequested());
            assertTrue(r.refill());
            assertEquals(65 + 64, onDisk(dir), "the number asked for, plus a block");
            assertEquals(ReplayWindow.OK, w.accept(65));
        }
    }

    @Test
    void aResumedWindowRefusesEveryNumberAtOrBelowTheMark() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            store.reserveReplay(inbound, outbound, false, WINDOW);
        }
        Path crashed;
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            // Cleanly closed with nothing accepted: the top written back is 0.
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            for (long s = 1; s <= 700; s++) {
                assertEquals(ReplayWindow.OK, r.window().accept(s));
            }
            assertEquals(1000, onDisk(dir));
            crashed = machineCrashCopy(dir, "crashed");
        }
        try (SequenceStore store = SequenceStore.open(crashed, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            for (long s = 0; s <= 1000; s++) {
                assertNotEquals(ReplayWindow.OK, w.check(s), "number " + s + " at or below the mark");
                assertNotEquals(ReplayWindow.OK, w.accept(s), "number " + s + " at or below the mark");
            }
            assertEquals(ReplayWindow.REPLAY, w.check(1000));
            assertEquals(ReplayWindow.TOO_OLD, w.check(1000 - WINDOW));
            assertEquals(ReplayWindow.OK, w.accept(1001), "the first number past the mark is new");
            assertEquals(2000, onDisk(crashed), "the next mark is on disk before the window moved");
        }
    }

    /**
     * A kill -9 keeps the page the window stored its top in: the restarted window resumes
     * right above what it accepted, so the peer, which carries on from there, is not refused
     * the block up to the mark (with a million-number block, a tunnel of acknowledgements
     * would stall for good), and nothing accepted before passes again.
     */
    @Test
    void afterAProcessCrashTheWindowResumesExactlyAboveWhatItAccepted() throws Exception {
        Path dir = tmp.resolve("state");
        Path crashed;
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            for (long s = 1; s <= 700; s++) {
                assertEquals(ReplayWindow.OK, r.window().accept(s));
            }
            crashed = crashCopy(dir, "killed");
        }
        try (SequenceStore store = SequenceStore.open(crashed, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            for (long s = 0; s <= 700; s++) {
                assertNotEquals(ReplayWindow.OK, w.accept(s), "number " + s + " accepted before the kill");
            }
            assertEquals(ReplayWindow.OK, w.accept(701), "the peer's next number passes at once");
        }
        Path rebooted = machineCrashCopy(crashed, "rebooted");
        try (SequenceStore store = SequenceStore.open(rebooted, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            assertNotEquals(ReplayWindow.OK, w.accept(702), "without a trusted cell, up to the mark counts as seen");
        }
    }

    @Test
    void aCellOfAnotherBootIsNotTrusted() throws Exception {
        Path dir = tmp.resolve("state");
        Path cell;
        Path crashed;
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            for (long s = 1; s <= 10; s++) {
                assertEquals(ReplayWindow.OK, r.window().accept(s));
            }
            cell = store.topCellFile(inbound.material().fingerprint());
            crashed = crashCopy(dir, "other-boot");
        }
        assertTrue(Files.size(cell) == ReplayTopCell.SIZE, "the cell is one page");
        Path copied = crashed.resolve(cell.getFileName());
        byte[] page = Files.readAllBytes(copied);
        page[8] ^= 1; // another boot id
        Files.write(copied, page);
        try (SequenceStore store = SequenceStore.open(crashed, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            assertNotEquals(ReplayWindow.OK, w.accept(11), "a cell from another boot: resume at the mark");
            assertNotEquals(ReplayWindow.OK, w.accept(10));
        }
    }

    @Test
    void aCrashBetweenMarksNeverLetsAnOldNumberThrough() throws Exception {
        Path dir = tmp.resolve("state");
        SplittableRandom rnd = new SplittableRandom(4303);
        List<Long> accepted = new ArrayList<>();
        long next = 1;
        for (int round = 0; round < 6; round++) {
            try (SequenceStore store = SequenceStore.open(dir, 256, true)) {
                ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
                ReplayWindow w = r.window();
                for (long old : accepted) {
                    assertNotEquals(ReplayWindow.OK, w.accept(old), "round " + round + ": " + old + " accepted again");
                }
                next = Math.max(next, w.highest() + 1);
                int packets = 100 + rnd.nextInt(2000);
                for (int i = 0; i < packets; i++) {
                    // In order with gaps and some reordering, as a peer's packets arrive.
                    long s = next + rnd.nextInt(3);
                    next = s + 1;
                    long seq = rnd.nextInt(8) == 0 && s > 10 ? s - rnd.nextInt(10) : s;
                    int v;
                    long deadline = System.nanoTime() + HANG_GUARD.toNanos();
                    while ((v = w.accept(seq)) == ReplayWindow.UNPERSISTED && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    if (v == ReplayWindow.OK) {
                        accepted.add(seq);
                    }
                }
                // Killed here: the next round starts from what is on disk, not from close().
                dir = crashCopy(dir, "crash-" + round);
            }
        }
        assertTrue(accepted.size() > 1000, "the rounds accepted packets: " + accepted.size());
    }

    @Test
    void marksAreRaisedAheadByTheStoresThreadWithoutPerPacketWritesOrRefusals() throws Exception {
        Path dir = tmp.resolve("state");
        long block = SequenceStore.BLOCK_DEFAULT;
        long packets = 8 * block;
        try (SequenceStore store = SequenceStore.open(dir, block, true)) {
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            ReplayWindow w = r.window();
            long start = System.nanoTime();
            long refused = 0;
            long lastRefused = 0;
            for (long s = 1; s <= packets; s++) {
                // 4 million packets a second, more than one SA carries at 40 Gbit/s of 1400-byte
                // packets (3.6 million): half a block then lasts 130 ms, ample for one write.
                if ((s & 0x3FF) == 0) {
                    long due = start + s * 250;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
                if (w.accept(s) == ReplayWindow.UNPERSISTED) {
                    if (lastRefused != s) {
                        refused++;
                        lastRefused = s;
                    }
                    s--;
                }
            }
            assertEquals(0, refused, "packets refused for want of a mark on disk");
            long written = onDisk(dir);
            assertTrue(written > packets && written <= packets + block, "mark " + written + " a block ahead");
            await().atMost(HANG_GUARD).until(() -> !r.refillRequested());
            // A mark is written once the top passes half of the last block: no I/O per packet.
            assertTrue(r.writes() >= packets / block && r.writes() <= 2 * packets / block,
                    r.writes() + " marks written for " + packets + " packets");
        }
    }

    @Test
    void aCleanCloseWritesBackTheTopSoNothingNewIsRefused() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            for (long s = 1; s <= 100; s++) {
                w.accept(s);
            }
        }
        assertEquals(100, onDisk(dir));
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            assertEquals(ReplayWindow.REPLAY, w.accept(100));
            assertEquals(ReplayWindow.OK, w.accept(101));
        }
    }

    @Test
    void aClosedWindowRecordsNothingMore() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayReservation r = store.reserveReplay(inbound, outbound, false, WINDOW);
            r.window().accept(5);
            r.close();
            assertEquals(ReplayWindow.UNPERSISTED, r.window().accept(6), "6 would be forgotten: 5 is on disk");
            assertEquals(5, onDisk(dir));
        }
    }

    @Test
    void aDamagedReplayFileKeepsTheSaDown() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            store.reserveReplay(inbound, outbound, false, WINDOW).window().accept(77);
        }
        Path file = ReplayStateFile.path(dir, inbound.material().fingerprint());
        String text = Files.readString(file);
        Files.writeString(file, text.replace("accepted-through=77", "accepted-through=17"));
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            SequenceStateException e = assertThrows(SequenceStateException.class,
                    () -> store.reserveReplay(inbound, outbound, false, WINDOW));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("crc32c mismatch")
                    && e.getMessage().contains("stays down"), e.getMessage());
            assertEquals(text.replace("accepted-through=77", "accepted-through=17"), Files.readString(file),
                    "the damaged file is left for the operator, not replaced by a fresh window");
        }
    }

    @Test
    void aLostReplayFileOfATunnelThatRanBeforeKeepsTheSaDown() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            store.reserveReplay(inbound, outbound, false, WINDOW).window().accept(9);
            store.reserve(outbound, false).next();
        }
        Path file = ReplayStateFile.path(dir, inbound.material().fingerprint());
        Files.delete(file);
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            SequenceStateException e = assertThrows(SequenceStateException.class,
                    () -> store.reserveReplay(inbound, outbound, false, WINDOW));
            assertTrue(e.getMessage().contains(file + ": missing") && e.getMessage().contains(".seq"), e.getMessage());
            assertFalse(Files.exists(file), "no fresh window was written");
        }
    }
    /** An upgrade: the sequence file is from a release that kept no replay state; nothing was lost. */
    @Test
    void aSequenceFileOfAnEarlierReleaseStartsTheWindowInsteadOfKeepingTheSaDown() throws Exception {
        Path dir = tmp.resolve("state");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            store.reserve(outbound, false).next();
        }
        KeyFingerprint out = outbound.material().fingerprint();
        String body = "# written by an earlier release\nversion 1\nspi 0x" + Integer.toHexString(outbound.spi())
                + "\nkey-fingerprint " + out.hex() + "\nreserved-through 1000\n";
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path seq = dir.resolve("sa-" + out.hex() + ".seq");
        Files.writeString(seq, body + "crc32c " + String.format("%08x", crc.getValue()) + "\n");
        try (SequenceStore store = SequenceStore.open(dir, 1000, false)) {
            ReplayWindow w = store.reserveReplay(inbound, outbound, false, WINDOW).window();
            assertEquals(ReplayWindow.OK, w.accept(1), "the window starts at the upgrade");
            assertTrue(Files.exists(ReplayStateFile.path(dir, inbound.material().fingerprint())),
                    "and its state is kept from now on");
        }
    }
}
