package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offsets and sizes in {@link Msghdr} against the C library's headers: a C program
 * prints {@code offsetof}/{@code sizeof} and IOV_MAX, compiled by gcc when there is one.
 */
class MsghdrLayoutTest {
    private static final String PROGRAM = """
            #define _GNU_SOURCE
            #include <limits.h>
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            #define O(name, t, f) printf("%s %zu\\n", name, offsetof(struct t, f))
            #define S(name, t) printf("%s %zu\\n", name, sizeof(struct t))
            int main(void) {
                O("IOV_BASE", iovec, iov_base);
                O("IOV_LEN", iovec, iov_len);
                S("IOVEC_SIZE", iovec);
                O("MSG_NAME", msghdr, msg_name);
                O("MSG_NAMELEN", msghdr, msg_namelen);
                O("MSG_IOV", msghdr, msg_iov);
                O("MSG_IOVLEN", msghdr, msg_iovlen);
                O("MSG_CONTROL", msghdr, msg_control);
                O("MSG_CONTROLLEN", msghdr, msg_controllen);
                O("MSG_FLAGS", msghdr, msg_flags);
                S("MSGHDR_SIZE", msghdr);
                printf("IOV_MAX %ld\\n", (long) IOV_MAX);
                return 0;
            }
            """;

    @Test
    void constantsMatchTheCHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(run(dir, "gcc", "--version") != null, "needs gcc");
        Path source = dir.resolve("msghdr.c");
        Files.writeString(source, PROGRAM);
        Path binary = dir.resolve("msghdr");
        String compiled = run(dir, "gcc", "-o", binary.toString(), source.toString());
        assumeTrue(compiled != null, "needs the libc and linux uapi headers");
        String out = run(dir, binary.toString());
        Map<String, Long> c = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        var fields = Msghdr.class.getDeclaredFields();
        assertEquals(fields.length, c.size(), "one C value per constant: " + c.keySet());
        for (var f : fields) {
            assertEquals(c.get(f.getName()), Long.valueOf(f.getInt(null)), f.getName());
        }
    }

    /** Output of {@code cmd}, or null when it cannot be run or fails. */
    private static String run(Path dir, String... cmd) throws InterruptedException {
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
