package dev.cipherlane.ipsec.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state file on disk: its format, and that a damaged or untrusted one stops the SA with
 * a clear error instead of a fresh start at 1.
 */
class SequenceStateFileTest {
    private static final int SPI = 0x2001;

    @TempDir
    Path tmp;

    private final KeyFingerprint key = KeyMaterial.of(KeyFiles.material(11)).fingerprint();
    private final KeyFingerprint otherKey = KeyMaterial.of(KeyFiles.material(12)).fingerprint();

    private Path dir() throws Exception {
        Path d = tmp.resolve("state");
        if (!Files.exists(d)) {
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
        return d;
    }

    /** A state file text with a correct CRC-32C over everything before the crc line. */
    private static String withCrc(String version, String spi, String fingerprint, String mark) {
        String body = "# written by the test\nversion " + version + "\nspi " + spi + "\nkey-fingerprint " + fingerprint
                + "\nreserved-through " + mark + "\n";
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return body + "crc32c " + String.format("%08x", crc.getValue()) + "\n";
    }

    private Path stateFile(String text) throws Exception {
        Path f = dir().resolve("sa-" + key.hex() + ".seq");
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** Reserving must fail naming the file, and leave the file exactly as it was. */
    private String refused(Path f) throws Exception {
        byte[] before = Files.readAllBytes(f);
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            SequenceStateException e = assertThrows(SequenceStateException.class, () -> store.reserve(SPI, key, false));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEquals(List.of(), store.reservations());
            assertArrayEquals(before, Files.readAllBytes(f), "the file was changed");
            return e.getMessage();
        }
    }

    @Test
    void writesTheDocumentedFormatOwnerOnly() throws Exception {
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            store.reserve(SPI, key, false);
            Path f = store.stateFile(key);
            assertEquals(dir().resolve("sa-" + key.hex() + ".seq"), f);
            String text = Files.readString(f, StandardCharsets.US_ASCII);
            List<String> lines = text.lines().toList();
            assertEquals(4, lines.size(), text);
            assertTrue(lines.get(0).startsWith("# "), text);
            assertEquals(List.of("cipherlane-esp-sequence 2",
                    "reservation spi=0x00002001 key-fingerprint=" + key.hex() + " reserved-through=64"),
                    lines.subList(1, 3));
            CRC32C crc = new CRC32C();
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            crc.update(bytes, 0, text.indexOf("end 1 "));
            assertEquals("end 1 crc32c=" + String.format("%08x", crc.getValue()), lines.get(3));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            try (Stream<Path> files = Files.list(dir())) {
                assertEquals(List.of(f), files.filter(p -> p.toString().endsWith(".seq")
                        || p.toString().endsWith(".tmp")).toList(), "temp file renamed away");
            }
        }
    }

    /** A version 2 file with a correct CRC-32C over everything before the end line. */
    private static String version2(String spi, String fingerprint, String mark) {
        String body = "# written by the test\ncipherlane-esp-sequence 2\nreservation spi=" + spi + " key-fingerprint="
                + fingerprint + " reserved-through=" + mark + "\n";
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return body + "end 1 crc32c=" + String.format("%08x", crc.getValue()) + "\n";
    }

