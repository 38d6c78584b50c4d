package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.swap.StageRow;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.supervisor.peers.PeerManager;
import dev.cipherlane.supervisor.peers.Tunnel;
import dev.cipherlane.config.PodSettings;
import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.supervisor.admin.PodRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One dataplane built from one config: the pods' taps attached for it (the file's and those
 * added through the API), the workers, and the control actors that work on it
 * ({@link ForwardingController}, {@link InterfaceManager} for pods coming and going,
 * {@link PeerManager} with one {@link Tunnel} per protected tunnel). {@link DataplaneSupervisor} runs one at a time and replaces it when a
 * reload needs the dataplane rebuilt.
 *
 * <p>Stopping it stops its children first (Pekko stops children before the parent's
 * PostStop), so no control task is running when the dataplane is closed; closing writes the
 * SA state back and closes the tap fds, leaving the persistent taps and the uplink (its
 * parent's) for the next run.
 */
final class DataplaneRun {
    /** Longer than attaching and detaching a reload's pods takes; past it the reload is answered as failed. */
    static final Duration POD_CHANGES_TIMEOUT = Duration.ofSeconds(20);

    private DataplaneRun() {}

    sealed interface Command permits RestartWorker, Reconfigure, Pod, PodsDone, PeersDone {}

    /** A reload's changes by how they are made, with the config they replace and whom to answer. */
    record Batch(Reconfigure request, NodeSettings previous) {
        List<ConfigChange> inPlace() {
            return LiveSettings.made(request.changes(), LiveSettings.How.IN_PLACE);
        }

        List<ConfigChange> pods() {
            return LiveSettings.made(request.changes(), LiveSettings.How.POD);
        }

        /** The names of the peers added, removed or changed. */
        List<String> peers() {
            return LiveSettings.made(request.changes(), LiveSettings.How.PEER).stream()
                    .map(LiveSettings::peerOf).distinct().toList();
        }

        void answer(String failure) {
            request.replyTo().tell(new DataplaneSupervisor.Reconfigured(request.settings(), request.changes(), failure));
        }
    }

    /** The peers were changed, or failed to be; then the pods and parameters go back too. */
    record PeersDone(Batch batch, PeerManager.PeersSet outcome) implements Command {}

    /** {@code ctl pod add|del}, for the run's {@link InterfaceManager}. */
    record Pod(PodRequest request, ActorRef<String> replyTo) implements Command {}

    /** The interface manager made a reload's pod changes, or failed to; its in-place changes are then undone. */
    record PodsDone(Batch batch, InterfaceManager.PodsApplied outcome) implements Command {}

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
            // The API's pods join the file's; one the file has taken the name of since gives way.
            ApiPods api = ApiPods.read(settings.stateDir());
            List<PodSettings> wanted = new ArrayList<>(settings.pods());
            for (PodSettings p : api.pods()) {
                if (settings.pods().stream().anyMatch(c -> c.name().equals(p.name()))) {
                    context.getLog().warn("pod {} added through the API is now in the config file: the file's is attached",
                            p.name());
                    api = api.without(p.name());
                    api.write(settings.stateDir());
                } else {
                    wanted.add(p);
                }
            }
            PodPlumbing plumbing = PodPlumbing.attachAll(settings.withPods(wanted));
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
            AtomicReference<NodeSettings> config = new AtomicReference<>(settings);
            ActorRef<InterfaceManager.Command> interfaces =
                    context.spawn(InterfaceManager.supervised(config, plumbing, dataplane), "interfaces");
            ActorRef<PeerManager.Command> peers =
                    context.spawn(PeerManager.supervised(dataplane, Dataplane.SA_LIMITS_PERIOD), "peers");
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
                        // One batch in three steps: parameters in place, then the pods, then the
                        // peers; a step that fails undoes the ones before it.
                        Batch batch = new Batch(reconfigure, dataplane.settings());
                        try {
                            dataplane.reconfigure(reconfigure.settings(), batch.inPlace());
                        } catch (RuntimeException e) {
                            batch.answer(FailureText.of(e));
                            return Behaviors.same();
                        }
                        if (batch.pods().isEmpty()) {
                            context.getSelf().tell(new PodsDone(batch, new InterfaceManager.PodsApplied(null)));
                        } else {
                            context.ask(InterfaceManager.PodsApplied.class, interfaces, POD_CHANGES_TIMEOUT,
                                    replyTo -> new InterfaceManager.ApplyPods(reconfigure.settings(), batch.pods(), replyTo),
                                    (outcome, failure) -> new PodsDone(batch, outcome != null ? outcome
                                            : new InterfaceManager.PodsApplied("the pod changes did not finish: "
                                                    + failure.getMessage())));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(PodsDone.class, done -> {
                        Batch batch = done.batch();
                        if (done.outcome().failure() != null) {
                            dataplane.reconfigure(batch.previous(), batch.inPlace());
                            batch.answer(done.outcome().failure());
                        } else if (batch.peers().isEmpty()) {
                            batch.answer(null);
                        } else {
                            context.ask(PeerManager.PeersSet.class, peers, POD_CHANGES_TIMEOUT,
                                    replyTo -> new PeerManager.SetPeers(batch.peers(), batch.request().settings().peers(),
                                            batch.previous().peers(), replyTo),
                                    (outcome, failure) -> new PeersDone(batch, outcome != null ? outcome
                                            : new PeerManager.PeersSet("the peer changes did not finish: "
                                                    + failure.getMessage())));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(PeersDone.class, done -> {
                        Batch batch = done.batch();
                        String failure = done.outcome().failure();
                        if (failure != null) {
                            if (!batch.pods().isEmpty()) {
                                // The same changes toward the previous config undo them.
                                interfaces.tell(new InterfaceManager.ApplyPods(batch.previous(), batch.pods(),
                                        context.getSystem().ignoreRef()));
                            }
                            dataplane.reconfigure(batch.previous(), batch.inPlace());
                        }
                        batch.answer(failure);
                        return Behaviors.same();
                    })
                    .onMessage(Pod.class, pod -> {
                        interfaces.tell(switch (pod.request()) {
                            case PodRequest.Add add -> new InterfaceManager.AddPod(add, pod.replyTo());
                            case PodRequest.Delete del -> new InterfaceManager.DeletePod(del.name(), pod.replyTo());
                        });
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
