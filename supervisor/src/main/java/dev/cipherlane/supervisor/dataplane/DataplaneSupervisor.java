package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.peers.Tunnel;
import dev.cipherlane.supervisor.peers.TunnelControl;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Owns the node's dataplane: attaches the configured pods (re-attaching the persistent taps
 * a previous run left), takes the uplink over (restoring first what a crashed run left taken),
 * starts the workers, and publishes the dataplane to the admin API. Stopping gives the uplink
 * back to the kernel.
 * Stopping it stops the workers and closes our tap fds; the taps, and the pods' view of
 * their network, stay as they are, so a restarted service carries on where this one left.
 *
 * <p>Supervision of the workers: a stage's exception never reaches here (the runtime drops
 * the packet and goes on). A worker whose thread dies anyway is reported as
 * {@link WorkerDied} and restarted, with the packets and buffers it had, after a backoff that
 * doubles with each death in quick succession ({@link RestartBackoff}), so a worker that dies
 * on every packet costs little CPU and fills the log slowly. The other workers carry on
 * meanwhile; the node's health says which worker is down and why.
 *
 * <p>Its child {@code forwarding} ({@link ForwardingController}) runs the control logic and
 * is restarted with backoff when a task fails; the workers go on forwarding meanwhile. A
 * {@link Tunnel} child per protected tunnel watches that tunnel's SAs and is restarted alone.
 */
public final class DataplaneSupervisor {
    private DataplaneSupervisor() {}

    public sealed interface Command permits Stop, WorkerDied, RestartWorker, Reconfigure {}

    public record Stop() implements Command {}

    /** A worker's thread ended on {@code cause}; sent from that thread. */
    public record WorkerDied(int worker, Throwable cause) implements Command {}

    /** The backoff after a death is over: run the worker again. */
    record RestartWorker(int worker) implements Command {}

    /**
     * A reload: apply {@code changes} (all of {@link LiveSettings#IN_PLACE}) to reach
     * {@code settings}, all or none; the outcome goes to {@code replyTo}.
     */
    public record Reconfigure(NodeSettings settings, List<ConfigChange> changes, ActorRef<Reconfigured> replyTo)
            implements Command {}

    /** How a {@link Reconfigure} ended: {@code failure} is null when every change was made. */
    public record Reconfigured(NodeSettings settings, List<ConfigChange> changes, String failure) {}

    public static Behavior<Command> create(NodeSettings settings, AtomicReference<DataplaneView> published) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<Command> self = context.getSelf();
            Worker.Watch watch = (worker, cause) -> self.tell(new WorkerDied(worker.runtime().worker(), cause));
            PodPlumbing plumbing = PodPlumbing.attachAll(settings);
            UplinkPort uplink = null;
            Dataplane dataplane;
            try {
                if (settings.uplink().enabled()) {
                    int pods = plumbing.ports().size();
                    uplink = UplinkPort.take(settings.uplink(), settings.stateDir(), settings.dataplane().workers(),
                            pods, pods + 1);
                }
                dataplane = Dataplane.start(settings, plumbing.ports(), Optional.ofNullable(uplink), watch);
            } catch (Exception e) {
                if (uplink != null) {
                    uplink.close();
                }
                plumbing.close();
                throw e;
            }
            // The control logic (neighbour ageing, resolution, SA limits, solicitations) runs in
            // this child from here on; Pekko stops it before this actor's PostStop closes the
            // dataplane it works on.
            context.spawn(ForwardingController.supervised(dataplane.control()), "forwarding");
            // One actor per protected tunnel, each restarted alone (Tunnel's supervision).
            for (TunnelControl t : dataplane.tunnelControls()) {
                context.spawn(Tunnel.supervised(t, Dataplane.SA_LIMITS_PERIOD), Tunnel.actorName(t));
            }
            published.set(dataplane);
            context.getLog().info("dataplane running: pods {}, workers {}, uplink {}, tunnels {}",
                    plumbing.ports().size(), settings.dataplane().workers(),
                    settings.uplink().interfaceName().orElse("none"), dataplane.forwarding().tunnelInfo().size());
            UplinkPort taken = uplink;
            RestartBackoff backoff = new RestartBackoff(settings.dataplane().workers());
            return Behaviors.receive(Command.class)
                    .onMessage(Stop.class, stop -> Behaviors.stopped())
                    .onMessage(WorkerDied.class, died -> {
                        Duration delay = backoff.died(died.worker(), System.nanoTime());
                        context.getLog().error("worker {} died; restarting it in {} ms", died.worker(),
                                delay.toMillis(), died.cause());
                        timers.startSingleTimer(new RestartWorker(died.worker()), delay);
                        return Behaviors.same();
                    })
                    .onMessage(Reconfigure.class, reconfigure -> {
                        String failure = null;
                        try {
                            dataplane.reconfigure(reconfigure.settings(), reconfigure.changes());
                        } catch (RuntimeException e) {
                            failure = e.getMessage() != null ? e.getMessage() : e.toString();
                        }
                        reconfigure.replyTo().tell(new Reconfigured(reconfigure.settings(), reconfigure.changes(), failure));
                        return Behaviors.same();
                    })
                    .onMessage(RestartWorker.class, restart -> {
                        if (dataplane.restartWorker(restart.worker())) {
                            context.getLog().info("worker {} restarted", restart.worker());
                        }
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, signal -> {
                        published.set(null);
                        dataplane.control().detach();
                        dataplane.close();
                        if (taken != null) {
                            taken.close();
                        }
                        plumbing.close();
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
