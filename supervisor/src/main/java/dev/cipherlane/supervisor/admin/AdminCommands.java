package dev.cipherlane.supervisor.admin;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.SettingsRenderer;
import java.util.List;
import java.util.Objects;

/**
 * What the admin API answers: one request line in, text out, every reply ending in a
 * newline. Plain code, so it is tested without sockets or actors.
 */
public final class AdminCommands {

    public static final List<String> KNOWN = List.of("version", "show config");

    private final NodeSettings settings;
    private final String version;

    public AdminCommands(NodeSettings settings, String version) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.version = Objects.requireNonNull(version, "version");
    }

    public String answer(String request) {
        // Words separated by any whitespace, so "show   config" is "show config".
        String command = String.join(" ", request.strip().split("\\s+"));
        return switch (command) {
            case "version" -> "cipherlane " + version + "\n";
            // Through the renderer, which is where secret settings are kept out of sight.
            case "show config" -> SettingsRenderer.render(settings);
            case "" -> "empty command\n" + knownCommands();
            default -> "unknown command: " + printable(command) + "\n" + knownCommands();
        };
    }

    private static String knownCommands() {
        return "known commands: " + String.join(", ", KNOWN) + "\n";
    }

    /** Echoed input must not drive the operator's terminal with escape sequences. */
    private static String printable(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        text.codePoints().forEach(c -> shown.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return shown.toString();
    }
}
