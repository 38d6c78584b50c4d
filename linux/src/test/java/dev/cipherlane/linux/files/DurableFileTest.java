package dev.cipherlane.linux.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheWholeFileOwnerOnlyAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("sub").resolve("node.state");
        DurableFile.replace(file, bytes("one\n"), DurableFile.OWNER_ONLY);
        Object inodeBefore = Files.readAttributes(file, "unix:ino").get("ino");
        try (InputStream reader = Files.newInputStream(file)) {
            DurableFile.replace(file, bytes("two\n"), DurableFile.OWNER_ONLY);
            // A reader that opened the file before still reads the old contents whole: the
            // new file was renamed over it, not written into it.
            assertEquals("one\n", new String(reader.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertNotEquals(inodeBefore, Files.readAttributes(file, "unix:ino").get("ino"));
        assertEquals("two\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("node.state"), names(file.getParent()));
    }

    @Test
    void deleteIsDurableAndIdempotent() throws IOException {
        Path file = dir.resolve("uplink.state");
        DurableFile.replace(file, bytes("x\n"), PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        DurableFile.delete(file);
        DurableFile.delete(file);
        assertFalse(Files.exists(file));
    }

    @Test
    void removesTemporaryFilesAKilledWriterLeft() throws IOException {
        Path file = dir.resolve("node.state");
        Files.writeString(DurableFile.temporary(file), "cipherlane-node-state 1\npod pod-a");
        // What the node state writer of the previous release left: a random part in the name.
        Files.writeString(dir.resolve(".node.state.8812731.tmp"), "cipherlane-node-state 1\n");
        Files.writeString(dir.resolve(".other.state.tmp"), "not ours");
        DurableFile.replace(file, bytes("new\n"), DurableFile.OWNER_ONLY);
        assertEquals(List.of(".other.state.tmp", "node.state"), names(dir));
    }

    @Test
    void aTemporaryFileThatIsALinkIsReplacedNotFollowed() throws IOException {
        Path file = dir.resolve("node.state");
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "keep me\n");
        Files.createSymbolicLink(DurableFile.temporary(file), elsewhere);
        DurableFile.replace(file, bytes("new\n"), DurableFile.OWNER_ONLY);
        assertEquals("keep me\n", Files.readString(elsewhere));
        assertEquals("new\n", Files.readString(file));
    }

    @Test
    void aFailedRenameKeepsTheOldFileAndRemovesTheTemporaryOne() throws IOException {
        // rename(2) cannot put a file over a non-empty directory.
        Path file = dir.resolve("node.state");
        Files.createDirectories(file.resolve("in-the-way"));
        assertThrows(IOException.class, () -> DurableFile.replace(file, bytes("new\n"), DurableFile.OWNER_ONLY));
        assertEquals(List.of("node.state"), names(dir));
        assertTrue(Files.isDirectory(file.resolve("in-the-way")));
    }

    /**
     * A disk that fills up in the middle of the write: a tmpfs of 16 KiB holding the old
     * file, asked to take 64 KiB. The kernel's ENOSPC is the failure, not a test double.
     */
    @Test
    @Tag("root")
    void aWriteCutShortKeepsTheOldFileWholeAndLeavesNoTemporaryFile() throws Exception {
        Path disk = Files.createDirectory(dir.resolve("small-disk"));
        run("mount", "-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", disk.toString());
        try {
            Path file = disk.resolve("node.state");
            DurableFile.replace(file, bytes("old\n"), DurableFile.OWNER_ONLY);
            byte[] big = new byte[64 << 10];
            Arrays.fill(big, (byte) 'x');
            IOException e = assertThrows(IOException.class,
                    () -> DurableFile.replace(file, big, DurableFile.OWNER_ONLY));
            assertTrue(String.valueOf(e.getMessage()).contains("No space left on device"), e.toString());
            assertArrayEquals(bytes("old\n"), Files.readAllBytes(file));
            assertEquals(List.of("node.state"), names(disk));
        } finally {
            run("umount", disk.toString());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
