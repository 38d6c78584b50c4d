package dev.cipherlane.ipsec.keys;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.FileStatus;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Reads a file holding a secret (a static key file, IKE's pre-shared key) with the checks such
 * a file gets. The checks look at the opened descriptor (fstat), so what is checked is what is
 * read: the file is opened without following a link and must be a regular file with one name,
 * owned by root or the node's user, that group and others can neither read nor write, in a
 * directory that group and others cannot write. The bytes pass through off-heap memory that
 * is wiped; the caller wipes the array it gets.
 */
final class SecretFile {
    private SecretFile() {}

    /**
     * @param kind      what the file should be, for messages ("a key file")
     * @param sizedKind what a file of the right size is, for the message about one too big
     */
    static byte[] read(Path file, String kind, String sizedKind, int maxBytes) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        PosixFileAttributes dir = directory == null ? null : PrivateFiles.attributes(directory);
        if (dir != null) {
            String problem = PrivateFiles.keyDirectoryProblem(directory, dir);
            if (problem != null) {
                throw new KeyFileException(problem);
            }
        }
        int fd;
        try {
            // O_NONBLOCK: a FIFO put in the file's place opens at once and is refused below.
            fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NONBLOCK | FileStatus.O_NOFOLLOW, 0);
        } catch (LinuxException e) {
            throw new KeyFileException(switch (e.errno()) {
                case Errno.ENOENT -> file + ": no such file, expected " + kind;
                case Errno.ELOOP -> file + ": a symbolic link, expected a regular file (links are not followed to key material)";
                default -> file + ": cannot be opened: " + e.getMessage();
            });
        }
        try {
            String problem = PrivateFiles.keyFileProblem(file, FileStatus.of(fd));
            if (problem != null) {
                throw new KeyFileException(problem);
            }
            return read(file, fd, sizedKind, maxBytes);
        } finally {
            Libc.close(fd);
        }
    }

    private static byte[] read(Path file, int fd, String kind, int maxBytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            // One byte more than allowed tells an oversized file apart from one of exactly maxBytes.
            MemorySegment buf = arena.allocate(maxBytes + 1);
            long n = 0;
            while (n < buf.byteSize()) {
                long got = Libc.read(fd, buf, n, buf.byteSize() - n);
                if (got == 0 || got == Libc.WOULD_BLOCK) {
                    break;
                }
                n += got;
            }
            try {
                if (n > maxBytes) {
                    throw new KeyFileException(file + ": more than " + maxBytes + " bytes, expected " + kind);
                }
                return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                buf.fill((byte) 0);
            }
        }
    }
}
