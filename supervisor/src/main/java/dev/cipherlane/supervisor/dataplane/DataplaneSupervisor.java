package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.swap.StageRow;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.admin.PodRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Owns the node's dataplane: takes the uplink over (restoring first what a crashed run left
 * taken), and runs the dataplane as a {@link DataplaneRun} child, which attaches the configured
 * pods (re-attaching the persistent taps a previous run left), starts the workers and publishes
 * the dataplane to the admin API. Stopping it stops the run, then gives the uplink back to the
 * kernel; the taps, and the pods' view of their network, stay as they are, so a restarted
 * service carries on where this one left.
 *
 * <p>Reloads ({@link Reconfigure}): changes the running dataplane makes in place, and pods
 * coming and going, go to the run, as do {@link Pod} requests from the admin API;
 * changes that need a rebuild ({@link LiveSettings}) stop the run and start the next one from
 * the new config, on the same uplink and taps. If the new one fails to start, the previous
 * config's is started again and the reload is answered with the failure: all or nothing.
 *
 * <p>Supervision: a stage's exception never reaches here (the runtime drops the packet and goes
 * on). A worker whose thread dies anyway is reported as {@link WorkerDied} and restarted, with
 * the packets and buffers it had, after a backoff that doubles with each death in quick
 * succession ({@link RestartBackoff}); the other workers carry on and the node's health says
 * which worker is down and why. The run's own children are supervised there (control logic and
 * tunnels, each restarted alone). A run that fails to start, other than in a reload, cannot be
 * recovered here: this actor fails and the node stops with that reason.
 */
public final class DataplaneSupervisor {
    private DataplaneSupervisor() {}

    public sealed interface Command permits Stop, WorkerDied, RestartWorker, Reconfigure, RunStarted, InPlaceDone,
            Pod {}

    /** {@code ctl pod add|del}: answered by the running dataplane's interface manager. */
    public record Pod(PodRequest request, ActorRef<String> replyTo) implements Command {}

    public record Stop() implements Command {}

    /** Worker {@code worker} of run {@code run} died on {@code cause}; sent from its thread. */
    public record WorkerDied(int run, int worker, Throwable cause) implements Command {}

    /** The backoff after a death is over: run the worker again, if its run still runs. */
    record RestartWorker(int run, int worker) implements Command {}

    /**
     * A reload: make {@code changes} (none of them {@link LiveSettings.How#RESTART}) to reach
     * {@code settings}, all or none; the outcome goes to {@code replyTo}.
     */
    public record Reconfigure(NodeSettings settings, List<ConfigChange> changes, ActorRef<Reconfigured> replyTo)
            implements Command {}

    /** How a {@link Reconfigure} ended: {@code failure} is null when every change was made. */
    public record Reconfigured(NodeSettings settings, List<ConfigChange> changes, String failure) {}

    /** Run {@code run} has its dataplane running. */
    record RunStarted(int run) implements Command {}

    /** The run's answer to an in-place reconfiguration. */
    record InPlaceDone(Reconfigured outcome) implements Command {}

