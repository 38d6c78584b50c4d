package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.SettingsRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
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
        TracingView view = new TracingView(1000);
        ref.set(view);
        assertEquals("runtime\n", live.answer("show runtime"));
        assertEquals("ok: 1 workers running\n", live.answer("show health"));
        assertEquals("ok: 1 workers running\n", live.answer("health"));
        assertEquals("errors\n", live.answer("show  errors"));
        assertEquals("interfaces\n", live.answer("show interfaces"));
        assertEquals("trace\n", live.answer("show trace"));
        assertEquals("tunnels\n", live.answer("show tunnels"));
        assertEquals("neighbours\n", live.answer("show neighbours"));
        assertEquals("sa\n", live.answer("show sa"));
        assertEquals("tracing the next 7 packets on every worker; see show trace\n", live.answer("trace add 7"));
        assertEquals(7, view.asked);
        assertEquals("trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got 0\n",
                live.answer("trace add 0"));
        assertEquals("trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got lots\n",
                live.answer("trace add lots"));
        assertEquals("trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got 1001\n",
                live.answer("trace add 1001"));
        assertEquals(7, view.asked);
    }

    /** Issue: the trace grew without bound and could not be cleared. */
    @Test
    void theTraceIsBoundedBySettingAndCleared() {
        java.util.concurrent.atomic.AtomicReference<DataplaneView> ref = new java.util.concurrent.atomic.AtomicReference<>();
        AdminCommands live = new AdminCommands(NodeConfigLoader.defaults(), "1.2.3", ref);
        TracingView view = new TracingView(10);
        ref.set(view);
        assertEquals("tracing the next 6 packets on every worker; see show trace\n", live.answer("trace add 6"));
        view.held = 6;
        assertEquals("tracing the next 4 packets on every worker (the trace had room for no more); see show trace\n",
                live.answer("trace add 9"));
        view.held = 10;
        assertEquals("trace add: the trace is full (1000 packets); see show trace, then trace clear\n",
                live.answer("trace add 1"));
        assertEquals("trace cleared\n", live.answer("trace clear"));
        assertEquals(0, view.held);
        assertEquals("tracing the next 5 packets on every worker; see show trace\n", live.answer("trace add 5"));
    }

    @Test
    void tracingOffIsSaid() throws Exception {
        Path conf = Files.writeString(Files.createTempFile("trace-off", ".conf"), "cipherlane.dataplane.trace.max-packets = 0\n");
        try {
            AdminCommands off = new AdminCommands(NodeConfigLoader.load(conf), "1.2.3",
                    new java.util.concurrent.atomic.AtomicReference<>(new TracingView(0)));
            assertEquals("trace add: tracing is off (dataplane.trace.max-packets = 0)\n", off.answer("trace add 1"));
        } finally {
            Files.delete(conf);
        }
    }

    @Test
    void theSettingsBoundIsTheTracesBound() {
        assertEquals(dev.cipherlane.config.DataplaneSettings.MAX_TRACE_PACKETS,
                dev.cipherlane.stages.graph.PacketTrace.MAX_PACKETS);
    }

    /** A dataplane whose one worker's trace holds {@code room} packets. */
    private static final class TracingView implements DataplaneView {
        final int room;
        int held;
        int asked;

        TracingView(int room) {
            this.room = room;
        }

        public String showRuntime() { return "runtime\n"; }
        public String showHealth() { return "ok: 1 workers running\n"; }
        public String showErrors() { return "errors\n"; }
        public String showInterfaces() { return "interfaces\n"; }
        public String showTrace() { return "trace\n"; }
        public String showTunnels() { return "tunnels\n"; }
        public String showNeighbours() { return "neighbours\n"; }
        public String showSa() { return "sa\n"; }

        public int trace(int packets) {
            asked = packets;
            return Math.min(packets, room - held);
        }

        public void clearTrace() {
            held = 0;
        }
    }
}
