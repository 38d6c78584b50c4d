package dev.cipherlane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CtlRequestTest {
    @Test
    void ctlNamesTheProtocolVersionAndPassesJsonOn() {
        assertEquals("v1 show tunnels", CtlRequest.line(List.of("show", "tunnels"), false));
        assertEquals("v1 show tunnels --json", CtlRequest.line(List.of("show", "tunnels"), true));
    }
}
