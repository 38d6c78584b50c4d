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
        assertEquals("unknown command: show tunnels\nknown commands: version, show config\n", commands.answer("show tunnels"));
    }

    @Test
    void emptyCommand() {
        assertEquals("empty command\nknown commands: version, show config\n", commands.answer("   "));
    }

    @Test
    void echoedCommandCannotCarryTerminalEscapes() {
        assertEquals("unknown command: ?[2Jhello\nknown commands: version, show config\n", commands.answer("\u001b[2Jhello"));
    }
}
