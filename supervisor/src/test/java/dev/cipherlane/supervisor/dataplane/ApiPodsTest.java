package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.PodSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiPodsTest {
    @TempDir
    Path dir;

    private static PodSettings pod(String name, String ip4, Optional<MacAddress> mac) {
        return new PodSettings(name, "/proc/1/ns/net", List.of(IpAddress.parse(ip4), IpAddress.parse("fd01:1::30")),
                mac, 2, 1400);
    }

    @Test
    void podsSurviveTheFileOwnerOnly() throws IOException {
        assertEquals(List.of(), ApiPods.read(dir).pods(), "no file yet: none");
        ApiPods pods = new ApiPods(List.of()).with(pod("a", "10.1.1.30", Optional.of(MacAddress.parse("02:aa:00:00:00:30"))))
                .with(pod("b", "10.1.1.31", Optional.empty()));
        pods.write(dir);
        assertEquals(pods, ApiPods.read(dir));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ApiPods.file(dir))));
        assertEquals(List.of("b"), pods.without("a").pods().stream().map(PodSettings::name).toList());
        assertEquals(pods, pods.without("nobody"));
        ApiPods replaced = pods.with(pod("a", "10.1.1.40", Optional.empty()));
        assertEquals(2, replaced.pods().size());
        assertEquals(IpAddress.parse("10.1.1.40"), replaced.pod("a").orElseThrow().addresses().get(0));
    }

    @Test
    void aDamagedFileIsAnErrorNamingIt() throws IOException {
        for (String content : List.of("{", "[{\"name\": \"Bad Name\", \"netns\": \"x\", \"addresses\": [\"10.1.1.1\"],"
                + " \"queues\": 1, \"mtu\": 1400}]", "[{\"name\": \"a\"}]", "[{\"name\": \"a\", \"netns\": \"x\","
                + " \"addresses\": [\"not-an-address\"], \"queues\": 1, \"mtu\": 1400}]")) {
            Files.writeString(ApiPods.file(dir), content);
            IOException e = assertThrows(IOException.class, () -> ApiPods.read(dir), content);
            assertTrue(e.getMessage().startsWith(ApiPods.file(dir) + ": not a pod list"), e.getMessage());
        }
    }
}
