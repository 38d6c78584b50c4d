package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.SettingsRenderer;
import dev.cipherlane.supervisor.admin.views.SampleViews;
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
        assertEquals("error: unknown command show tunels; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("show tunels"));
    }

    @Test
    void emptyCommand() {
        assertEquals("error: empty request; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("   "));
        assertEquals("error: empty request; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("v1"));
    }

    @Test
    void echoedCommandCannotCarryTerminalEscapes() {
        assertEquals("error: request contains control character 0x1b; requests are one line of text; known commands: "
                + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("\u001b[2Jhello"));
        assertEquals("error: unknown command h\u200bi; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n",
                commands.answer("h\u200bi"));
    }

    @Test
    void requestsMayNameTheProtocolVersion() {
        assertEquals("cipherlane 1.2.3\n", commands.answer("v1 version"));
        assertEquals(commands.answer("show config"), commands.answer("v1   show config"));
        assertEquals("{\"version\":\"1.2.3\",\"protocol\":\"v1\"}\n", commands.answer("v1 version --json"));
    }

    @Test
    void anUnknownVersionIsRefusedNotGuessedAt() {
        assertEquals("error: protocol version v2 is not supported; this node speaks v1; known commands: "
                + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("v2 show config"));
        assertEquals("error: protocol version v0 is not supported; this node speaks v1; known commands: "
                + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("v0 version"));
    }

    @Test
    void theJarOfAStageUpgradeStaysWithItsCommand() throws Exception {
        AdminRequest r = AdminRequest.parse("v1 stage upgrade ip4-lookup --jar /tmp/s.jar");
        assertEquals("stage upgrade ip4-lookup --jar /tmp/s.jar", r.command());
        assertTrue(AdminCommands.isReload("v1 reload"), "ctl sends the version word first");
        assertTrue(AdminCommands.isReload("reload"));
    }

    @Test
    void badArgumentsAndOptionsAreNamed() {
        assertEquals("error: show tunnels takes no arguments, only --json; got show tunnels now\n",
                commands.answer("v1 show tunnels now"));
        assertEquals("error: unknown option --jsn; the options are --json and, for stage upgrade, --jar <file>; known commands: "
                + String.join(", ", AdminCommands.KNOWN) + "\n", commands.answer("show tunnels --jsn"));
        assertEquals("error: trace clear has no JSON form; --json is for version and the show commands\n",
                commands.answer("trace clear --json"));
    }

    @Test
    void everyErrorIsOneLine() {
        for (String bad : java.util.List.of("", "v9", "\u0000\u0001garbage", "x".repeat(5000), "show", "show fib extra",
                "trace add", "trace add -1", "--json", "v1 --json", "show runtime --json --verbose")) {
            String reply = commands.answer(bad);
            assertTrue(reply.startsWith("error: ") && reply.indexOf('\n') == reply.length() - 1,
                    bad.length() > 20 ? bad.substring(0, 20) : bad + " -> " + reply);
        }
    }

    @Test
    void dataplaneViewsSayWhenTheDataplaneIsNotRunning() {
        assertEquals("error: the dataplane is not running\n", commands.answer("show runtime"));
        assertEquals("error: the dataplane is not running\n", commands.answer("show fib --json"));
        assertEquals("error: the dataplane is not running\n", commands.answer("trace add 5"));
    }

    @Test
    void dataplaneViewsAreAnsweredByTheRunningDataplane() {
        java.util.concurrent.atomic.AtomicReference<DataplaneView> ref = new java.util.concurrent.atomic.AtomicReference<>();
        AdminCommands live = new AdminCommands(NodeConfigLoader.defaults(), "1.2.3", ref);
        TracingView view = new TracingView(1000);
        ref.set(view);
        SampleViews sample = new SampleViews();
        assertEquals(sample.runtime().text(), live.answer("show runtime"));
        assertEquals(sample.health().text(), live.answer("show health"));
        assertEquals(sample.health().text(), live.answer("health"));
        assertEquals(sample.errors().text(), live.answer("show  errors"));
        assertEquals(sample.interfaces().text(), live.answer("show interfaces"));
        assertEquals(sample.trace().text(), live.answer("show trace"));
        assertEquals(sample.tunnels().text(), live.answer("show tunnels"));
        assertEquals(sample.neighbours().text(), live.answer("show neighbours"));
        assertEquals(sample.sa().text(), live.answer("show sa"));
        assertEquals(sample.fib().text(), live.answer("show fib"));
        assertEquals(sample.pods().text(), live.answer("v1 show pods"));
        assertEquals("tracing the next 7 packets on every worker; see show trace\n", live.answer("trace add 7"));
        assertEquals(7, view.asked);
        assertEquals("error: trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got 0\n",
                live.answer("trace add 0"));
        assertEquals("error: trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got lots\n",
                live.answer("trace add lots"));
        assertEquals("error: trace add: expected a packet count in 1..1000 (dataplane.trace.max-packets), got 1001\n",
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
        assertEquals("error: trace add: the trace is full (1000 packets); see show trace, then trace clear\n",
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
            assertEquals("error: trace add: tracing is off (dataplane.trace.max-packets = 0)\n", off.answer("trace add 1"));
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

        public dev.cipherlane.supervisor.admin.views.OperatorViews views() {
            return new dev.cipherlane.supervisor.admin.views.SampleViews();
        }
    }
}
