package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * The offsets, sizes and constants in {@link ImbLayout} against intel-ipsec-mb.h: a C program
 * prints {@code offsetof}/{@code sizeof} and the enum values, compiled by cc when there is one
 * and the header (Debian libipsec-mb-dev) is installed. {@code LINUX} is defined as the
 * library's own build defines it, which is what gives {@code gcm_key_data} its 64-byte alignment.
 */
class ImbLayoutTest {
    private static final String PROGRAM = """
            #include <stdio.h>
            #include <stddef.h>
            #include <intel-ipsec-mb.h>
            #define O(name, f) printf("%s %zu\\n", name, offsetof(IMB_MGR, f))
            #define C(name, v) printf("%s %lld\\n", name, (long long) (v))
            int main(void) {
                O("MGR_FEATURES", features);
                O("MGR_USED_ARCH", used_arch);
                O("MGR_IMB_ERRNO", imb_errno);
                O("MGR_GCM256_ENC", gcm256_enc);
                O("MGR_GCM256_DEC", gcm256_dec);
                O("MGR_GCM256_PRE", gcm256_pre);
                C("GCM_KEY_DATA_SIZE", sizeof(struct gcm_key_data));
                C("GCM_KEY_DATA_ALIGN", _Alignof(struct gcm_key_data));
                C("GCM_CONTEXT_DATA_SIZE", sizeof(struct gcm_context_data));
                C("ARCH_NONE", IMB_ARCH_NONE);
                C("ARCH_NOAESNI", IMB_ARCH_NOAESNI);
                C("ARCH_SSE", IMB_ARCH_SSE);
                C("ARCH_AVX", IMB_ARCH_AVX);
                C("ARCH_AVX2", IMB_ARCH_AVX2);
                C("ARCH_AVX512", IMB_ARCH_AVX512);
                C("FEATURE_AESNI_EMU", IMB_FEATURE_AESNI_EMU);
                C("FEATURE_VAES", IMB_FEATURE_VAES);
                C("FEATURE_VPCLMULQDQ", IMB_FEATURE_VPCLMULQDQ);
                return 0;
            }
            """;

    @Test
    void constantsMatchTheHeader(@TempDir Path dir) throws Exception {
        assumeTrue(run(dir, "cc", "--version") != null, "needs a C compiler");
        assumeTrue(Files.exists(Path.of("/usr/include/intel-ipsec-mb.h")), "needs intel-ipsec-mb.h (libipsec-mb-dev)");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, PROGRAM);
        Path binary = dir.resolve("layout");
        String compiled = run(dir, "cc", "-DLINUX", "-o", binary.toString(), source.toString());
        assertNotNull(compiled, "the layout program compiles against the installed header");
        String out = run(dir, binary.toString());
        Map<String, Long> c = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        var fields = ImbLayout.class.getDeclaredFields();
        assertEquals(fields.length, c.size(), "one C value per constant: " + c.keySet());
        for (var f : fields) {
            f.setAccessible(true);
            Object v = f.get(null);
            assertEquals(c.get(f.getName()), Long.valueOf(((Number) v).longValue()), f.getName());
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
