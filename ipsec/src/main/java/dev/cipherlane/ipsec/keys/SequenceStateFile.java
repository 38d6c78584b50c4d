package dev.cipherlane.ipsec.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The file that remembers, for one key, the highest ESP sequence number the sender may have
 * used: {@code sa-<key fingerprint>.seq} in the state directory. The state is per key, not
 * per SPI, because the GCM nonce is salt and sequence number (RFC 4106 section 4): what must
 * never repeat is the number under the key, whatever SPI the key is used with.
 *
 * <pre>
 * # Cipherlane ESP sequence reservation. Do not edit: ...
 * version 1
 * spi 0x00002001
 * key-fingerprint 0123456789abcdef
 * reserved-through 1048576
 * crc32c 1a2b3c4d
 * </pre>
 *
 * The CRC-32C covers every byte before its line, so a damaged file is told apart from a
 * valid one with another number. Writes are atomic and durable: a temporary file is written
 * and fsynced, renamed over the old one, and the directory fsynced so the rename itself
 * survives a power cut. A crash at any point leaves either the old or the new file.
 */
final class SequenceStateFile {
    static final String SUFFIX = ".seq";
    static final String TEMP_SUFFIX = ".seq.tmp";
    private static final String HEADER = "# Cipherlane ESP sequence reservation. Do not edit: a lower number makes the"
            + " node reuse nonces under this key.";
    private static final String[] KEYWORDS = {"version", "spi", "key-fingerprint", "reserved-through", "crc32c"};
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
                throw corrupt(file, 0, "more than " + MAX_BYTES + " bytes, expected a state file of 6 lines");
            }
            raw = Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException raced) {
            return null;
        }
        State s = parse(file, raw, limit);
        if (!s.key().equals(key)) {
            throw corrupt(file, 4, "key-fingerprint " + s.key() + " does not match the file name, expected " + key);
        }
        return s;
    }

    private static State parse(Path file, byte[] raw, long limit) throws SequenceStateException {
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
        Long spi = values[1].startsWith("0x") ? parseHex(values[1].substring(2), 8) : null;
        if (spi == null) {
            throw corrupt(file, 3, "bad spi, expected 0x and 8 hex digits, got " + quote(values[1]));
        }
        KeyFingerprint key = KeyFingerprint.parse(values[2]);
        if (key == null) {
            throw corrupt(file, 4, "bad key-fingerprint, expected 16 lower-case hex digits, got " + quote(values[2]));
        }
        long mark;
        try {
            mark = Long.parseLong(values[3]);
        } catch (NumberFormatException e) {
            mark = -1;
        }
        if (mark < 0 || mark > limit || !values[3].equals(Long.toString(mark))) {
            throw corrupt(file, 5, "bad reserved-through, expected a decimal number in 0.." + limit + ", got "
                    + quote(values[3]));
        }
        return new State((int) (long) spi, key, mark);
    }

    /** Replaces the state of {@code s.key()} in {@code dir}, durably, as described above. */
    static void write(Path dir, State s) throws IOException {
        Path file = path(dir, s.key());
        Path temp = dir.resolve("sa-" + s.key().hex() + TEMP_SUFFIX);
        StringBuilder b = new StringBuilder(256)
                .append(HEADER).append('\n')
                .append("version 1\n")
                .append("spi ").append(SaKeys.spiText(s.spi())).append('\n')
                .append("key-fingerprint ").append(s.key().hex()).append('\n')
                .append("reserved-through ").append(s.reservedThrough()).append('\n');
        int crcStart = b.length();
        b.append("crc32c ");
        byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
        String tail = hex8(crc(head, crcStart)) + "\n";
        byte[] bytes = (b + tail).getBytes(StandardCharsets.US_ASCII);

        // A temp file left by a crash may have any mode: start from a fresh one, owner-only.
        Files.deleteIfExists(temp);
        try (FileChannel ch = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        // rename(2): atomic, replaces the old file; then the directory entry must reach the disk.
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
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

    private static SequenceStateException corrupt(Path file, int line, String what) {
        return new SequenceStateException(file + (line > 0 ? ":" + line : "") + ": " + what
                + "; the SA stays down rather than guess where its sequence numbers stopped"
                + " (restore the file, or install new key material)");
    }
}
