package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The testbed builds its topology through the linux module (rtnetlink, named namespaces),
 * not by running iproute2: the only {@code ip} command in its sources is
 * {@code ip netns exec}, the launcher of tools inside a namespace.
 */
class TopologyWithoutIpTest {
    /** A string literal "ip" and what follows it on the line. */
    private static final Pattern IP_COMMAND = Pattern.compile("\"ip\"(.*)");
    private static final Pattern LAUNCHER = Pattern.compile(",\\s*\"netns\",\\s*\"exec\".*");

    @Test
    void noIpCommandButTheNamespaceLauncher() throws Exception {
        Path sources = Path.of("src/main/java/dev/cipherlane/testbed");
        assertTrue(Files.isDirectory(sources), "run from the testbed module's directory");
        List<String> found = new ArrayList<>();
        int launchers = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = IP_COMMAND.matcher(lines.get(i));
                    while (m.find()) {
                        if (LAUNCHER.matcher(m.group(1)).matches()) {
                            launchers++;
                        } else {
                            found.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "ip commands in the testbed's sources");
        assertEquals(1, launchers, "one launcher, Commands.inNamespace");
    }
}
