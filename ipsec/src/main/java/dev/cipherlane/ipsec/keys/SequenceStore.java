package dev.cipherlane.ipsec.keys;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.ReplayWindow;
import dev.cipherlane.ipsec.sa.SaLimits;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The directory of sequence state files of a node's statically keyed SAs, and the thread
 * that persists their next blocks ahead of the data path (see {@link SequenceReservation}).
 *
 * <p>One process at a time: the store holds an exclusive lock on {@code lock} in the
 * directory for its lifetime (the kernel drops it when the process dies, even by
 * {@code kill -9}), since two processes sending under one key would repeat each other's
 * numbers. For the same reason a key can be reserved once at a time.
 *
 * <p>The directory and its files must not be writable by other users, group or others:
 * whoever can lower a mark can make the node reuse nonces. A missing directory is created
 * with mode 0700 (its parent must exist).
 */
public final class SequenceStore implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SequenceStore.class.getName());

    /** Sequence numbers reserved per write of a state file. */
    public static final String BLOCK_NAME = "cipherlane.ipsec.sequence-reservation-block";
    public static final long BLOCK_DEFAULT = 1L << 20;
    public static final long BLOCK_MIN = 16;
    /** A quarter of the 32-bit space: a crash should not waste more. */
    public static final long BLOCK_MAX = 1L << 30;

    /** How long the background thread waits before retrying a write that failed. */
    static final long RETRY_NANOS = 100_000_000L;

    private final Path dir;
    private final long block;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<KeyFingerprint, SequenceReservation> open = new ConcurrentHashMap<>();
    private final Map<KeyFingerprint, ReplayReservation> replays = new ConcurrentHashMap<>();
    private final Thread refiller;
    private volatile boolean closing;

    private SequenceStore(Path dir, long block, FileChannel lockChannel, FileLock lock, boolean background) {
        this.dir = dir;
        this.block = block;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.refiller = background
                ? Thread.ofPlatform().daemon().name("cl-seq-reserve").unstarted(this::refillLoop)
                : null;
    }

    /**
     * Opens (creating if missing) the state directory {@code dir}. With {@code background}
     * a thread persists next blocks as the data path asks for them; without, the owner
     * calls {@link SequenceReservation#refill} itself.
     */
    public static SequenceStore open(Path dir, long block, boolean background) throws IOException {
        validateBlock(block);
        PosixFileAttributes a = PrivateFiles.attributes(dir);
        if (a == null) {
            try {
                Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (NoSuchFileException e) {
                throw new SequenceStateException(dir + ": cannot be created, expected its parent "
                        + dir.toAbsolutePath().getParent() + " to exist");
            }
            a = PrivateFiles.attributes(dir);
        }
        String problem = PrivateFiles.stateProblem(dir, a, true);
        if (problem != null) {
            throw new SequenceStateException(problem);
        }
        Path lockFile = dir.resolve("lock");
        FileChannel ch = FileChannel.open(lockFile,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new SequenceStateException(dir + ": already open in this process, expected one store per directory");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new SequenceStateException(dir + ": locked by another process (" + lockFile
                    + "), expected one node service per state directory");
        }
        SequenceStore store = new SequenceStore(dir, block, ch, lock, background);
        if (store.refiller != null) {
            store.refiller.start();
        }
        return store;
    }

    /** Checks a configured block size. */
    public static long validateBlock(long block) {
        if (block < BLOCK_MIN || block > BLOCK_MAX) {
            throw new IllegalArgumentException(BLOCK_NAME + " must be in [" + BLOCK_MIN + ", " + BLOCK_MAX
                    + "], got " + block);
        }
        return block;
    }

    /** {@link #reserve(int, KeyFingerprint, boolean)} for the outbound SA of a key file. */
    public SequenceReservation reserve(SaKeys outbound, boolean esn) throws IOException {
        return reserve(outbound.spi(), outbound.material().fingerprint(), esn);
    }

    /**
     * The sequence counter for sending under key {@code key}: its first number is one past
     * the mark on disk (1 for a key never used), and a first block is persisted before this
     * returns. A damaged or untrusted state file is an error, never a fresh start.
     */
    public synchronized SequenceReservation reserve(int spi, KeyFingerprint key, boolean esn) throws IOException {
        if (closing) {
            throw new IllegalStateException(dir + ": sequence store closed");
        }
        if (open.containsKey(key)) {
            throw new SequenceStateException(dir + ": key " + key + " is already reserved (spi "
                    + SaKeys.spiText(open.get(key).spi()) + "), expected each key to send on one SA at a time");
        }
        long limit = esn ? SequenceReservation.LIMIT_ESN : SequenceReservation.LIMIT_32;
        SequenceStateFile.State state = SequenceStateFile.read(dir, key, limit);
        long floor = state == null ? 0 : state.reservedThrough();
        long mark = floor;
        if (floor < limit) {
            mark = floor + Math.min(block, limit - floor);
            persist(spi, key, mark);
        }
        SequenceReservation r = SequenceReservation.persisted(this, spi, key, limit, block, floor, mark);
        open.put(key, r);
        return r;
    }

    /**
     * The replay window for receiving under key {@code inbound}: it resumes above the mark on
     * disk (nothing at or below it is accepted again) and a first mark a block ahead is
     * persisted before this returns. A damaged or untrusted file is an error, never a fresh
     * window. So is a missing one while the outbound key of the same key file ({@code
     * outbound}) has a sequence file: the tunnel ran before, so its replay state was lost.
     */
    public synchronized ReplayReservation reserveReplay(SaKeys inbound, SaKeys outbound, boolean esn, int windowSize)
            throws IOException {
        if (closing) {
            throw new IllegalStateException(dir + ": sequence store closed");
        }
        KeyFingerprint key = inbound.material().fingerprint();
        if (replays.containsKey(key)) {
            throw new SequenceStateException(dir + ": inbound key " + key + " is already in use (spi "
                    + SaKeys.spiText(replays.get(key).spi()) + "), expected each key on one SA at a time");
        }
        long limit = esn ? SequenceReservation.LIMIT_ESN : SequenceReservation.LIMIT_32;
        ReplayStateFile.State state = ReplayStateFile.read(dir, key, limit);
        KeyFingerprint outboundKey = outbound == null ? null : outbound.material().fingerprint();
        if (state == null && outboundKey != null && PrivateFiles.attributes(stateFile(outboundKey)) != null
                && SequenceStateFile.writtenBeforeReplayState(dir, outboundKey)) {
            // An upgrade from a release that kept no replay state: nothing was lost, there was
            // nothing. The window starts here; what was captured before it cannot be told apart.
            LOG.log(System.Logger.Level.WARNING, "{0}: no replay state yet (sequence file {1} is from an earlier"
                    + " release): the window starts now, so packets captured before this start could be accepted"
                    + " once; replace the key files to rule that out", replayFile(key), stateFile(outboundKey));
        } else if (state == null && outboundKey != null && PrivateFiles.attributes(stateFile(outboundKey)) != null) {
            throw new SequenceStateException(replayFile(key) + ": missing, while "
                    + stateFile(outbound.material().fingerprint()) + " of the same tunnel's outbound key exists:"
                    + " the SA stays down rather than accept again what it accepted before"
                    + " (restore the file, or install new key material)");
        }
        long floor = state == null ? 0 : state.acceptedThrough();
        long mark = floor + Math.min(block, limit - floor);
        if (mark != floor) {
            persistReplay(inbound.spi(), key, mark);
        }
        ReplayTopCell cell = ReplayTopCell.open(topCellFile(key));
        ReplayReservation r = ReplayReservation.persisted(this, inbound.spi(), key, limit, block,
                new ReplayWindow(windowSize, esn), floor, mark, cell);
        replays.put(key, r);
        return r;
    }

    /**
     * The lifetime of the SA of {@code keys} carried on from the usage file (a key without one
     * starts now, with nothing carried); its first step is written before this returns. Only
     * for SAs with limits. A damaged or untrusted file is an error, never a fresh lifetime.
     */
    public UsageReservation reserveUsage(SaKeys keys, Direction direction, SaLimits limits, Instant now)
            throws IOException {
        if (closing) {
            throw new IllegalStateException(dir + ": sequence store closed");
        }
        return UsageReservation.open(this, keys, direction, limits, block, now);
    }

    void persistUsage(UsageStateFile.State s) throws IOException {
        UsageStateFile.write(dir, s);
    }

    /** The usage file of key {@code key} in this store (it may not exist yet). */
    public Path usageFile(KeyFingerprint key) {
        return UsageStateFile.path(dir, key);
    }

    /** The exact-top cell beside the replay file of inbound key {@code key} ({@link ReplayTopCell}). */
    public Path topCellFile(KeyFingerprint key) {
        Path replay = replayFile(key);
        return replay.resolveSibling(replay.getFileName() + ".top");
    }

    /** The replay file of inbound key {@code key} in this store (it may not exist yet). */
    public Path replayFile(KeyFingerprint key) {
        return ReplayStateFile.path(dir, key);
    }

    /** Replay windows open now. */
    public List<ReplayReservation> replayReservations() {
        return List.copyOf(replays.values());
    }

    void persistReplay(int spi, KeyFingerprint key, long mark) throws IOException {
        ReplayStateFile.write(dir, new ReplayStateFile.State(spi, key, mark));
    }

    void forget(ReplayReservation r) {
        replays.remove(r.key(), r);
    }

    /** The state file of {@code key} in this store (it may not exist yet). */
    public Path stateFile(KeyFingerprint key) {
        return SequenceStateFile.path(dir, key);
    }

    public Path directory() {
        return dir;
    }

    /** Reservations open now. */
    public List<SequenceReservation> reservations() {
        return List.copyOf(open.values());
    }

    void persist(int spi, KeyFingerprint key, long mark) throws IOException {
        SequenceStateFile.write(dir, new SequenceStateFile.State(spi, key, mark));
    }

    void wake() {
        Thread t = refiller;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void forget(SequenceReservation r) {
        open.remove(r.key(), r);
    }

    private void refillLoop() {
        while (!closing) {
            boolean failed = false;
            for (SequenceReservation r : open.values()) {
                if (r.refillRequested()) {
                    try {
                        r.refill();
                    } catch (IOException | RuntimeException e) {
                        // Recorded in the reservation (lastError); the data path keeps
                        // refusing past the mark until a retry gets the block on disk.
                        failed = true;
                    }
                }
            }
            for (ReplayReservation r : replays.values()) {
                if (r.refillRequested()) {
                    try {
                        r.refill();
                    } catch (IOException | RuntimeException e) {
                        // As above: the window refuses past its mark until a retry lands.
                        failed = true;
                    }
                }
            }
            // A request that arrives while this loop runs unparks the thread first, so the
            // park below returns at once and the request is not missed.
            LockSupport.parkNanos(this, failed ? RETRY_NANOS : RETRY_NANOS * 10);
        }
    }

    /** Closes every reservation and window (writing back exact marks), stops the thread, releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        if (refiller != null) {
            LockSupport.unpark(refiller);
            try {
                refiller.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SequenceReservation r : open.values()) {
            r.close();
        }
        for (ReplayReservation r : replays.values()) {
            r.close();
        }
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }

    @Override
    public String toString() {
        return "sequence store " + dir + " (" + open.size() + " SAs, block " + block + ")";
    }
}
