package dev.cipherlane.ipsec.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PSK file gets a key file's checks; its key is never in a message. */
class PskFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String content, String mode) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void readsTheKeyWithoutItsLineEnd() throws Exception {
        Path f = write("psk", "correct horse battery staple\n", "rw-------");
        assertArrayEquals("correct horse battery staple".getBytes(StandardCharsets.UTF_8), PskFile.load(f));
    }

    @Test
    void refusesWhatAKeyFileWouldBeRefusedForAndAShortKey() throws Exception {
        Path loose = write("loose", "correct horse battery staple", "rw-r--r--");
        assertTrue(assertThrows(KeyFileException.class, () -> PskFile.load(loose)).getMessage().contains("mode 0644"));
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, write("target", "correct horse battery staple", "rw-------"));
        assertTrue(assertThrows(KeyFileException.class, () -> PskFile.load(link)).getMessage().contains("symbolic link"));
        assertTrue(assertThrows(KeyFileException.class, () -> PskFile.load(dir.resolve("none"))).getMessage()
                .endsWith("no such file, expected a pre-shared key file"));
        Path shortKey = write("short", "hunter2\n", "rw-------");
        KeyFileException e = assertThrows(KeyFileException.class, () -> PskFile.load(shortKey));
        assertEquals(shortKey + ": a pre-shared key of 7 bytes, expected at least 16", e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), "the key is never in a message");
    }
}
