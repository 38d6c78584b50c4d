package dev.cipherlane.host.pod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file's contents so that a reader, or the next boot after a power cut or a
 * kill -9, sees either the old contents or the new, never a mix or a truncated file:
 * write a temporary file in the same directory, fsync it, rename(2) it over the target
 * (atomic within one file system), then fsync the directory so the rename itself is
 * durable. Without the first fsync the rename could reach the disk before the data and
 * leave an empty file; without the second a crash could bring the old file back.
 *
 * <p>One writer per file: a write removes temporary files an earlier, killed writer left.
 */
final class AtomicFile {
    private AtomicFile() {}

    private static final String TEMP_SUFFIX = ".tmp";

    /** Replaces {@code target} with {@code content}, creating its directory if needed. */
    static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String tempPrefix = tempPrefix(target);
        removeLeftovers(dir, tempPrefix);
        Path temp = Files.createTempFile(dir, tempPrefix, TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer data = ByteBuffer.wrap(content);
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Hidden, and named after the target so an operator can tell whose it was. */
    static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    private static void removeLeftovers(Path dir, String prefix) throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, prefix + "*" + TEMP_SUFFIX)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
    }
}
