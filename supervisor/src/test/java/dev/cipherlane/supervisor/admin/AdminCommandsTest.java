package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.SettingsRenderer;
import org.junit.jupiter.api.Test;

class AdminCommandsTest {

    private final AdminCommands commands = new AdminCommands(NodeConfigLoader.defaults(), "1.2.3");

    @Test
    void version() {
        assertEquals("cipherlane 1.2.3\n", commands.answer("version"));
    }

    @Test
    void showConfigIgnoresExtraWhitespace() {
        assertEquals(SettingsRenderer.render(NodeConfigLoader.defaults()), commands.answer("  show \t config \r"));
    }

    @Test
    void unknownCommandListsTheKnownOnes() {
        assertEquals("unknown command: show tunels\nknown commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("show tunels"));
    }

    @Test
    void emptyCommand() {
        assertEquals("empty command\nknown commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("   "));
    }

    @Test
    void echoedCommandCannotCarryTerminalEscapes() {
        assertEquals("unknown command: ?[2Jhello\nknown commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("\u001b[2Jhello"));
    }

    @Test
    void dataplaneViewsSayWhenTheDataplaneIsNotRunning() {
        assertEquals("the dataplane is not running\n", commands.answer("show runtime"));
        assertEquals("the dataplane is not running\n", commands.answer("trace add 5"));
    }

    @Test
    void dataplaneViewsAreAnsweredByTheRunningDataplane() {
        java.util.concurrent.atomic.AtomicReference<DataplaneView> ref = new java.util.concurrent.atomic.AtomicReference<>();
        AdminCommands live = new AdminCommands(NodeConfigLoader.defaults(), "1.2.3", ref);
        int[] traced = {0};
        ref.set(new DataplaneView() {
            public String showRuntime() { return "runtime\n"; }
            public String showErrors() { return "errors\n"; }
            public String showInterfaces() { return "interfaces\n"; }
            public String showTrace() { return "trace\n"; }
            public String showTunnels() { return "tunnels\n"; }
            public String showNeighbours() { return "neighbours\n"; }
            public String showSa() { return "sa\n"; }
            public void trace(int packets) { traced[0] = packets; }
        });
        assertEquals("runtime\n", live.answer("show runtime"));
        assertEquals("errors\n", live.answer("show  errors"));
        assertEquals("interfaces\n", live.answer("show interfaces"));
        assertEquals("trace\n", live.answer("show trace"));
        assertEquals("tunnels\n", live.answer("show tunnels"));
        assertEquals("neighbours\n", live.answer("show neighbours"));
        assertEquals("sa\n", live.answer("show sa"));
        assertEquals("tracing the next 7 packets on every worker; see show trace\n", live.answer("trace add 7"));
        assertEquals(7, traced[0]);
        assertEquals("trace add: expected a packet count in 1..10000, got 0\n", live.answer("trace add 0"));
        assertEquals("trace add: expected a packet count in 1..10000, got lots\n", live.answer("trace add lots"));
        assertEquals(7, traced[0]);
    }
}
