package dev.cipherlane.linux.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a small file so that a reader, or the next boot after a power cut or a kill -9,
 * sees either the old contents or the new, never a mix or a truncated file: write a
 * temporary file in the same directory, fsync it, rename(2) it over the target (atomic
 * within one file system), then fsync the directory so the rename itself is durable.
 * Without the first fsync the rename could reach the disk before the data and leave an
 * empty file; without the second a crash could bring the old file back. The node's state
 * files and the ESP sequence reservations are all written this way.
 *
 * <p>One writer per file: a write first removes the temporary file a killed writer left.
 * The temporary file is created with O_EXCL and no link following, with its final mode
 * from the start, so a private file is never readable by others, not even for a moment.
 */
public final class DurableFile {
    private DurableFile() {}

    /** rw-------: files that only the node service reads. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final String TEMP_SUFFIX = ".tmp";

    /**
     * Replaces {@code target} with {@code content}, created with {@code mode}, making its
     * directory if needed. On failure the old file is left as it was and no temporary file
     * stays behind.
     */
    public static void replace(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = temporary(target);
        removeLeftovers(target);
        try {
            try (FileChannel ch = FileChannel.open(temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(mode))) {
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
        syncDirectory(dir);
    }

    /** Deletes {@code target} durably: a crash just after must not bring it back. */
    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Where {@link #replace} writes before the rename: hidden, and named after the target. */
    public static Path temporary(Path target) {
        return target.resolveSibling("." + target.getFileName() + TEMP_SUFFIX);
    }

    /**
     * Ours, and the {@code .<name>.<random>.tmp} files earlier versions of the node state
     * writer made with {@link Files#createTempFile}.
     */
    private static void removeLeftovers(Path target) throws IOException {
        Files.deleteIfExists(temporary(target));
        String glob = "." + target.getFileName() + ".*" + TEMP_SUFFIX;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(target.toAbsolutePath().getParent(), glob)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
