package dev.cipherlane.supervisor;

import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.admin.AdminListener;
import dev.cipherlane.supervisor.admin.AdminServer;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.dataplane.DataplaneSupervisor;
import dev.cipherlane.supervisor.metrics.MetricsEndpoint;
import dev.cipherlane.supervisor.metrics.MetricsServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorInitializationException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Root of the node's actor tree:
 *
 * <pre>
 * NodeGuardian
 *  ├─ ConfigWatcher            reload and file watch: validate, diff, hand the batch on
 *  ├─ DataplaneSupervisor      uplink taken over; one run per config, rebuilt when it must be
 *  │   └─ DataplaneRun         pools, workers, graph, swaps; restarts dead workers
 *  │       ├─ ForwardingController   neighbour ageing and resolution, underlay solicitation
 *  │       ├─ InterfaceManager       pod taps and the state files: pods added and removed live
 *  │       └─ PeerManager            tunnel counts changed live
 *  │           └─ Tunnel (one per tunnel)   SA lifetimes and limits (IKE sessions to come)
 *  ├─ AdminServer              the unix socket API: ctl, CNI
 *  └─ MetricsServer            /metrics, when configured
 * </pre>
 *
 * The interface and peer managers sit under the run rather than beside it, as DESIGN.md draws
 * them, because what they change (taps, routes, SAs) belongs to one dataplane: a rebuild makes
 * them again with it, from the state files, and nothing outlives the tables it refers to.
 *
 * <p>It starts the node's parts and watches them: the
 * {@link AdminServer}, the {@link MetricsServer} when admin.metrics.listen is set, when pods
 * or an uplink are configured the {@link DataplaneSupervisor}, and, for a node started from a
 * file, the {@link ConfigWatcher} (restarted if it fails).
 * The admin socket is the only way to manage a running node and the dataplane is the
 * node's reason to exist, so losing either is fatal: the guardian stops, the actor system
 * terminates, and the process exits non-zero for its supervisor (systemd, kubelet) to
 * restart. The pods' taps outlive that restart.
 */
public final class NodeGuardian {

    private NodeGuardian() {
    }

    /**
     * @param fatal completed with the reason the node stops on its own, never on a requested stop
     */
    public static Behavior<Void> create(NodeSettings settings, CompletableFuture<Throwable> fatal) {
        return create(settings, null, fatal);
    }

    /**
     * @param configFile the file {@code settings} came from, watched and reloaded by a
     *                   {@link ConfigWatcher}; null for a node started from settings alone
     * @param fatal      completed with the reason the node stops on its own, never on a requested stop
     */
    public static Behavior<Void> create(NodeSettings settings, Path configFile, CompletableFuture<Throwable> fatal) {
        return Behaviors.setup(context -> {
            // Bound here rather than in the child so that "socket in use" stops the node
            // with that reason, instead of surfacing as a crashed child's stack trace.
            AdminListener listener;
            try {
                listener = AdminListener.bind(settings.admin().socket());
            } catch (IOException e) {
                fatal.complete(new IOException("cannot serve the admin socket " + settings.admin().socket() + ": "
                        + FailureText.of(e), e));
                return Behaviors.stopped();
            }
            AtomicReference<DataplaneView> dataplane = new AtomicReference<>();
            AtomicReference<NodeSettings> running = new AtomicReference<>(settings);
            // Bound here for the same reason as the socket: "address in use" is the node's reason to stop.
            MetricsEndpoint metrics = null;
            if (settings.admin().metricsListen().isPresent()) {
                try {
                    metrics = MetricsEndpoint.start(settings.admin().metricsListen().get(), dataplane);
                } catch (IOException e) {
                    listener.close();
                    fatal.complete(new IOException("cannot serve metrics on " + settings.admin().metricsListen().get()
                            + ": " + FailureText.of(e), e));
                    return Behaviors.stopped();
                }
            }
            AdminCommands commands = new AdminCommands(running::get, Version.current(), dataplane);
            if (metrics != null) {
                context.watch(context.spawn(MetricsServer.create(metrics), "metrics"));
            }
            // Without pods there is nothing to forward yet (the uplink comes later).
            ActorRef<DataplaneSupervisor.Command> forwarding = null;
            if (!settings.pods().isEmpty() || settings.uplink().enabled()) {
                forwarding = context.spawn(DataplaneSupervisor.create(settings, dataplane), "dataplane");
                context.watch(forwarding);
            }
            Consumer<ActorRef<String>> reload = null;
            if (configFile != null) {
                // Supervision: a watcher that fails is restarted; the running config is kept in
                // `running`, not in the watcher, so nothing is lost and the node goes on.
                ActorRef<ConfigWatcher.Command> watcher = context.spawn(Behaviors.supervise(
                        ConfigWatcher.create(configFile, running, forwarding)).onFailure(SupervisorStrategy.restart()),
                        "config");
                reload = replyTo -> watcher.tell(new ConfigWatcher.Reload(replyTo));
            }
            ActorRef<DataplaneSupervisor.Command> dataplaneRef = forwarding;
            java.util.function.BiConsumer<dev.cipherlane.supervisor.admin.PodRequest, ActorRef<String>> pods =
                    forwarding == null ? null
                            : (request, replyTo) -> dataplaneRef.tell(new DataplaneSupervisor.Pod(request, replyTo));
            ActorRef<AdminServer.Command> admin = context.spawn(AdminServer.create(listener, commands, reload, pods),
                    "admin");
            context.watch(admin);
            return Behaviors.receive(Void.class)
                    .onSignal(ChildFailed.class, failed -> {
                        // A failure in a child's setup arrives wrapped; the operator wants the cause.
                        Throwable cause = failed.cause();
                        fatal.complete(cause instanceof ActorInitializationException && cause.getCause() != null
                                ? cause.getCause() : cause);
                        return Behaviors.stopped();
                    })
                    .onSignal(Terminated.class, stopped -> {
                        fatal.complete(new IllegalStateException(stopped.getRef().path().name() + " stopped"));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }
}
