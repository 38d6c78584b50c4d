package dev.cipherlane.ipsec.keys;

import dev.cipherlane.linux.files.DurableFile;
import dev.cipherlane.linux.files.Record;
import dev.cipherlane.linux.files.RecordFileException;
import dev.cipherlane.linux.files.RecordFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The file that remembers, for one key, the highest ESP sequence number the sender may have
 * used: {@code sa-<key fingerprint>.seq} in the state directory. The state is per key, not
 * per SPI, because the GCM nonce is salt and sequence number (RFC 4106 section 4): what must
 * never repeat is the number under the key, whatever SPI the key is used with.
 *
 * <pre>
 * # Cipherlane ESP sequence reservation. Do not edit: ...
 * cipherlane-esp-sequence 2
 * reservation spi=0x00002001 key-fingerprint=0123456789abcdef reserved-through=1048576
 * end 1 crc32c=1a2b3c4d
 * </pre>
 *
 * A checksummed {@link RecordFormat}: the CRC-32C covers every byte before its line, so a
 * damaged file is told apart from a valid one with another number. Version 1, one
 * {@code keyword value} line per field and a {@code crc32c} line, is still read: a node
 * upgraded onto this release must continue its SAs' numbers, not start them over. Writes
 * go through {@link DurableFile}, owner-only: a crash at any point leaves either the old or
 * the new file.
 */
final class SequenceStateFile {
    static final String SUFFIX = ".seq";
    private static final String HEADER = "Cipherlane ESP sequence reservation. Do not edit: a lower number makes the"
            + " node reuse nonces under this key.";
    private static final String RESERVATION = "reservation";
    private static final String SPI = "spi";
    private static final String KEY = "key-fingerprint";
    private static final String RESERVED_THROUGH = "reserved-through";
    static final RecordFormat FORMAT = RecordFormat.of("cipherlane-esp-sequence", 2, "an ESP sequence file",
            RESERVATION, RecordFormat.Kind.repeated(RESERVATION, null, List.of(SPI, KEY, RESERVED_THROUGH), List.of()))
            .checksummed();
    /** Version 1's lines after its comment header, in order. */
    private static final String[] KEYWORDS = {"version", SPI, KEY, RESERVED_THROUGH, "crc32c"};
    private static final int MAX_BYTES = 4096;

    /** What the file says: the number is the highest the sender may have used under the key. */
    record State(int spi, KeyFingerprint key, long reservedThrough) {}

    private SequenceStateFile() {}

    static Path path(Path dir, KeyFingerprint key) {
        return dir.resolve("sa-" + key.hex() + SUFFIX);
    }

    /** The state of {@code key} in {@code dir}, or null when the key has no state yet. */
    static State read(Path dir, KeyFingerprint key, long limit) throws IOException {
        Path file = path(dir, key);
        byte[] raw = readTrusted(file);
        if (raw == null) {
            return null;
        }
        return FORMAT.claims(raw) ? parse(file, raw, key, limit) : parseVersion1(file, raw, key, limit);
    }

    /**
     * Whether the state of {@code key} in {@code dir} is in version 1, the format of releases
     * that kept no replay state yet: its SA's missing replay file was never written, not lost.
     */
    static boolean writtenBeforeReplayState(Path dir, KeyFingerprint key) throws IOException {
        byte[] raw = readTrusted(path(dir, key));
        return raw != null && !FORMAT.claims(raw);
    }

