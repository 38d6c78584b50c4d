package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.ValueFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsListenTest {

    @TempDir
    Path dir;

    @Test
    void offByDefault() {
        assertEquals(Optional.empty(), NodeConfigLoader.defaults().admin().metricsListen());
    }

    @Test
    void ipv4AndBracketedIpv6ReadBackAsWritten() {
        for (String text : List.of("127.0.0.1:9464", "[fd00::1]:80", "[::]:65535")) {
            assertEquals(text, MetricsListen.parse(text).toString());
        }
        assertEquals(new MetricsListen(IpAddress.parse("10.0.0.1"), 9464), MetricsListen.parse("10.0.0.1:9464"));
    }

    @Test
    void refusesWhatIsNotAnAddressLiteralAndPort() {
        for (String text : List.of("9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "localhost:9464",
                "fd00::1:9464", "[127.0.0.1]:9464", "127.0.0.1:x")) {
            assertThrows(ValueFormatException.class, () -> MetricsListen.parse(text), text);
        }
    }

    @Test
    void aBadValueNamesFileLineAndWhatWasExpected() {
        Path file = ConfigFiles.write(dir, "bad.conf", """
                cipherlane {
                  admin.metrics.listen = "localhost:9464"
                }
                """);
        assertEquals(List.of(file + ":2: cipherlane.admin.metrics.listen: expected " + MetricsListen.EXPECTED
                + ", got \"localhost:9464\""), ConfigFiles.problems(file));
    }
}
