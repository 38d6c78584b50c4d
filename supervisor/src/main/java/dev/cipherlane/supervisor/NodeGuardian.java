package dev.cipherlane.supervisor;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.admin.AdminListener;
import dev.cipherlane.supervisor.admin.AdminServer;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.dataplane.DataplaneSupervisor;
import dev.cipherlane.supervisor.metrics.MetricsEndpoint;
import dev.cipherlane.supervisor.metrics.MetricsServer;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorInitializationException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Root of the node's actor tree. It starts the node's parts and watches them: the
 * {@link AdminServer}, the {@link MetricsServer} when admin.metrics.listen is set, and, when
 * pods are configured, the {@link DataplaneSupervisor}.
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
            AdminCommands commands = new AdminCommands(settings, Version.current(), dataplane);
            ActorRef<AdminServer.Command> admin = context.spawn(AdminServer.create(listener, commands), "admin");
            context.watch(admin);
            if (metrics != null) {
                context.watch(context.spawn(MetricsServer.create(metrics), "metrics"));
            }
            // Without pods there is nothing to forward yet (the uplink comes later).
            if (!settings.pods().isEmpty() || settings.uplink().enabled()) {
                context.watch(context.spawn(DataplaneSupervisor.create(settings, dataplane), "dataplane"));
            }
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