    @Test
    void continuesFromAFileOfEitherVersion() throws Exception {
        // Version 1 is what the previous release wrote: an upgraded node continues its numbers.
        stateFile(withCrc("1", "0x00000100", key.hex(), "4000"));
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            assertEquals(4001, store.reserve(SPI, key, false).next());
            assertTrue(Files.readString(store.stateFile(key)).contains("cipherlane-esp-sequence 2\n"),
                    "rewritten in the current version");
        }
        stateFile(version2("0x00000100", key.hex(), "7000"));
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            assertEquals(7001, store.reserve(SPI, key, false).next());
        }
    }

    @Test
    void refusesADamagedVersion2File() throws Exception {
        String crc = refused(stateFile(version2("0x00002001", key.hex(), "4000").replace("4000", "400")));
        assertTrue(crc.contains(":4: crc32c mismatch, expected "), crc);
        assertTrue(crc.contains("the file is damaged"), crc);
        String mark = refused(stateFile(version2("0x00002001", key.hex(), "-5")));
        assertTrue(mark.contains(":3: bad reserved-through, expected a decimal number in 0..4294967295, got '-5'"),
                mark);
        String other = refused(stateFile(version2("0x00002001", otherKey.hex(), "1")));
        assertTrue(other.contains(":3: key-fingerprint " + otherKey + " does not match the file name"), other);
        String version = refused(stateFile(version2("0x00002001", key.hex(), "1").replace(" 2\n", " 3\n")));
        assertTrue(version.contains(":2: version 3 is not one this service reads (2)"), version);
        String cut = version2("0x00002001", key.hex(), "1");
        String truncated = refused(stateFile(cut.substring(0, cut.indexOf("end "))));
        assertTrue(truncated.contains(":3: ends without its \"end <reservation count> crc32c=<8 hex digits>\" line"),
                truncated);
        String reservation = "reservation spi=0x00002001 key-fingerprint=" + key.hex() + " reserved-through=1\n";
        String body = "cipherlane-esp-sequence 2\n" + reservation + reservation;
        CRC32C c = new CRC32C();
        c.update(body.getBytes(StandardCharsets.US_ASCII));
        String twice = refused(stateFile(body + "end 2 crc32c=" + String.format("%08x", c.getValue()) + "\n"));
        assertTrue(twice.contains(": expected one reservation record, got 2;"), twice);
        assertTrue(twice.endsWith("(restore the file, or install new key material)"), twice);
    }

    @Test
    void acceptsAFileWrittenByHand() throws Exception {
        stateFile(withCrc("1", "0x00000100", key.hex(), "4000"));
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            assertEquals(4001, store.reserve(SPI, key, false).next());
        }
    }

    @Test
    void refusesAnEmptyFile() throws Exception {
        String msg = refused(stateFile(""));
        assertTrue(msg.contains(": expected a header and 5 lines ending in a newline, got 0 lines;"), msg);
        assertTrue(msg.endsWith("the SA stays down rather than guess where its sequence numbers stopped"
                + " (restore the file, or install new key material)"), msg);
    }

    @Test
    void refusesATruncatedFile() throws Exception {
        String full = withCrc("1", "0x00002001", key.hex(), "4000");
        String msg = refused(stateFile(full.substring(0, full.length() - 5)));
        assertTrue(msg.contains("got 5 lines and a truncated last line"), msg);
    }

    @Test
    void refusesAChangedNumberByItsCrc() throws Exception {
        String msg = refused(stateFile(withCrc("1", "0x00002001", key.hex(), "4000").replace("4000", "400")));
        assertTrue(msg.contains(":6: crc32c mismatch, expected "), msg);
        assertTrue(msg.contains("the file is damaged"), msg);
    }

    @Test
    void refusesNumbersOutsideTheSpaceEvenWithAGoodCrc() throws Exception {
        for (String bad : List.of("-5", "4294967296", "0012", "", "1e6", "99999999999999999999")) {
            String msg = refused(stateFile(withCrc("1", "0x00002001", key.hex(), bad)));
            assertTrue(msg.contains(":5: bad reserved-through, expected a decimal number in 0..4294967295, got '"
                    + bad + "'"), msg);
        }
    }

    @Test
    void refusesOtherFieldsThatDoNotParse() throws Exception {
        String version = refused(stateFile(withCrc("2", "0x00002001", key.hex(), "1")));
        assertTrue(version.contains(":2: unsupported version, expected 1, got '2'"), version);
        String spi = refused(stateFile(withCrc("1", "8193", key.hex(), "1")));
        assertTrue(spi.contains(":3: bad spi, expected 0x and 8 hex digits, got '8193'"), spi);
        String fp = refused(stateFile(withCrc("1", "0x00002001", "XYZ", "1")));
        assertTrue(fp.contains(":4: bad key-fingerprint, expected 16 lower-case hex digits, got 'XYZ'"), fp);
        String order = refused(stateFile(withCrc("1", "0x00002001", key.hex(), "1").replace("version 1\nspi", "spi")
                .replace("crc32c", "version 1\ncrc32c")));
        assertTrue(order.contains(":2: expected 'version <value>', got 'spi 0x00002001'"), order);
        String header = refused(stateFile(withCrc("1", "0x00002001", key.hex(), "1").replace("# written", "written")));
        assertTrue(header.contains(":1: expected the comment header"), header);
        String binary = refused(stateFile("\u0000\u00ff\u0001garbage\n".repeat(6) + "\n"));
        assertTrue(binary.contains("expected a header and 5 lines"), binary);
    }

    @Test
    void refusesAnotherKeysStateUnderThisKeysName() throws Exception {
        String msg = refused(stateFile(withCrc("1", "0x00002001", otherKey.hex(), "1")));
        assertTrue(msg.contains(":4: key-fingerprint " + otherKey + " does not match the file name, expected " + key),
                msg);
    }

    @Test
    void refusesAStateFileOthersMayWrite() throws Exception {
        Path f = stateFile(withCrc("1", "0x00002001", key.hex(), "1"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        String msg = refused(f);
        assertEquals(f + ": mode 0666 lets group or others write it, expected 0600 or stricter; fix: chmod 600 " + f,
                msg);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        try (SequenceStore store = SequenceStore.open(dir(), 64, false)) {
            assertEquals(2, store.reserve(SPI, key, false).next(), "readable by others is fine: nothing secret");
        }
    }

    @Test
    void refusesAStateFileThatIsALink() throws Exception {
        Path real = tmp.resolve("elsewhere.seq");
        Files.writeString(real, withCrc("1", "0x00002001", key.hex(), "1"));
        Path link = Files.createSymbolicLink(dir().resolve("sa-" + key.hex() + ".seq"), real);
        String msg = refused(link);
        assertEquals(link + ": a symbolic link, expected a regular file (links are not followed)", msg);
    }

    @Test
    void refusesAStateFileAnotherUserOwns() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
        Path f = stateFile(withCrc("1", "0x00002001", key.hex(), "1"));
        Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        String msg = refused(f);
        assertTrue(msg.startsWith(f + ": owned by 'nobody'"), msg);
    }

    @Test
    void refusesADirectoryOthersMayWriteAndCreatesAMissingOneOwnerOnly() throws Exception {
        Path open = tmp.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        SequenceStateException e = assertThrows(SequenceStateException.class,
                () -> SequenceStore.open(open, 64, false));
        assertEquals(open + ": mode 0777 lets group or others write it, expected 0700 or stricter; fix: chmod 700 "
                + open, e.getMessage());
        assertFalse(Files.exists(open.resolve("lock")), "nothing written into a refused directory");

        Path notDir = tmp.resolve("file");
        Files.writeString(notDir, "x");
        SequenceStateException f = assertThrows(SequenceStateException.class,
                () -> SequenceStore.open(notDir, 64, false));
        assertEquals(notDir + ": a regular file, expected a directory (links are not followed)", f.getMessage());

        Path orphan = tmp.resolve("missing").resolve("state");
        SequenceStateException g = assertThrows(SequenceStateException.class,
                () -> SequenceStore.open(orphan, 64, false));
        assertEquals(orphan + ": cannot be created, expected its parent " + tmp.resolve("missing") + " to exist",
                g.getMessage());

        Path fresh = tmp.resolve("fresh");
        try (SequenceStore store = SequenceStore.open(fresh, 64, false)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
            assertEquals(1, store.reserve(SPI, key, false).next());
        }
    }
}
