package dev.cipherlane.supervisor.dataplane;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Runs the dataplane's {@link ForwardingControl}: a resolve when a neighbour changed, and
 * each task on its own timer (Pekko timers instead of a thread of our own). One message at a
 * time, so the forwarding tables, the SA table and the neighbour table's control side have
 * one writer.
 *
 * <p>Supervision, as {@link DataplaneSupervisor} spawns it: a task that throws restarts this
 * actor with backoff ({@link #RESTART_MIN} doubling to {@link #RESTART_MAX}); it holds no
 * state of its own (the tables live in {@link NodeForwarding} and the SA table), so the
 * restart re-arms the timers and resolves once, and the workers never notice. It stops with
 * its parent, before the parent closes what the tasks use: Pekko stops the children before
 * the parent's PostStop.
 */
public final class ForwardingController {
    static final Duration RESTART_MIN = Duration.ofMillis(200);
    static final Duration RESTART_MAX = Duration.ofSeconds(10);

    private ForwardingController() {}

    public sealed interface Command permits Resolve, RunTask {}

    /** A neighbour changed; several queued changes are resolved once. */
    enum Resolve implements Command { INSTANCE }

    /** The period of task {@code index} of {@link ForwardingControl#tasks} is up. */
    record RunTask(int index) implements Command {}

    /** The controller, supervised: restarted with backoff when a task throws. */
    public static Behavior<Command> supervised(ForwardingControl control) {
        return Behaviors.supervise(create(control))
                .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(RESTART_MIN, RESTART_MAX, 0.2));
    }

    static Behavior<Command> create(ForwardingControl control) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<Command> self = context.getSelf();
            // Coalesces a burst of changes (a flood of ARP answers) into one resolve.
            AtomicBoolean queued = new AtomicBoolean();
            boolean pending = control.attach(() -> {
                if (queued.compareAndSet(false, true)) {
                    self.tell(Resolve.INSTANCE);
                }
            });
            // Also after a restart: whatever changed while the failed one was down is applied.
            queued.set(true);
            self.tell(Resolve.INSTANCE);
            List<ForwardingControl.Task> tasks = control.tasks();
            for (int i = 0; i < tasks.size(); i++) {
                timers.startTimerWithFixedDelay(i, new RunTask(i), Duration.ofMillis(tasks.get(i).initialDelayMs()),
                        Duration.ofMillis(control.periodMs()));
            }
            if (pending) {
                context.getLog().debug("resolving the neighbour changes made before the start");
            }
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Resolve.INSTANCE, () -> {
                        queued.set(false);
                        control.resolve();
                        return Behaviors.same();
                    })
                    .onMessage(RunTask.class, run -> {
                        ForwardingControl.Task task = tasks.get(run.index());
                        try {
                            task.run().run();
                        } catch (RuntimeException e) {
                            context.getLog().error("control task '{}' failed; restarting the controller", task.name(), e);
                            throw e;
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