    public static Behavior<Command> create(NodeSettings settings, AtomicReference<DataplaneView> published) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            UplinkPort uplink = null;
            if (settings.uplink().enabled()) {
                int pods = settings.pods().size();
                uplink = UplinkPort.take(settings.uplink(), settings.stateDir(), settings.dataplane().workers(),
                        pods, pods + 1);
            }
            Supervising s = new Supervising(context, timers, published, Optional.ofNullable(uplink), settings);
            s.startRun(settings, List.of());
            return s.behavior();
        }));
    }

    /** The reload being applied by a rebuild: what to answer, and what to go back to. */
    private record Rebuild(Reconfigure request, NodeSettings previous, boolean rollingBack, String failure,
            List<StageRow> swapped) {}

    private static final class Supervising {
        private final ActorContext<Command> context;
        private final TimerScheduler<Command> timers;
        private final AtomicReference<DataplaneView> published;
        private final Optional<UplinkPort> uplink;
        private final RestartBackoff backoff;
        private NodeSettings settings;
        private ActorRef<DataplaneRun.Command> run;
        private int generation;
        private boolean running;
        private Rebuild rebuild;
        private final ActorRef<Reconfigured> inPlaceDone;
        /** Who waits for the in-place reconfiguration under way; reloads come one at a time. */
        private ActorRef<Reconfigured> inPlaceReplyTo;

        Supervising(ActorContext<Command> context, TimerScheduler<Command> timers,
                AtomicReference<DataplaneView> published, Optional<UplinkPort> uplink, NodeSettings settings) {
            this.context = context;
            this.timers = timers;
            this.published = published;
            this.uplink = uplink;
            this.settings = settings;
            this.backoff = new RestartBackoff(settings.dataplane().workers());
            this.inPlaceDone = context.messageAdapter(Reconfigured.class, InPlaceDone::new);
        }

        /** @param swapped the stages the previous run ran, to carry their swaps over */
        void startRun(NodeSettings config, List<StageRow> swapped) {
            generation++;
            int g = generation;
            ActorRef<Command> self = context.getSelf();
            Worker.Watch watch = (worker, cause) -> self.tell(new WorkerDied(g, worker.runtime().worker(), cause));
            running = false;
            run = context.spawn(DataplaneRun.create(config, uplink, watch, published, swapped,
                    () -> self.tell(new RunStarted(g))), "run-" + g);
            context.watch(run);
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Stop.class, stop -> Behaviors.stopped())
                    .onMessage(RunStarted.class, this::started)
                    .onMessage(WorkerDied.class, died -> {
                        if (died.run() == generation) {
                            Duration delay = backoff.died(died.worker(), System.nanoTime());
                            context.getLog().error("worker {} died; restarting it in {} ms", died.worker(),
                                    delay.toMillis(), died.cause());
                            timers.startSingleTimer(new RestartWorker(died.run(), died.worker()), delay);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(RestartWorker.class, restart -> {
                        if (restart.run() == generation && running) {
                            run.tell(new DataplaneRun.RestartWorker(restart.worker()));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Reconfigure.class, this::reconfigure)
                    .onMessage(Pod.class, pod -> {
                        if (running && rebuild == null) {
                            run.tell(new DataplaneRun.Pod(pod.request(), pod.replyTo()));
                        } else {
                            pod.replyTo().tell(AdminCommands.ERROR + "pod " + (pod.request() instanceof PodRequest.Add
                                    ? "add" : "del") + ": the dataplane is being rebuilt; try again in a moment\n");
                        }
                        return Behaviors.same();
                    })
                    .onMessage(InPlaceDone.class, done -> {
                        if (done.outcome().failure() == null) {
                            settings = done.outcome().settings();
                        }
                        if (inPlaceReplyTo != null) {
                            inPlaceReplyTo.tell(done.outcome());
                            inPlaceReplyTo = null;
                        }
                        return Behaviors.same();
                    })
                    .onSignal(ChildFailed.class, this::runFailed)
                    .onSignal(Terminated.class, this::runStopped)
                    .onSignal(PostStop.class, signal -> {
                        // The run, our child, has stopped by now and closed its dataplane.
                        if (uplink.isPresent()) {
                            uplink.get().close();
                        }
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> reconfigure(Reconfigure r) {
            if (rebuild != null || !running) {
                r.replyTo().tell(new Reconfigured(r.settings(), r.changes(),
                        "the dataplane is being rebuilt; try again in a moment"));
            } else if (!LiveSettings.needsRebuild(r.changes())) {
                inPlaceReplyTo = r.replyTo();
                run.tell(new DataplaneRun.Reconfigure(r.settings(), r.changes(), inPlaceDone));
            } else {
                context.getLog().info("reload: rebuilding the dataplane for {} change(s)", r.changes().size());
                rebuild = new Rebuild(r, settings, false, null, swappedNow());
                stopRun();
            }
            return Behaviors.same();
        }

        /** What the running dataplane's slots run now, before it is stopped for a rebuild. */
        private List<StageRow> swappedNow() {
            DataplaneView d = published.get();
            return d == null || d.stages() == null ? List.of() : d.stages().rows();
        }

        private void stopRun() {
            running = false;
            context.stop(run);
        }

        private Behavior<Command> started(RunStarted s) {
            if (s.run() != generation) {
                return Behaviors.same();
            }
            running = true;
            if (rebuild != null) {
                Rebuild done = rebuild;
                rebuild = null;
                Reconfigure r = done.request();
                if (done.rollingBack()) {
                    settings = done.previous();
                    r.replyTo().tell(new Reconfigured(r.settings(), r.changes(),
                            "the new dataplane failed to start (" + done.failure() + "); the previous config runs again"));
                } else {
                    settings = r.settings();
                    r.replyTo().tell(new Reconfigured(r.settings(), r.changes(), null));
                }
            }
            return Behaviors.same();
        }

        /** The run stopped: the next one starts if a rebuild asked for it; otherwise the node cannot go on. */
        private Behavior<Command> runStopped(Terminated t) {
            if (!t.getRef().equals(run)) {
                return Behaviors.same();
            }
            if (rebuild == null) {
                throw new IllegalStateException("the dataplane stopped");
            }
            startRun(rebuild.rollingBack() ? rebuild.previous() : rebuild.request().settings(), rebuild.swapped());
            return Behaviors.same();
        }

        private Behavior<Command> runFailed(ChildFailed failed) {
            if (!failed.getRef().equals(run)) {
                return Behaviors.same();
            }
            Throwable cause = failed.cause();
            if (rebuild != null && !rebuild.rollingBack()) {
                String why = cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage();
                context.getLog().error("reload: the new dataplane failed to start; starting the previous one again",
                        cause);
                rebuild = new Rebuild(rebuild.request(), rebuild.previous(), true, why, rebuild.swapped());
                startRun(rebuild.previous(), rebuild.swapped());
                return Behaviors.same();
            }
            // At the start, or the previous config failing too: nothing left to run.
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            throw new IllegalStateException(cause);
        }
    }
}
