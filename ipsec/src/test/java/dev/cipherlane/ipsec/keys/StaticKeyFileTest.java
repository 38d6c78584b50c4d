package dev.cipherlane.ipsec.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StaticKeyFileTest {
    @TempDir
    Path dir;

    private final byte[] in = KeyFiles.material(1);
    private final byte[] out = KeyFiles.material(2);

    private Path good() throws Exception {
        return KeyFiles.write(dir, "node-b.keys", KeyFiles.text("0x00001001", in, "8193", out), "rw-------");
    }

    /** Loads {@code text} (mode 0600) and returns the refusal's message. */
    private String refused(String text) throws Exception {
        Path p = KeyFiles.write(dir, "bad.keys", text, "rw-------");
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertNoKeyMaterial(e.getMessage());
        return e.getMessage();
    }

    private void assertNoKeyMaterial(String s) {
        for (byte[] m : List.of(in, out)) {
            String hex = KeyFiles.hex(m);
            // Any 8 consecutive hex digits of the key would be a leak.
            for (int i = 0; i + 8 <= hex.length(); i += 4) {
                String piece = hex.substring(i, i + 8);
                assertFalse(s.toLowerCase().contains(piece), "key material in: " + s);
            }
        }
    }

    @Test
    void loadsBothDirectionsWithKeyThenSalt() throws Exception {
        StaticKeyFile f = StaticKeyFile.load(good());
        assertEquals(0x1001, f.inbound().spi());
        assertEquals(8193, f.outbound().spi());
        assertArrayEquals(Arrays.copyOfRange(in, 0, 32), f.inbound().material().copyKey());
        assertArrayEquals(Arrays.copyOfRange(in, 32, 36), f.inbound().material().copySalt());
        assertArrayEquals(Arrays.copyOfRange(out, 0, 32), f.outbound().material().copyKey());
        assertArrayEquals(Arrays.copyOfRange(out, 32, 36), f.outbound().material().copySalt());
        assertFalse(f.esn());
    }

    @Test
    void acceptsCrLfTabsUpperCaseHexAndEsnOn() throws Exception {
        String text = "spi-in\t0XFFFFFFFF\r\n  # indented comment\r\nkey-in 0X" + KeyFiles.hex(in).toUpperCase()
                + "\r\nspi-out 256\r\nkey-out " + KeyFiles.hex(out) + "\r\nesn on\r\n";
        Path p = KeyFiles.write(dir, "crlf.keys", text, "r--------");
        StaticKeyFile f = StaticKeyFile.load(p);
        assertEquals(-1, f.inbound().spi());
        assertEquals(256, f.outbound().spi());
        assertTrue(f.esn());
        assertArrayEquals(Arrays.copyOfRange(in, 0, 32), f.inbound().material().copyKey());
    }

    @Test
    void printingNeverShowsKeyMaterial() throws Exception {
        StaticKeyFile f = StaticKeyFile.load(good());
        String all = f + " " + f.inbound() + " " + f.outbound() + " " + f.inbound().material();
        assertNoKeyMaterial(all);
        assertTrue(all.contains("0x00001001") && all.contains("0x00002001"), all);
        assertTrue(all.contains(f.inbound().material().fingerprint().hex()), all);
    }

    @Test
    void fingerprintIsATruncatedLabelledSha256() throws Exception {
        StaticKeyFile f = StaticKeyFile.load(good());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("cipherlane esp key fingerprint v1".getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        byte[] digest = sha.digest(in);
        assertEquals(KeyFiles.hex(Arrays.copyOf(digest, 8)), f.inbound().material().fingerprint().hex());
        assertNotEquals(f.inbound().material().fingerprint(), f.outbound().material().fingerprint());
        assertEquals(f.inbound().material().fingerprint(), KeyMaterial.of(in).fingerprint());
        assertEquals(f.inbound().material().fingerprint(),
                KeyFingerprint.parse(f.inbound().material().fingerprint().hex()));
    }

    @Test
    void destroyWipesTheMaterial() throws Exception {
        StaticKeyFile f = StaticKeyFile.load(good());
        f.destroy();
        assertArrayEquals(new byte[32], f.inbound().material().copyKey());
        assertArrayEquals(new byte[4], f.outbound().material().copySalt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r-----", "rw----r--", "rw-rw----", "rw-----w-", "rwx--x---"})
    void refusesFilesGroupOrOthersMayTouch(String mode) throws Exception {
        Path p = good();
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        String octal = String.format("%04o", PrivateFiles.mode(Files.readAttributes(p,
                java.nio.file.attribute.PosixFileAttributes.class)));
        assertTrue(e.getMessage().contains(p + ": mode " + octal), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600 " + p), e.getMessage());
    }

    @Test
    void refusesASymlinkEvenToAGoodFile() throws Exception {
        Path target = good();
        Path link = Files.createSymbolicLink(dir.resolve("link.keys"), target);
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(link));
        assertEquals(link + ": a symbolic link, expected a regular file (links are not followed to key material)",
                e.getMessage());
    }

    @Test
    void refusesADirectoryAndAMissingFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub.keys"));
        KeyFileException d = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(sub));
        assertTrue(d.getMessage().contains("a directory, expected a regular file"), d.getMessage());
        Path missing = dir.resolve("none.keys");
        KeyFileException m = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(missing));
        assertEquals(missing + ": no such file, expected a key file", m.getMessage());
    }

    /** Issue: a second name let the key be read, or swapped, outside what the checks saw. */
    @Test
    void refusesAHardLinkedFile() throws Exception {
        Path p = good();
        Files.createLink(dir.resolve("copy.keys"), p);
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        assertTrue(e.getMessage().startsWith(p + ": has 2 names (hard links)"), e.getMessage());
    }

    /** Issue: a directory others may write lets them swap a good key file for theirs. */
    @Test
    void refusesAKeyDirectoryOthersMayWrite() throws Exception {
        Path p = good();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        assertTrue(e.getMessage().startsWith(dir + ": mode 0777 lets group or others write it"), e.getMessage());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertEquals(p, StaticKeyFile.load(p).file(), "the same file in a private directory is fine");
    }

    @Test
    void refusesAFifoWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("fifo.keys");
        assumeTrue(new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start().waitFor() == 0, "needs mkfifo");
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(fifo));
        assertEquals(fifo + ": a special file, expected a regular file", e.getMessage());
    }

    @Test
    void refusesAFileAnotherUserOwns() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
        Path p = good();
        UserPrincipal nobody = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(p, nobody);
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        assertTrue(e.getMessage().startsWith(p + ": owned by 'nobody', expected root"), e.getMessage());
    }

    @Test
    void badHexNamesLineAndColumnButNotTheKey() throws Exception {
        char[] broken = KeyFiles.hex(in).toCharArray();
        broken[20] = 'g';
        String msg = refused("spi-in 0x1001\nkey-in 0x" + new String(broken) + "\nspi-out 0x2001\nkey-out "
                + KeyFiles.hex(out) + "\n");
        // "key-in 0x" is 9 characters: the 21st digit is column 30.
        assertTrue(msg.endsWith(":2: bad key-in, expected 72 hex digits (32-byte AES-256 key, then 4-byte salt,"
                + " RFC 4106 section 8.1), optionally after 0x, got a character that is not a hex digit at column 30"),
                msg);
    }

    @Test
    void wrongKeyLengthSaysHowManyDigitsItGot() throws Exception {
        String shortKey = KeyFiles.hex(in).substring(0, 70);
        String msg = refused("spi-in 0x1001\nkey-in " + shortKey + "\nspi-out 0x2001\nkey-out " + KeyFiles.hex(out) + "\n");
        assertTrue(msg.contains(":2: bad key-in, expected 72 hex digits"), msg);
        assertTrue(msg.endsWith("got 70 hex digits"), msg);
        String longKey = KeyFiles.hex(in) + "00";
        String msg2 = refused("spi-in 0x1001\nkey-in " + KeyFiles.hex(in) + "\nspi-out 0x2001\nkey-out " + longKey + "\n");
        assertTrue(msg2.contains(":4: bad key-out") && msg2.endsWith("got 74 hex digits"), msg2);
    }

    @Test
    void refusesTheSameSpiForBothDirections() throws Exception {
        String msg = refused(KeyFiles.text("0x1001", in, "4097", out));
        assertTrue(msg.endsWith(":5: spi-out 0x00001001 equals spi-in (line 2), expected a different SPI per direction"),
                msg);
    }

    @Test
    void refusesTheSameKeyForBothDirections() throws Exception {
        String msg = refused(KeyFiles.text("0x1001", in, "0x1002", in));
        assertTrue(msg.contains(":6: key-out equals key-in (line 3)"), msg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "255", "0xff", "0x00000000"})
    void refusesReservedSpis(String spi) throws Exception {
        String msg = refused(KeyFiles.text(spi, in, "0x2001", out));
        assertTrue(msg.contains(":2: spi-in 0x000000") && msg.contains("is reserved")
                && msg.contains("RFC 4303 section 2.1") && msg.endsWith("expected 256 to 4294967295"), msg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967296", "0x100000000", "-5", "0x", "12ab", "0xfffffffg"})
    void refusesMalformedSpis(String spi) throws Exception {
        String msg = refused(KeyFiles.text("0x1001", in, spi, out));
        assertTrue(msg.endsWith(":5: bad spi-out, expected 0x and 1 to 8 hex digits or a decimal number, 256 to"
                + " 4294967295, got '" + spi + "'"), msg);
    }

    @Test
    void refusesAKeywordGivenTwice() throws Exception {
        String msg = refused(KeyFiles.text("0x1001", in, "0x2001", out) + "spi-in 0x3001\n");
        assertTrue(msg.endsWith(":7: spi-in given twice (first on line 2), expected it once"), msg);
    }

    @Test
    void refusesAMissingLine() throws Exception {
        String msg = refused("spi-in 0x1001\nkey-in " + KeyFiles.hex(in) + "\nspi-out 0x2001\n");
        assertTrue(msg.endsWith(": missing key-out, expected lines spi-in, key-in, spi-out and key-out"), msg);
    }

    @Test
    void unknownKeywordsAreShownButAPastedKeyIsNot() throws Exception {
        String msg = refused(KeyFiles.text("0x1001", in, "0x2001", out) + "lifetime 3600\n");
        assertTrue(msg.endsWith(":7: unknown keyword, expected one of spi-in, key-in, spi-out, key-out, esn,"
                + " got 'lifetime'"), msg);
        String pasted = refused(KeyFiles.text("0x1001", in, "0x2001", out).replace("key-in   0x", "0x"));
        assertTrue(pasted.endsWith(":3: malformed line, expected 'keyword value', got 1 words"), pasted);
        String pasted2 = refused(KeyFiles.text("0x1001", in, "0x2001", out).replace("key-in   0x", "0x").replace(
                KeyFiles.hex(in), KeyFiles.hex(in) + " x"));
        assertTrue(pasted2.endsWith("got a word of 74 characters (not shown: it may be key material)"), pasted2);
    }

    @Test
    void refusesMalformedLinesAndValues() throws Exception {
        String three = refused("spi-in 0x1001 0x1002\n");
        assertTrue(three.endsWith(":1: malformed line, expected 'keyword value', got 3 words"), three);
        String esn = refused(KeyFiles.text("0x1001", in, "0x2001", out) + "esn yes\n");
        assertTrue(esn.endsWith(":7: bad esn, expected on or off, got 'yes'"), esn);
        String zero = refused(KeyFiles.text("0x1001", new byte[36], "0x2001", out));
        assertTrue(zero.endsWith(":3: bad key-in, expected random key material, got all zeros"), zero);
    }

    @Test
    void refusesAnOversizedFile() throws Exception {
        String text = KeyFiles.text("0x1001", in, "0x2001", out) + "#".repeat(StaticKeyFile.MAX_BYTES) + "\n";
        Path p = KeyFiles.write(dir, "big.keys", text, "rw-------");
        KeyFileException e = assertThrows(KeyFileException.class, () -> StaticKeyFile.load(p));
        assertEquals(p + ": more than 65536 bytes, expected a key file of a few lines", e.getMessage());
    }

    @Test
    void tunnelsMustNotShareInboundSpisOrKeys() throws Exception {
        byte[] third = KeyFiles.material(3);
        byte[] fourth = KeyFiles.material(4);
        StaticKeyFile b = StaticKeyFile.load(good());
        Path c = KeyFiles.write(dir, "node-c.keys", KeyFiles.text("0x1001", third, "0x3001", fourth), "rw-------");
        KeyFileException spi = assertThrows(KeyFileException.class,
                () -> StaticKeyFile.requireDistinct(List.of(b, StaticKeyFile.load(c))));
        assertTrue(spi.getMessage().contains("spi-in 0x00001001 is already the inbound SPI of"), spi.getMessage());

        Path d = KeyFiles.write(dir, "node-d.keys", KeyFiles.text("0x1101", third, "0x3001", out), "rw-------");
        KeyFileException key = assertThrows(KeyFileException.class,
                () -> StaticKeyFile.requireDistinct(List.of(b, StaticKeyFile.load(d))));
        assertTrue(key.getMessage().startsWith(d + " (key-out): same key material as " + dir.resolve("node-b.keys")
                + " (key-out)"), key.getMessage());

        Path e = KeyFiles.write(dir, "node-e.keys", KeyFiles.text("0x1101", third, "0x2001", fourth), "rw-------");
        StaticKeyFile.requireDistinct(List.of(b, StaticKeyFile.load(e)));
    }
}
