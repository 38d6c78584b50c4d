package dev.cipherlane.supervisor.admin;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.supervisor.admin.views.VersionView;
import dev.cipherlane.supervisor.admin.views.ViewJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin API answers: one request line in (see {@link AdminRequest} and PROTOCOL.md),
 * text out, every reply ending in a newline; an error is one line starting with
 * {@value #ERROR}. Plain code, so it is tested without sockets or actors.
 */
public final class AdminCommands {

    /** How every error reply starts, whatever the command and with or without --json. */
    public static final String ERROR = "error: ";

    public static final List<String> KNOWN = known();

    /** Whether {@code request} asks for a reload, which the config watcher answers, not this class. */
    public static boolean isReload(String request) {
        try {
            return AdminRequest.parse(request).command().equals("reload");
        } catch (AdminRequest.BadRequestException e) {
            return false;
        }
    }

    /** Whether {@code request} is {@code pod add|del}, which the dataplane answers, not this class. */
    public static boolean isPod(String request) {
        try {
            return PodRequest.isPodCommand(AdminRequest.parse(request).command());
        } catch (AdminRequest.BadRequestException e) {
            return false;
        }
    }

    /** The {@link PodRequest} of a {@link #isPod} line, or the error reply (a String) when it is malformed. */
    public static Object podRequest(String line) {
        try {
            AdminRequest r = AdminRequest.parse(line);
            if (r.json()) {
                return error("pod: " + AdminRequest.JSON + " is for version and the show commands");
            }
            return PodRequest.parse(AdminRequest.printable(r.command()));
        } catch (AdminRequest.BadRequestException | IllegalArgumentException e) {
            return error("pod: " + e.getMessage());
        }
    }

    /** The running config: what the node started with, or what the last reload applied. */
    private final Supplier<NodeSettings> settings;
    private final String version;
    private final AtomicReference<DataplaneView> dataplane;
    private final ViewCommands views;

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
        this.views = new ViewCommands(this.settings);
    }

    public String answer(String line) {
        AdminRequest request;
        try {
            request = AdminRequest.parse(line);
        } catch (AdminRequest.BadRequestException e) {
            return error(e.getMessage() + "; known commands: " + String.join(", ", KNOWN));
        }
        DataplaneView running = dataplane.get();
        Optional<String> view = views.answer(request, running == null ? null : running.views());
        if (view.isPresent()) {
            return view.get();
        }
        String command = request.command();
        Optional<String> takesNone = ViewCommands.viewOf(command);
        if (takesNone.isPresent()) {
            return error(takesNone.get() + " takes no arguments, only " + AdminRequest.JSON + "; got "
                    + AdminRequest.printable(command));
        }
        if (command.equals("show stages")) {
            return withDataplane(d -> StageCommands.show(d, request.json()));
        }
        if (request.json() && !command.equals("version")) {
            return error(AdminRequest.printable(command) + " has no JSON form; " + AdminRequest.JSON
                    + " is for version and the show commands");
        }
        return switch (command) {
            case "version" -> {
                VersionView v = new VersionView(version, AdminRequest.VERSION_WORD);
                yield request.json() ? ViewJson.write(v) : v.text();
            }
            case "trace clear" -> withDataplane(d -> {
                d.clearTrace();
                return "trace cleared\n";
            });
            case "reload" -> error("reload: this node has no config file to reload");
            case String c when PodRequest.isPodCommand(c) -> podRequest(line) instanceof String malformed ? malformed
                    : error("pod: this node runs no dataplane (no pods and no uplink configured) to attach pods to");
            default -> command.startsWith("trace add ") ? traceAdd(command.substring("trace add ".length()))
                    : command.equals("stage") || command.startsWith("stage ")
                    ? withDataplane(d -> StageCommands.stage(d, AdminRequest.printable(command)))
                    : error("unknown command " + AdminRequest.printable(command) + "; known commands: "
                            + String.join(", ", KNOWN));
        };
    }

    /** An error reply: one line, so a client can tell it from an answer by its first word. */
    static String error(String message) {
        return ERROR + message.replace('\n', ' ') + "\n";
    }

    private String withDataplane(Function<DataplaneView, String> view) {
        DataplaneView d = dataplane.get();
        return d == null ? error("the dataplane is not running") : view.apply(d);
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
            return error("trace add: tracing is off (dataplane.trace.max-packets = 0)");
        }
        if (n < 1 || n > max) {
            return error("trace add: expected a packet count in 1.." + max + " (dataplane.trace.max-packets), got "
                    + AdminRequest.printable(count));
        }
        int packets = n;
        return withDataplane(d -> {
            int armed = d.trace(packets);
            if (armed == 0) {
                return error("trace add: the trace is full (" + max + " packets); see show trace, then trace clear");
            }
            return "tracing the next " + armed + " packets on every worker"
                    + (armed < packets ? " (the trace had room for no more)" : "") + "; see show trace\n";
        });
    }

    private static List<String> known() {
        List<String> known = new ArrayList<>();
        known.add("version");
        known.addAll(ViewCommands.COMMANDS);
        known.addAll(List.of("health", "trace add <packets>", "trace clear", "reload", "show stages",
                "stage swap <slot> <implementation>", "stage upgrade <slot> --jar <file>", "stage rollback <slot>",
                PodRequest.USAGE_ADD, PodRequest.USAGE_DEL));
        return List.copyOf(known);
    }
}
