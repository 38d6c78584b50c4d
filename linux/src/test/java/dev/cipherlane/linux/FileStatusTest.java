package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fstat(2) through FFM: the fields against what the JDK and the C compiler say. */
class FileStatusTest {
    @TempDir
    Path dir;

    @Test
    void describesAnOpenFile() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "12345");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        Files.createLink(dir.resolve("g"), f);
        int fd = Libc.open(f.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC | FileStatus.O_NOFOLLOW, 0);
        try {
            FileStatus st = FileStatus.of(fd);
            assertTrue(st.isRegularFile());
            assertFalse(st.isDirectory());
            assertEquals(0640, st.permissions());
            assertEquals(2, st.links(), "two names");
            assertEquals(5, st.size());
            assertEquals(Files.getAttribute(f, "unix:uid"), st.uid());
            assertEquals(Files.getAttribute(f, "unix:gid"), st.gid());
            assertEquals(Files.getAttribute(f, "unix:ino"), st.inode());
            assertEquals(Files.readAttributes(f, BasicFileAttributes.class).size(), st.size());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aLinkIsNotOpened() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), f);
        LinuxException e = assertThrows(LinuxException.class,
                () -> Libc.open(link.toString(), Libc.O_RDONLY | FileStatus.O_NOFOLLOW, 0));
        assertTrue(e.getMessage().contains("ELOOP"), e::getMessage);
    }

    @Test
    void aClosedDescriptorIsAnError() {
        assertThrows(LinuxException.class, () -> FileStatus.of(-1));
    }

    @Test
    void layoutMatchesTheCCompiler() throws Exception {
        String program = """
                #include <stdio.h>
                #include <stddef.h>
                #include <fcntl.h>
                #include <sys/stat.h>
                #define O(name, f) printf("%s %zu\\n", name, offsetof(struct stat, f))
                int main(void) {
                    printf("SIZE %zu\\n", sizeof(struct stat));
                    O("ST_DEV", st_dev); O("ST_INO", st_ino); O("ST_NLINK", st_nlink); O("ST_MODE", st_mode);
                    O("ST_UID", st_uid); O("ST_GID", st_gid); O("ST_SIZE", st_size);
                    printf("S_IFMT %d\\nS_IFREG %d\\nS_IFDIR %d\\nO_NOFOLLOW %d\\n", S_IFMT, S_IFREG, S_IFDIR, O_NOFOLLOW);
                    return 0;
                }
                """;
        assumeTrue(run("gcc", "--version") != null, "needs gcc");
        Path source = Files.writeString(dir.resolve("stat.c"), program);
        Path binary = dir.resolve("stat");
        assumeTrue(run("gcc", "-o", binary.toString(), source.toString()) != null, "needs the libc headers");
        Map<String, Long> c = new HashMap<>();
        for (String line : run(binary.toString()).strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        Map<String, Long> java = Map.of("SIZE", (long) FileStatus.SIZE, "ST_DEV", (long) FileStatus.ST_DEV,
                "ST_INO", (long) FileStatus.ST_INO, "ST_NLINK", (long) FileStatus.ST_NLINK,
                "ST_MODE", (long) FileStatus.ST_MODE, "ST_UID", (long) FileStatus.ST_UID,
                "ST_GID", (long) FileStatus.ST_GID, "ST_SIZE", (long) FileStatus.ST_SIZE);
        Map<String, Long> constants = Map.of("S_IFMT", (long) FileStatus.S_IFMT, "S_IFREG", (long) FileStatus.S_IFREG,
                "S_IFDIR", (long) FileStatus.S_IFDIR, "O_NOFOLLOW", (long) FileStatus.O_NOFOLLOW);
        Map<String, Long> all = new HashMap<>(java);
        all.putAll(constants);
        assertEquals(c, all);
    }

    private String run(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
