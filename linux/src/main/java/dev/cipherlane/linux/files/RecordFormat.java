package dev.cipherlane.linux.files;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * The one text format of the files the node keeps across restarts, written and read only
 * by us, one record a line:
 *
 * <pre>
 * # comment lines and blank lines are ignored
 * cipherlane-node-state 1
 * pod pod-a netns=pod-a mtu=1400 queues=1
 * pod pod-b netns=pod-b mtu=1400 queues=4
 * end 2
 * </pre>
 *
 * The first line names the format and its version, so a newer service can tell an older
 * file apart. Each record is a kind, for some kinds a subject, and key=value fields, split
 * by single spaces. The {@code end} line counts the repeated records: a file cut short by a
 * disk fault lacks it and is refused, rather than read as a node with fewer pods whose taps
 * would then be forgotten. A checksummed format ends {@code end 1 crc32c=1a2b3c4d}, the
 * CRC-32C (RFC 3720 appendix B.4) of every byte before that line, for files where a
 * flipped digit must not pass for another valid value.
 *
 * <p>The reader is strict, and says where: an unknown version or record, a missing,
 * unknown or repeated field, a line cut short, bytes that are not UTF-8, or text after
 * the {@code end} line stop it with the file and line number. Values are the format's own
 * business ({@link Record}'s readers for the common ones).
 */
public final class RecordFormat {

    /**
     * A kind of record line.
     *
     * @param subject the placeholder for the word after the kind in messages ({@code <name>}),
     *                or null when the kind takes none
     * @param single  exactly once per file, before the repeated records, and not counted
     */
    public record Kind(String word, String subject, List<String> required, List<String> optional, boolean single) {
        public Kind {
            required = List.copyOf(required);
            optional = List.copyOf(optional);
            if (word.equals(END) || !WORD.matcher(word).matches()) {
                throw new IllegalArgumentException("record kind \"" + word + "\"");
            }
        }

        /** A record that may appear any number of times; the end line counts them. */
        public static Kind repeated(String word, String subject, List<String> required, List<String> optional) {
            return new Kind(word, subject, required, optional, false);
        }

        /** A record that appears once, first. */
        public static Kind single(String word, String subject, List<String> required, List<String> optional) {
            return new Kind(word, subject, required, optional, true);
        }

        boolean allows(String key) {
            return required.contains(key) || optional.contains(key);
        }
    }

    private static final String END = "end";
    private static final String CRC = "crc32c";
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,8}");
    private static final Pattern CRC_HEX = Pattern.compile("[0-9a-f]{8}");

    private final String magic;
    private final int version;
    private final String description;
    private final String countNoun;
    private final boolean checksummed;
    private final Map<String, Kind> kinds;

    private RecordFormat(String magic, int version, String description, String countNoun, boolean checksummed,
            Map<String, Kind> kinds) {
        this.magic = magic;
        this.version = version;
        this.description = description;
        this.countNoun = countNoun;
        this.checksummed = checksummed;
        this.kinds = kinds;
    }

    /**
     * A format whose first line is {@code <magic> <version>}.
     *
     * @param description what the file is, to follow "not": {@code "a node state file"}
     * @param countNoun   what the end line counts: {@code "pod"} reads "end &lt;pod count&gt;"
     */
    public static RecordFormat of(String magic, int version, String description, String countNoun, Kind... kinds) {
        if (!WORD.matcher(magic).matches() || version < 1) {
            throw new IllegalArgumentException("format " + magic + " " + version);
        }
        Map<String, Kind> byWord = new LinkedHashMap<>();
        for (Kind k : kinds) {
            if (byWord.put(k.word(), k) != null) {
                throw new IllegalArgumentException("record kind \"" + k.word() + "\" declared twice");
            }
        }
        return new RecordFormat(magic, version, description, countNoun, false, byWord);
    }

    /** This format with a CRC-32C on its end line. */
    public RecordFormat checksummed() {
        return new RecordFormat(magic, version, description, countNoun, true, kinds);
    }

    public String magic() {
        return magic;
    }

    public int version() {
        return version;
    }

    /** Whether {@code content}'s first line that is not a comment claims this format, any version. */
    public boolean claims(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                return line.startsWith(magic + " ");
            }
        }
        return false;
    }

    /** The records of {@code content}, in file order; {@code file} is for messages only. */
    public List<Record> read(Path file, byte[] content) throws RecordFileException {
        List<Record> records = new ArrayList<>();
        Set<String> singles = new HashSet<>();
        boolean header = false;
        boolean ended = false;
        int counted = 0;
        int lineNumber = 0;
        int start = 0;
        while (start < content.length) {
            int lineStart = start;
            int end = indexOf(content, (byte) '\n', start);
            lineNumber++;
            if (end == content.length) {
                // The writer ends every line; a file cut short by a disk fault may not.
                throw new RecordFileException(file, lineNumber, "ends in the middle of this line: the file is truncated");
            }
            String line = utf8(file, lineNumber, content, start, end);
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (ended) {
                throw new RecordFileException(file, lineNumber, "text after the \"" + END + "\" line");
            }
            String[] words = line.split(" ", -1);
            if (!header) {
                header(file, lineNumber, words);
                header = true;
                continue;
            }
            if (words[0].equals(END)) {
                end(file, lineNumber, words, content, lineStart, counted);
                ended = true;
                continue;
            }
            Kind kind = kinds.get(words[0]);
            if (kind == null) {
                throw new RecordFileException(file, lineNumber, "unknown record \"" + words[0] + "\", expected "
                        + expectedKinds());
            }
            Record record = record(file, lineNumber, kind, words);
            if (kind.single()) {
                if (!singles.add(kind.word())) {
                    throw new RecordFileException(file, lineNumber, "a second \"" + kind.word() + "\" record");
                }
                if (counted > 0) {
                    throw new RecordFileException(file, lineNumber, "the \"" + kind.word()
                            + "\" record must come before the others");
                }
            } else {
                counted++;
            }
            records.add(record);
        }
        if (!header) {
            throw new RecordFileException(file, 0, "empty: no \"" + magic + "\" line");
        }
        if (!ended) {
            throw new RecordFileException(file, lineNumber, "ends without its \"" + endShape()
                    + "\" line: the file is truncated");
        }
        for (Kind k : kinds.values()) {
            if (k.single() && !singles.contains(k.word())) {
                throw new RecordFileException(file, 0, "no \"" + k.word() + "\" record");
            }
        }
        return records;
    }

    private void header(Path file, int line, String[] words) throws RecordFileException {
        if (words.length != 2 || !words[0].equals(magic)) {
            throw new RecordFileException(file, line, "not " + description + ": expected \"" + magic + " " + version
                    + "\" first");
        }
        if (!words[1].equals(Integer.toString(version))) {
            throw new RecordFileException(file, line, "version " + words[1] + " is not one this service reads ("
                    + version + ")");
        }
    }

    private void end(Path file, int line, String[] words, byte[] content, int lineStart, int counted)
            throws RecordFileException {
        boolean shaped = words.length == (checksummed ? 3 : 2) && COUNT.matcher(words[1]).matches()
                && (!checksummed || words[2].startsWith(CRC + "=")
                        && CRC_HEX.matcher(words[2].substring(CRC.length() + 1)).matches());
        if (!shaped) {
            throw new RecordFileException(file, line, "expected \"" + endShape() + "\"");
        }
        if (checksummed) {
            String expected = crc(content, lineStart);
            String got = words[2].substring(CRC.length() + 1);
            if (!got.equals(expected)) {
                throw new RecordFileException(file, line, CRC + " mismatch, expected " + expected
                        + " (over the lines above), got " + got + ": the file is damaged");
            }
        }
        if (Integer.parseInt(words[1]) != counted) {
            throw new RecordFileException(file, line, "says " + words[1] + " " + countNoun + "s, " + counted
                    + " precede it");
        }
    }

    private static Record record(Path file, int line, Kind kind, String[] words) throws RecordFileException {
        int first = 1;
        String subject = null;
        if (kind.subject() != null) {
            if (words.length < 2 || words[1].isEmpty() || words[1].contains("=")) {
                throw new RecordFileException(file, line, "expected \"" + kind.word() + " " + kind.subject()
                        + " key=value...\"");
            }
            subject = words[1];
            first = 2;
        }
        String where = subject == null ? kind.word() : kind.word() + " " + subject;
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = first; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new RecordFileException(file, line, where + ": \"" + words[i] + "\" is not key=value");
            }
            String key = words[i].substring(0, eq);
            if (!kind.allows(key)) {
                throw new RecordFileException(file, line, where + ": unknown field \"" + key + "\"");
            }
            if (fields.put(key, words[i].substring(eq + 1)) != null) {
                throw new RecordFileException(file, line, where + ": field \"" + key + "\" given twice");
            }
        }
        for (String key : kind.required()) {
            if (!fields.containsKey(key)) {
                throw new RecordFileException(file, line, where + ": field \"" + key + "\" is missing");
            }
        }
        return new Record(file, line, kind.word(), subject, fields);
    }

    private String expectedKinds() {
        List<String> words = new ArrayList<>(kinds.keySet());
        words.add(END);
        String quoted = words.stream().map(w -> "\"" + w + "\"").collect(Collectors.joining(", "));
        int last = quoted.lastIndexOf(", ");
        return quoted.substring(0, last) + " or" + quoted.substring(last + 1);
    }

    private String endShape() {
        return END + " <" + countNoun + " count>" + (checksummed ? " " + CRC + "=<8 hex digits>" : "");
    }

    /** Lower-case hex of the CRC-32C of {@code content[0, end)}. */
    private static String crc(byte[] content, int end) {
        CRC32C c = new CRC32C();
        c.update(content, 0, end);
        return String.format("%08x", c.getValue());
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return b.length;
    }

    private static String utf8(Path file, int line, byte[] b, int from, int to) throws RecordFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RecordFileException(file, line, "not UTF-8 text");
        }
    }

    /** A file's text in this format: comments, the header, records, then {@link #toBytes} adds the end line. */
    public Writer writer(String... comments) {
        return new Writer(comments);
    }

    /** Builds one file; the format's own checks keep a value from breaking its line. */
    public final class Writer {
        private final StringBuilder text = new StringBuilder();
        private Kind current;
        private int counted;

        private Writer(String[] comments) {
            for (String c : comments) {
                checkText(c);
                text.append("# ").append(c).append('\n');
            }
            text.append(magic).append(' ').append(version).append('\n');
        }

        /** Starts a record; {@code subject} is null exactly when its kind takes none. */
        public Writer record(String kind, String subject) {
            Kind k = kinds.get(kind);
            if (k == null || (k.subject() == null) != (subject == null)) {
                throw new IllegalArgumentException("record \"" + kind + "\" with subject " + subject
                        + " is not in " + magic);
            }
            finishLine();
            text.append(kind);
            if (subject != null) {
                checkWord(subject);
                if (subject.isEmpty() || subject.indexOf('=') >= 0) {
                    throw new IllegalArgumentException("\"" + subject + "\" cannot be a record's subject");
                }
                text.append(' ').append(subject);
            }
            current = k;
            if (!k.single()) {
                counted++;
            }
            return this;
        }

        public Writer field(String key, Object value) {
            if (current == null || !current.allows(key)) {
                throw new IllegalArgumentException("field \"" + key + "\" is not one of "
                        + (current == null ? "no record" : current.word()) + "'s");
            }
            String v = String.valueOf(value);
            checkWord(v);
            text.append(' ').append(key).append('=').append(v);
            return this;
        }

        /** The whole file, ending in the end line. */
        public byte[] toBytes() {
            finishLine();
            String end = END + " " + counted;
            if (checksummed) {
                byte[] before = text.toString().getBytes(StandardCharsets.UTF_8);
                end += " " + CRC + "=" + crc(before, before.length);
            }
            return text.append(end).append('\n').toString().getBytes(StandardCharsets.UTF_8);
        }

        private void finishLine() {
            if (current != null) {
                text.append('\n');
                current = null;
            }
        }

        private static void checkWord(String word) {
            if (word.indexOf(' ') >= 0 || word.indexOf('\n') >= 0 || word.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("\"" + word + "\" would break its line");
            }
        }

        private static void checkText(String comment) {
            if (comment.indexOf('\n') >= 0 || comment.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("comment \"" + comment + "\" would break its line");
            }
        }
    }
}
