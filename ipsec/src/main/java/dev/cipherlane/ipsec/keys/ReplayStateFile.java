package dev.cipherlane.ipsec.keys;

import dev.cipherlane.linux.files.DurableFile;
import dev.cipherlane.linux.files.Record;
import dev.cipherlane.linux.files.RecordFileException;
import dev.cipherlane.linux.files.RecordFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * The file that remembers, for one inbound key, the highest ESP sequence number its replay
 * window may have accepted: {@code sa-<key fingerprint>.replay}, beside the outbound
 * {@code .seq} files in the sequence store. Per key, as the sender's counter is (RFC 4303
 * section 3.4.3: the window must cover every number the key was ever accepted with).
 *
 * <pre>
 * # Cipherlane ESP replay mark. Do not edit: ...
 * cipherlane-esp-replay 1
 * replay spi=0x00002001 key-fingerprint=0123456789abcdef accepted-through=1048576
 * end 1 crc32c=1a2b3c4d
 * </pre>
 *
 * A checksummed {@link RecordFormat} written through {@link DurableFile}, owner-only, as the
 * sequence files are: a crash leaves the old or the new mark, and a damaged file is refused.
 */
final class ReplayStateFile {
    static final String SUFFIX = ".replay";
    private static final String HEADER = "Cipherlane ESP replay mark. Do not edit: a lower number makes the"
            + " node accept replayed packets under this key.";
    private static final String REPLAY = "replay";
    private static final String SPI = "spi";
    private static final String KEY = "key-fingerprint";
    private static final String ACCEPTED_THROUGH = "accepted-through";
    static final RecordFormat FORMAT = RecordFormat.of("cipherlane-esp-replay", 1, "an ESP replay file", REPLAY,
            RecordFormat.Kind.repeated(REPLAY, null, List.of(SPI, KEY, ACCEPTED_THROUGH), List.of())).checksummed();

    /** What the file says: every number up to {@code acceptedThrough} may have been accepted. */
    record State(int spi, KeyFingerprint key, long acceptedThrough) {}

    private ReplayStateFile() {}

    static Path path(Path dir, KeyFingerprint key) {
        return dir.resolve("sa-" + key.hex() + SUFFIX);
    }

    /** The mark of {@code key} in {@code dir}, or null when the key has none yet. */
    static State read(Path dir, KeyFingerprint key, long limit) throws IOException {
        Path file = path(dir, key);
        byte[] raw = SequenceStateFile.readTrusted(file);
        if (raw == null) {
            return null;
        }
        List<Record> records;
        try {
            records = FORMAT.read(file, raw);
        } catch (RecordFileException e) {
            throw corrupt(file, e.line(), e.problem());
        }
        if (records.size() != 1) {
            throw corrupt(file, 0, "expected one " + REPLAY + " record, got " + records.size());
        }
        Record r = records.getFirst();
        String spiText = r.get(SPI);
        if (!spiText.matches("0x[0-9a-f]{8}")) {
            throw corrupt(file, r.line(), "bad spi, expected 0x and 8 hex digits, got " + spiText);
        }
        KeyFingerprint got = KeyFingerprint.parse(r.get(KEY));
        if (!key.equals(got)) {
            throw corrupt(file, r.line(), "key-fingerprint " + r.get(KEY) + " does not match the file name, expected "
                    + key);
        }
        String markText = r.get(ACCEPTED_THROUGH);
        long mark = markText.matches("0|[1-9][0-9]{0,18}") ? Long.parseLong(markText) : -1;
        if (mark < 0 || mark > limit) {
            throw corrupt(file, r.line(), "bad accepted-through, expected a decimal number in 0.." + limit + ", got "
                    + markText);
        }
        return new State((int) HexFormat.fromHexDigitsToLong(spiText.substring(2)), key, mark);
    }

    /** Replaces the mark of {@code s.key()} in {@code dir}, durably. */
    static void write(Path dir, State s) throws IOException {
        byte[] bytes = FORMAT.writer(HEADER).record(REPLAY, null).field(SPI, SaKeys.spiText(s.spi()))
                .field(KEY, s.key().hex()).field(ACCEPTED_THROUGH, s.acceptedThrough()).toBytes();
        DurableFile.replace(path(dir, s.key()), bytes, DurableFile.OWNER_ONLY);
    }

    private static SequenceStateException corrupt(Path file, int line, String what) {
        return new SequenceStateException(file + (line > 0 ? ":" + line : "") + ": " + what
                + "; the SA stays down rather than guess which packets it already accepted"
                + " (restore the file, or install new key material)");
    }
}
