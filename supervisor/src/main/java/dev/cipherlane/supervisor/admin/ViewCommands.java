package dev.cipherlane.supervisor.admin;

import dev.cipherlane.config.NodeSettings;
import java.util.function.Supplier;
import dev.cipherlane.supervisor.admin.views.ConfigView;
import dev.cipherlane.supervisor.admin.views.OperatorView;
import dev.cipherlane.supervisor.admin.views.OperatorViews;
import dev.cipherlane.supervisor.admin.views.ViewJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code show ...} commands: each names one view, answered as its table or, with --json,
 * as its JSON. Both come from one {@link OperatorView}, taken once per request.
 */
final class ViewCommands {

    /** "show X" to the view it shows; "show config" is answered without a dataplane. */
    private static final Map<String, Function<OperatorViews, OperatorView>> DATAPLANE_VIEWS = new LinkedHashMap<>();

    static {
        DATAPLANE_VIEWS.put("show interfaces", OperatorViews::interfaces);
        DATAPLANE_VIEWS.put("show runtime", OperatorViews::runtime);
        DATAPLANE_VIEWS.put("show errors", OperatorViews::errors);
        DATAPLANE_VIEWS.put("show fib", OperatorViews::fib);
        DATAPLANE_VIEWS.put("show tunnels", OperatorViews::tunnels);
        DATAPLANE_VIEWS.put("show sa", OperatorViews::sa);
        DATAPLANE_VIEWS.put("show neighbours", OperatorViews::neighbours);
        DATAPLANE_VIEWS.put("show pods", OperatorViews::pods);
        DATAPLANE_VIEWS.put("show trace", OperatorViews::trace);
        DATAPLANE_VIEWS.put("show health", OperatorViews::health);
        DATAPLANE_VIEWS.put("show ike", OperatorViews::ike);
    }

    static final String CONFIG = "show config";
    /** The short form operators and probes have used for {@code show health}. */
    static final String HEALTH = "health";

    /** Every view command, in the order {@code known commands} lists them. */
    static final List<String> COMMANDS = concat(DATAPLANE_VIEWS.keySet().stream().toList(), CONFIG);

    /** The running config, as reloads change it. */
    private final Supplier<NodeSettings> settings;

    ViewCommands(Supplier<NodeSettings> settings) {
        this.settings = settings;
    }

    /**
     * The answer to a view command, or empty if {@code request} is not one.
     *
     * @param dataplane the running dataplane's views, null while it is not running
     */
    Optional<String> answer(AdminRequest request, OperatorViews dataplane) {
        String command = request.command().equals(HEALTH) ? "show health" : request.command();
        OperatorView view;
        if (command.equals(CONFIG)) {
            view = ConfigView.of(settings.get());
        } else if (DATAPLANE_VIEWS.containsKey(command)) {
            if (dataplane == null) {
                return Optional.of(AdminCommands.error("the dataplane is not running"));
            }
            view = DATAPLANE_VIEWS.get(command).apply(dataplane);
        } else {
            return Optional.empty();
        }
        return Optional.of(request.json() ? ViewJson.write(view) : view.text());
    }

    /** "show tunnels extra" is a view command with arguments it does not take, not an unknown one. */
    static Optional<String> viewOf(String command) {
        return COMMANDS.stream().filter(c -> command.startsWith(c + " ")).findFirst();
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.add(b);
        return List.copyOf(all);
    }
}
