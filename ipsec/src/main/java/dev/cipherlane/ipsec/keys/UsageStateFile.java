package dev.cipherlane.ipsec.keys;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.linux.files.DurableFile;
import dev.cipherlane.linux.files.Record;
import dev.cipherlane.linux.files.RecordFileException;
import dev.cipherlane.linux.files.RecordFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What one SA's key has carried, for its lifetime limits (RFC 4301 section 4.4.2.1):
 * {@code sa-<key fingerprint>.usage} in the sequence store, beside the key's {@code .seq} or
 * {@code .replay} file.
 *
 * <pre>
 * # Cipherlane ESP SA usage. Do not edit: ...
 * cipherlane-esp-usage 1
 * usage spi=0x00002001 key-fingerprint=0123456789abcdef direction=inbound packets-through=4096 bytes-through=0 started=1765130000000
 * end 1 crc32c=1a2b3c4d
 * </pre>
 *
 * The counts are at least what the SA carried (rounded up to what was reserved when the file
 * was written); {@code started} is when the key came into use, in milliseconds since the
 * epoch, so a lifetime runs on across restarts. Checksummed and written through
 * {@link DurableFile} like the sequence files.
 */
final class UsageStateFile {
    static final String SUFFIX = ".usage";
    private static final String HEADER = "Cipherlane ESP SA usage. Do not edit: lower numbers let the SA carry"
            + " traffic past its lifetime limits.";
    private static final String USAGE = "usage";
    private static final String SPI = "spi";
    private static final String KEY = "key-fingerprint";
    private static final String DIRECTION = "direction";
    private static final String PACKETS = "packets-through";
    private static final String BYTES = "bytes-through";
    private static final String STARTED = "started";
    static final RecordFormat FORMAT = RecordFormat.of("cipherlane-esp-usage", 1, "an ESP SA usage file", USAGE,
            RecordFormat.Kind.repeated(USAGE, null, List.of(SPI, KEY, DIRECTION, PACKETS, BYTES, STARTED), List.of()))
            .checksummed();

    record State(int spi, KeyFingerprint key, Direction direction, long packetsThrough, long bytesThrough,
            long startedMillis) {}

    private UsageStateFile() {}

    static Path path(Path dir, KeyFingerprint key) {
        return dir.resolve("sa-" + key.hex() + SUFFIX);
    }

    /** The usage of {@code key} in {@code dir}, or null when the key has none yet. */
    static State read(Path dir, KeyFingerprint key, Direction direction) throws IOException {
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
            throw corrupt(file, 0, "expected one " + USAGE + " record, got " + records.size());
        }
        Record r = records.getFirst();
        int line = r.line();
        String spiText = r.get(SPI);
        if (!spiText.matches("0x[0-9a-f]{8}")) {
            throw corrupt(file, line, "bad spi, expected 0x and 8 hex digits, got " + spiText);
        }
        if (!key.equals(KeyFingerprint.parse(r.get(KEY)))) {
            throw corrupt(file, line, "key-fingerprint " + r.get(KEY) + " does not match the file name, expected " + key);
        }
        if (!r.get(DIRECTION).equals(word(direction))) {
            throw corrupt(file, line, "direction " + r.get(DIRECTION) + ", expected " + word(direction));
        }
        return new State((int) HexFormat.fromHexDigitsToLong(spiText.substring(2)), key, direction,
                count(file, line, PACKETS, r.get(PACKETS)), count(file, line, BYTES, r.get(BYTES)),
                count(file, line, STARTED, r.get(STARTED)));
    }

    static void write(Path dir, State s) throws IOException {
        byte[] bytes = FORMAT.writer(HEADER).record(USAGE, null).field(SPI, SaKeys.spiText(s.spi()))
                .field(KEY, s.key().hex()).field(DIRECTION, word(s.direction())).field(PACKETS, s.packetsThrough())
                .field(BYTES, s.bytesThrough()).field(STARTED, s.startedMillis()).toBytes();
        DurableFile.replace(path(dir, s.key()), bytes, DurableFile.OWNER_ONLY);
    }

    private static String word(Direction d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    private static long count(Path file, int line, String field, String text) throws SequenceStateException {
        if (!text.matches("0|[1-9][0-9]{0,18}")) {
            throw corrupt(file, line, "bad " + field + ", expected a decimal number, got " + text);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw corrupt(file, line, "bad " + field + ", expected at most " + Long.MAX_VALUE + ", got " + text);
        }
    }

    private static SequenceStateException corrupt(Path file, int line, String what) {
        return new SequenceStateException(file + (line > 0 ? ":" + line : "") + ": " + what
                + "; the SA stays down rather than start its lifetime over"
                + " (restore the file, or install new key material)");
    }
}
