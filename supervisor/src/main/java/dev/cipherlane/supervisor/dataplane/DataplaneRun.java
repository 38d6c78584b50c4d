package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.swap.StageRow;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.peers.Tunnel;
import dev.cipherlane.supervisor.peers.TunnelControl;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One dataplane built from one config: the pods' taps attached for it, the workers, and the
 * control actors that work on it ({@link ForwardingController}, one {@link Tunnel} per
 * protected tunnel). {@link DataplaneSupervisor} runs one at a time and replaces it when a
 * reload needs the dataplane rebuilt.
 *
 * <p>Stopping it stops its children first (Pekko stops children before the parent's
 * PostStop), so no control task is running when the dataplane is closed; closing writes the
 * SA state back and closes the tap fds, leaving the persistent taps and the uplink (its
 * parent's) for the next run.
 */
final class DataplaneRun {
    private DataplaneRun() {}

    sealed interface Command permits RestartWorker, Reconfigure {}

    /** Run worker {@code worker} again; its thread died. */
    record RestartWorker(int worker) implements Command {}

    /** Make {@code changes}, all in place, to reach {@code settings}. */
    record Reconfigure(NodeSettings settings, List<ConfigChange> changes,
            ActorRef<DataplaneSupervisor.Reconfigured> replyTo) implements Command {}

    /**
     * @param swapped the previous run's stages, whose swaps and upgrades this run carries over
     * @param started told once the dataplane runs, with its generation
     */
    static Behavior<Command> create(NodeSettings settings, Optional<UplinkPort> uplink, Worker.Watch watch,
            AtomicReference<DataplaneView> published, List<StageRow> swapped, Runnable started) {
        return Behaviors.setup(context -> {
            PodPlumbing plumbing = PodPlumbing.attachAll(settings);
            Dataplane dataplane;
            try {
                int pods = plumbing.ports().size();
                uplink.ifPresent(u -> u.reindex(settings.uplink(), pods, pods + 1));
                dataplane = Dataplane.start(settings, plumbing.ports(), uplink, watch);
            } catch (Exception e) {
                plumbing.close();
                throw e;
            }
            for (String refused : dataplane.stages().carryOver(swapped)) {
                context.getLog().warn("stage swap not carried over to the rebuilt dataplane: {}", refused);
            }
            context.spawn(ForwardingController.supervised(dataplane.control()), "forwarding");
            for (TunnelControl t : dataplane.tunnelControls()) {
                context.spawn(Tunnel.supervised(t, Dataplane.SA_LIMITS_PERIOD), Tunnel.actorName(t));
            }
            published.set(dataplane);
            context.getLog().info("dataplane running: pods {}, workers {}, uplink {}, tunnels {}",
                    plumbing.ports().size(), settings.dataplane().workers(),
                    settings.uplink().interfaceName().orElse("none"), dataplane.forwarding().tunnelInfo().size());
            started.run();
            return Behaviors.receive(Command.class)
                    .onMessage(RestartWorker.class, restart -> {
                        if (dataplane.restartWorker(restart.worker())) {
                            context.getLog().info("worker {} restarted", restart.worker());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Reconfigure.class, reconfigure -> {
                        String failure = null;
                        try {
                            dataplane.reconfigure(reconfigure.settings(), reconfigure.changes());
                        } catch (RuntimeException e) {
                            failure = e.getMessage() != null ? e.getMessage() : e.toString();
                        }
                        reconfigure.replyTo().tell(new DataplaneSupervisor.Reconfigured(reconfigure.settings(),
                                reconfigure.changes(), failure));
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, signal -> {
                        published.compareAndSet(dataplane, null);
                        dataplane.control().detach();
                        dataplane.close();
                        plumbing.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
