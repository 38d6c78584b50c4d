package dev.cipherlane.supervisor.admin;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.SettingsRenderer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin API answers: one request line in, text out, every reply ending in a
 * newline. Plain code, so it is tested without sockets or actors.
 */
public final class AdminCommands {

    public static final List<String> KNOWN = List.of("version", "show config", "show runtime", "show health", "show errors",
            "show interfaces", "show tunnels", "show sa", "show neighbours", "show trace", "trace add <packets>",
            "trace clear", "reload", "show stages", "stage swap <slot> <implementation>",
            "stage upgrade <slot> --jar <file>", "stage rollback <slot>");

    /** Whether {@code request} asks for a reload, which the config watcher answers, not this class. */
    public static boolean isReload(String request) {
        return request.strip().equals("reload");
    }

    /** The running config: what the node started with, or what the last reload applied. */
    private final Supplier<NodeSettings> settings;
    private final String version;
    private final AtomicReference<DataplaneView> dataplane;

    public AdminCommands(NodeSettings settings, String version) {
        this(settings, version, new AtomicReference<>());
    }

    /** @param dataplane the running dataplane, or null inside while it is not running */
    public AdminCommands(NodeSettings settings, String version, AtomicReference<DataplaneView> dataplane) {
        this(() -> settings, version, dataplane);
        Objects.requireNonNull(settings, "settings");
    }

    /** @param settings the running config, as reloads change it */
    public AdminCommands(Supplier<NodeSettings> settings, String version, AtomicReference<DataplaneView> dataplane) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.version = Objects.requireNonNull(version, "version");
        this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
    }

    public String answer(String request) {
        // Words separated by any whitespace, so "show   config" is "show config".
        String command = String.join(" ", request.strip().split("\\s+"));
        return switch (command) {
            case "version" -> "cipherlane " + version + "\n";
            // Through the renderer, which is where secret settings are kept out of sight.
            case "show config" -> SettingsRenderer.render(settings.get());
            case "show runtime" -> withDataplane(DataplaneView::showRuntime);
            case "show health", "health" -> withDataplane(DataplaneView::showHealth);
            case "show errors" -> withDataplane(DataplaneView::showErrors);
            case "show interfaces" -> withDataplane(DataplaneView::showInterfaces);
            case "show tunnels" -> withDataplane(DataplaneView::showTunnels);
            case "show neighbours" -> withDataplane(DataplaneView::showNeighbours);
            case "show sa" -> withDataplane(DataplaneView::showSa);
            case "show trace" -> withDataplane(DataplaneView::showTrace);
            case "show stages" -> withDataplane(StageCommands::show);
            case "trace clear" -> withDataplane(d -> {
                d.clearTrace();
                return "trace cleared\n";
            });
            case "reload" -> "reload: this node has no config file to reload\n";
            case "" -> "empty command\n" + knownCommands();
            default -> command.startsWith("trace add ") ? traceAdd(command.substring("trace add ".length()))
                    : command.equals("stage") || command.startsWith("stage ")
                    ? withDataplane(d -> StageCommands.stage(d, printable(command)))
                    : "unknown command: " + printable(command) + "\n" + knownCommands();
        };
    }

    private String withDataplane(Function<DataplaneView, String> view) {
        DataplaneView d = dataplane.get();
        return d == null ? "the dataplane is not running\n" : view.apply(d);
    }

    private String traceAdd(String count) {
        int n;
        try {
            n = Integer.parseInt(count);
        } catch (NumberFormatException e) {
            n = -1;
        }
        // Tracing allocates a record per packet: the setting bounds what a trace may hold.
        int max = settings.get().dataplane().traceMaxPackets();
        if (max == 0) {
            return "trace add: tracing is off (dataplane.trace.max-packets = 0)\n";
        }
        if (n < 1 || n > max) {
            return "trace add: expected a packet count in 1.." + max + " (dataplane.trace.max-packets), got "
                    + printable(count) + "\n";
        }
        int packets = n;
        return withDataplane(d -> {
            int armed = d.trace(packets);
            if (armed == 0) {
                return "trace add: the trace is full (" + max + " packets); see show trace, then trace clear\n";
            }
            return "tracing the next " + armed + " packets on every worker"
                    + (armed < packets ? " (the trace had room for no more)" : "") + "; see show trace\n";
        });
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
