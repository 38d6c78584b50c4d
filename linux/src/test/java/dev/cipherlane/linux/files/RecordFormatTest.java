package dev.cipherlane.linux.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordFormatTest {
    private static final Path FILE = Path.of("/var/lib/cipherlane/test.state");

    private static final RecordFormat FORMAT = RecordFormat.of("cipherlane-test-state", 1, "a test state file", "pod",
            RecordFormat.Kind.single("node", "<name>", List.of("mtu"), List.of()),
            RecordFormat.Kind.repeated("pod", "<name>", List.of("mtu", "mac"), List.of("queues")));

    private static final RecordFormat CHECKSUMMED = RecordFormat.of("cipherlane-test-sequence", 2,
            "a test sequence file", "reservation",
            RecordFormat.Kind.repeated("reservation", null, List.of("through"), List.of())).checksummed();

    private static final String HEADER = "cipherlane-test-state 1\n";
    private static final String NODE = "node n1 mtu=1500\n";
    private static final String POD = "pod pod-a mtu=1400 mac=02:00:00:00:0a:01\n";

    @Test
    void writesWhatItReads() throws RecordFileException {
        byte[] bytes = FORMAT.writer("written by the test").record("node", "n1").field("mtu", 1500)
                .record("pod", "pod-a").field("mtu", 1400).field("mac", MacAddress.parse("02:00:00:00:0a:01"))
                .record("pod", "pod-b").field("mtu", 9000).field("mac", "02:00:00:00:0b:01").field("queues", 4)
                .toBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertEquals("# written by the test\n" + HEADER + NODE + POD
                + "pod pod-b mtu=9000 mac=02:00:00:00:0b:01 queues=4\nend 2\n", text);
        List<Record> records = FORMAT.read(FILE, bytes);
        assertEquals(3, records.size());
        Record node = records.getFirst();
        assertEquals(new Record(FILE, 3, "node", "n1", Map.of("mtu", "1500")), node);
        Record b = records.get(2);
        assertEquals(5, b.line());
        assertEquals("pod pod-b", b.where());
        assertEquals(9000, b.decimal("mtu"));
        assertEquals(MacAddress.parse("02:00:00:00:0b:01"), b.mac("mac"));
        assertEquals(Optional.of("4"), b.find("queues"));
        assertEquals(Optional.empty(), records.get(1).find("queues"));
    }

    @Test
    void commentsAndBlankLinesAreSkippedAnywhere() throws RecordFileException {
        String text = "# first\n\n" + HEADER + "# between\n" + NODE + "\n" + POD + "end 1\n# after\n\n";
        assertEquals(2, FORMAT.read(FILE, bytes(text)).size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                                                     | 0 | empty: no \"cipherlane-test-state\" line",
        "`# only a comment\\n`                                   | 0 | empty: no \"cipherlane-test-state\" line",
        "`{\"pods\": []}\\n`                                     | 1 | not a test state file: expected \"cipherlane-test-state 1\" first",
        "`cipherlane-test-state\\n`                              | 1 | not a test state file",
        "`cipherlane-test-state 2\\nend 0\\n`                     | 1 | version 2 is not one this service reads (1)",
        "`cipherlane-test-state 01\\nend 0\\n`                    | 1 | version 01 is not one this service reads (1)",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend 0`     | 3 | ends in the middle of this line: the file is truncated",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\n`          | 2 | ends without its \"end <pod count>\" line: the file is truncated",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend 1\\n`   | 3 | says 1 pods, 0 precede it",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend\\n`     | 3 | expected \"end <pod count>\"",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend -1\\n`  | 3 | expected \"end <pod count>\"",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend 0 x\\n` | 3 | expected \"end <pod count>\"",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend 0\\nend 0\\n` | 4 | text after the \"end\" line",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nend 0\\ngarbage\\n` | 4 | text after the \"end\" line",
        "`cipherlane-test-state 1\\ntunnel t1 spi=1\\nend 0\\n`    | 2 | unknown record \"tunnel\", expected \"node\", \"pod\" or \"end\"",
        "`cipherlane-test-state 1\\nend 0\\n`                     | 0 | no \"node\" record",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500\\nnode n2 mtu=1500\\nend 0\\n` | 3 | a second \"node\" record",
        "`cipherlane-test-state 1\\npod a mtu=1 mac=m\\nnode n1 mtu=1500\\nend 1\\n` | 3 | the \"node\" record must come before the others",
        "`cipherlane-test-state 1\\nnode\\nend 0\\n`               | 2 | expected \"node <name> key=value...\"",
        "`cipherlane-test-state 1\\nnode mtu=1500\\nend 0\\n`      | 2 | expected \"node <name> key=value...\"",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500 colour=blue\\nend 0\\n` | 2 | node n1: unknown field \"colour\"",
        "`cipherlane-test-state 1\\nnode n1 mtu=1500 mtu=9000\\nend 0\\n`    | 2 | node n1: field \"mtu\" given twice",
        "`cipherlane-test-state 1\\nnode n1\\nend 0\\n`            | 2 | node n1: field \"mtu\" is missing",
        "`cipherlane-test-state 1\\nnode n1 mtu\\nend 0\\n`        | 2 | node n1: \"mtu\" is not key=value",
        "`cipherlane-test-state 1\\nnode n1 =1500\\nend 0\\n`      | 2 | node n1: \"=1500\" is not key=value",
        "`cipherlane-test-state 1\\nnode n1  mtu=1500\\nend 0\\n`  | 2 | node n1: \"\" is not key=value",
    })
    void refusesNamingTheFileAndLine(String text, int line, String problem) {
        String content = text.replace("\\n", "\n");
        RecordFileException e = assertThrows(RecordFileException.class, () -> FORMAT.read(FILE, bytes(content)));
        assertEquals(FILE, e.file());
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.problem().startsWith(problem), e.getMessage());
        assertEquals(FILE + (line > 0 ? ":" + line : "") + ": " + e.problem(), e.getMessage());
    }

    @Test
    void refusesBytesThatAreNotUtf8OnTheirLine() {
        byte[] bad = (HEADER + "node n\u00e9 mtu=1500\nend 0\n").getBytes(StandardCharsets.ISO_8859_1);
        RecordFileException e = assertThrows(RecordFileException.class, () -> FORMAT.read(FILE, bad));
        assertEquals(FILE + ":2: not UTF-8 text", e.getMessage());
    }

    @Test
    void valueReadersRefuseNamingTheRecord() throws RecordFileException {
        Record r = FORMAT.read(FILE, bytes(HEADER + NODE + "pod pod-a mtu=01400 mac=2:0:0:0:a:1 queues=-1\nend 1\n"))
                .get(1);
        assertEquals(FILE + ":3: pod pod-a: mtu \"01400\" is not a number",
                assertThrows(RecordFileException.class, () -> r.decimal("mtu")).getMessage());
        assertEquals(FILE + ":3: pod pod-a: mac \"2:0:0:0:a:1\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
                assertThrows(RecordFileException.class, () -> r.mac("mac")).getMessage());
        assertEquals(FILE + ":3: pod pod-a: queues \"-1\" is not a number in 0..4294967295",
                assertThrows(RecordFileException.class, () -> r.unsigned32("queues")).getMessage());
        Record big = FORMAT.read(FILE, bytes(HEADER + NODE + "pod p mtu=2147483648 mac=m queues=4294967295\nend 1\n"))
                .get(1);
        assertThrows(RecordFileException.class, () -> big.decimal("mtu"));
        assertEquals(0xFFFF_FFFFL, big.unsigned32("queues"));
    }

    @Test
    void aChecksummedFileCarriesTheCrcOfEverythingBeforeItsEndLine() throws RecordFileException {
        byte[] bytes = CHECKSUMMED.writer("do not edit").record("reservation", null).field("through", 4000).toBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        String body = "# do not edit\ncipherlane-test-sequence 2\nreservation through=4000\n";
        CRC32C crc = new CRC32C();
        crc.update(bytes(body));
        assertEquals(body + "end 1 crc32c=" + String.format("%08x", crc.getValue()) + "\n", text);
        assertEquals(List.of(new Record(FILE, 3, "reservation", null, Map.of("through", "4000"))),
                CHECKSUMMED.read(FILE, bytes));

        RecordFileException damaged = assertThrows(RecordFileException.class,
                () -> CHECKSUMMED.read(FILE, bytes(text.replace("4000", "9000"))));
        assertEquals(4, damaged.line());
        assertTrue(damaged.problem().startsWith("crc32c mismatch, expected "), damaged.getMessage());
        assertTrue(damaged.problem().endsWith(": the file is damaged"), damaged.getMessage());
        RecordFileException missing = assertThrows(RecordFileException.class,
                () -> CHECKSUMMED.read(FILE, bytes(body + "end 1\n")));
        assertEquals("expected \"end <reservation count> crc32c=<8 hex digits>\"", missing.problem());
        RecordFileException notHex = assertThrows(RecordFileException.class,
                () -> CHECKSUMMED.read(FILE, bytes(body + "end 1 crc32c=zzzzzzzz\n")));
        assertEquals(4, notHex.line(), notHex.getMessage());
    }

    @Test
    void claimsOnlyItsOwnFiles() {
        assertTrue(FORMAT.claims(bytes("# comment\n\n" + HEADER)));
        assertTrue(FORMAT.claims(bytes("cipherlane-test-state 7\n")));
        assertFalse(FORMAT.claims(bytes("# comment\nversion 1\n")));
        assertFalse(FORMAT.claims(bytes("cipherlane-test-statefile 1\n")));
        assertFalse(FORMAT.claims(bytes("")));
    }

    @Test
    void theWriterRefusesWhatWouldBreakALine() {
        RecordFormat.Writer w = FORMAT.writer();
        assertThrows(IllegalArgumentException.class, () -> w.record("pod", "pod a"));
        assertThrows(IllegalArgumentException.class, () -> w.record("pod", "a=b"));
        assertThrows(IllegalArgumentException.class, () -> w.record("pod", null));
        assertThrows(IllegalArgumentException.class, () -> w.record("tunnel", "t1"));
        assertThrows(IllegalArgumentException.class, () -> w.field("mtu", 1400), "no record started");
        w.record("pod", "pod-a");
        assertThrows(IllegalArgumentException.class, () -> w.field("colour", "blue"));
        assertThrows(IllegalArgumentException.class, () -> w.field("mtu", "14 00"));
        assertThrows(IllegalArgumentException.class, () -> w.field("mtu", "1400\nend 0"));
        assertThrows(IllegalArgumentException.class, () -> FORMAT.writer("two\nlines"));
    }

    @Test
    void aFormatIsDeclaredOnce() {
        RecordFormat.Kind pod = RecordFormat.Kind.repeated("pod", "<name>", List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> RecordFormat.of("x", 1, "an x file", "pod", pod, pod));
        assertThrows(IllegalArgumentException.class,
                () -> RecordFormat.Kind.repeated("end", null, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RecordFormat.of("Bad Magic", 1, "a file", "pod"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