    /**
     * The bytes of a state file the node may trust (owner-only, not a link, a few lines), or
     * null when there is none. Shared by the state files of one key's SAs.
     */
    static byte[] readTrusted(Path file) throws IOException {
        PosixFileAttributes a = PrivateFiles.attributes(file);
        if (a == null) {
            return null;
        }
        String problem = PrivateFiles.stateProblem(file, a, false);
        if (problem != null) {
            throw new SequenceStateException(problem);
        }
        byte[] raw;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(MAX_BYTES + 1);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read until full or end of file
            }
            if (buf.position() > MAX_BYTES) {
                throw corrupt(file, 0, "more than " + MAX_BYTES + " bytes, expected a state file of a few lines");
            }
            raw = Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException raced) {
            return null;
        }
        return raw;
    }

    private static State parse(Path file, byte[] raw, KeyFingerprint expected, long limit)
            throws SequenceStateException {
        List<Record> records;
        try {
            records = FORMAT.read(file, raw);
        } catch (RecordFileException e) {
            throw corrupt(file, e.line(), e.problem());
        }
        if (records.size() != 1) {
            throw corrupt(file, 0, "expected one " + RESERVATION + " record, got " + records.size());
        }
        Record r = records.getFirst();
        int line = r.line();
        return state(file, expected, limit, line, r.get(SPI), line, r.get(KEY), line, r.get(RESERVED_THROUGH));
    }

    /** The layout before the record format: six lines, each field on its own. */
    private static State parseVersion1(Path file, byte[] raw, KeyFingerprint expected, long limit)
            throws SequenceStateException {
        String text = new String(raw, StandardCharsets.US_ASCII);
        String[] lines = text.split("\n", -1);
        // Header, five keyword lines, and the empty string after the final newline.
        if (lines.length != 7 || !lines[6].isEmpty()) {
            throw corrupt(file, 0, "expected a header and " + KEYWORDS.length + " lines ending in a newline, got "
                    + (lines.length - 1) + " lines" + (lines[lines.length - 1].isEmpty() ? "" : " and a truncated last line"));
        }
        if (!lines[0].startsWith("#")) {
            throw corrupt(file, 1, "expected the comment header, got a line not starting with #");
        }
        String[] values = new String[KEYWORDS.length];
        for (int k = 0; k < KEYWORDS.length; k++) {
            String line = lines[k + 1];
            String prefix = KEYWORDS[k] + " ";
            if (!line.startsWith(prefix)) {
                throw corrupt(file, k + 2, "expected '" + KEYWORDS[k] + " <value>', got " + quote(line));
            }
            values[k] = line.substring(prefix.length());
        }
        int crcStart = text.lastIndexOf("\ncrc32c ") + 1;
        long crc = crc(raw, crcStart);
        Long stored = parseHex(values[4], 8);
        if (stored == null) {
            throw corrupt(file, 6, "bad crc32c, expected 8 hex digits, got " + quote(values[4]));
        }
        if (stored != crc) {
            throw corrupt(file, 6, "crc32c mismatch, expected " + hex8(crc) + " (over the lines above), got "
                    + quote(values[4]) + ": the file is damaged");
        }
        if (!values[0].equals("1")) {
            throw corrupt(file, 2, "unsupported version, expected 1, got " + quote(values[0]));
        }
        return state(file, expected, limit, 3, values[1], 4, values[2], 5, values[3]);
    }

    /** The three values, each checked on the line it came from. */
    private static State state(Path file, KeyFingerprint expected, long limit, int spiLine, String spiText,
            int keyLine, String keyText, int markLine, String markText) throws SequenceStateException {
        Long spi = spiText.startsWith("0x") ? parseHex(spiText.substring(2), 8) : null;
        if (spi == null) {
            throw corrupt(file, spiLine, "bad spi, expected 0x and 8 hex digits, got " + quote(spiText));
        }
        KeyFingerprint key = KeyFingerprint.parse(keyText);
        if (key == null) {
            throw corrupt(file, keyLine, "bad key-fingerprint, expected 16 lower-case hex digits, got "
                    + quote(keyText));
        }
        long mark;
        try {
            mark = Long.parseLong(markText);
        } catch (NumberFormatException e) {
            mark = -1;
        }
        if (mark < 0 || mark > limit || !markText.equals(Long.toString(mark))) {
            throw corrupt(file, markLine, "bad reserved-through, expected a decimal number in 0.." + limit + ", got "
                    + quote(markText));
        }
        if (!key.equals(expected)) {
            throw corrupt(file, keyLine, "key-fingerprint " + key + " does not match the file name, expected "
                    + expected);
        }
        return new State((int) (long) spi, key, mark);
    }

    /** Replaces the state of {@code s.key()} in {@code dir}, durably, in the current version. */
    static void write(Path dir, State s) throws IOException {
        byte[] bytes = FORMAT.writer(HEADER).record(RESERVATION, null).field(SPI, SaKeys.spiText(s.spi()))
                .field(KEY, s.key().hex()).field(RESERVED_THROUGH, s.reservedThrough()).toBytes();
        DurableFile.replace(path(dir, s.key()), bytes, DurableFile.OWNER_ONLY);
    }

    /** CRC-32C of {@code raw[0, end)}. */
    private static long crc(byte[] raw, int end) {
        CRC32C c = new CRC32C();
        c.update(raw, 0, end);
        return c.getValue();
    }

    private static Long parseHex(String s, int digits) {
        if (s.length() != digits) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return null;
            }
        }
        return HexFormat.fromHexDigitsToLong(s);
    }

    private static String hex8(long v) {
        return String.format("%08x", v);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= ' ' && c < 0x7f ? c : '?');
        }
        return b.append(s.length() > 40 ? "...'" : "'").toString();
    }

    static SequenceStateException corrupt(Path file, int line, String what) {
        return new SequenceStateException(file + (line > 0 ? ":" + line : "") + ": " + what
                + "; the SA stays down rather than guess where its sequence numbers stopped"
                + " (restore the file, or install new key material)");
    }
}
