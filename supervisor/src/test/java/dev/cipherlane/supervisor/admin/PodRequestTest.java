package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.MacAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PodRequestTest {

    @Test
    void addTakesItsSettingsByNameInAnyOrder() {
        PodRequest r = PodRequest.parse("pod add web-1 mtu 1400 address 10.1.1.20 netns /proc/42/ns/net"
                + " address fd01:1::20 queues 2 mac 02:aa:00:00:00:20");
        assertEquals(new PodRequest.Add("web-1", "/proc/42/ns/net",
                List.of(IpAddress.parse("10.1.1.20"), IpAddress.parse("fd01:1::20")),
                Optional.of(MacAddress.parse("02:aa:00:00:00:20")), OptionalInt.of(2), OptionalInt.of(1400)), r);
        PodRequest minimal = PodRequest.parse("pod add web-2 netns cni-1234 address 10.1.1.21");
        assertEquals(new PodRequest.Add("web-2", "cni-1234", List.of(IpAddress.parse("10.1.1.21")), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty()), minimal);
        assertEquals(new PodRequest.Delete("web-1"), PodRequest.parse("pod del web-1"));
    }

    @Test
    void malformedRequestsSayWhatWasExpected() {
        for (String bad : List.of("pod", "pod add", "pod del", "pod del a b", "pod rm x", "pod add x",
                "pod add x netns n", "pod add x address 10.0.0.1", "pod add x netns n address",
                "pod add x netns n address 999.1.1.1", "pod add x netns n address 10.0.0.1 mac zz",
                "pod add x netns n address 10.0.0.1 mtu big", "pod add x netns n netns m address 10.0.0.1",
                "pod add x netns n address 10.0.0.1 colour blue")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodRequest.parse(bad), bad);
            assertFalse(e.getMessage().isBlank(), bad);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PodRequest.parse("pod add x netns n"))
                .getMessage().contains(PodRequest.USAGE_ADD));
    }

    @Test
    void withoutADataplaneAPodRequestIsRefusedAndAMalformedOneSaysWhy() {
        AdminCommands commands = new AdminCommands(dev.cipherlane.supervisor.TestSettings.withSocket(java.nio.file.Path.of("/run/cl-test.sock")), "test");
        assertTrue(AdminCommands.isPod("pod add x netns n address 10.0.0.1"));
        assertFalse(AdminCommands.isPod("show pods"));
        assertEquals("error: pod: this node runs no dataplane (no pods and no uplink configured) to attach pods to\n",
                commands.answer("pod add x netns n address 10.0.0.1"));
        assertTrue(commands.answer("pod add x").startsWith("error: pod: a pod needs a netns and an address; expected pod add <name>"));
        assertTrue(commands.answer("pod del x --json").startsWith("error: pod del x has no JSON form"));
        assertTrue(AdminCommands.podRequest("pod del x --json").toString().startsWith("error: pod: --json is for"));
    }
}
