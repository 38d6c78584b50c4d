package dev.cipherlane.supervisor;

import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.ConfigDiff;
import dev.cipherlane.config.ConfigProblem;
import dev.cipherlane.config.ConfigValidationException;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.dataplane.DataplaneSupervisor;
import dev.cipherlane.supervisor.dataplane.LiveSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Applies the config file to the running node: on {@code ctl reload}, and by itself when the
 * file's content changes (checked every {@link #CHECK_EVERY}: a poll survives editors that
 * replace the file, where an inotify watch on it would be lost). A reload is one batch, as
 * Snabb's {@code engine.configure} does it: the file is loaded and validated whole, diffed
 * against the running config, and either every change is made or none.
 *
 * <ul>
 *   <li>a file that fails validation changes nothing: the answer lists its file:line problems;
 *   <li>a diff with a change a running node cannot make ({@link LiveSettings}) changes
 *       nothing and names those changes, to be applied by a restart;
 *   <li>otherwise the dataplane makes the changes, undoing them all if one fails, and the
 *       running config becomes the file's.
 * </ul>
 *
 * <p>One reload at a time: a request that comes while one is being applied waits its turn.
 */
public final class ConfigWatcher {
    static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    private ConfigWatcher() {}

    public sealed interface Command permits Reload, CheckFile, Applied {}

    /** {@code ctl reload}: the outcome, one or more lines, goes to {@code replyTo}. */
    public record Reload(ActorRef<String> replyTo) implements Command {}

    enum CheckFile implements Command { INSTANCE }

    /** The dataplane's answer to a reload, with whom to tell (null for a reload by the watch). */
    record Applied(DataplaneSupervisor.Reconfigured outcome, ActorRef<String> replyTo) implements Command {}

    /**
     * @param file      the config file the node was started with
     * @param running   the running config, read by the admin API; this actor alone writes it
     * @param dataplane the dataplane's supervisor, or null when the node runs none
     */
    public static Behavior<Command> create(Path file, AtomicReference<NodeSettings> running,
            ActorRef<DataplaneSupervisor.Command> dataplane) {
        return create(file, running, dataplane, CHECK_EVERY);
    }

    /** As {@link #create(Path, AtomicReference, ActorRef)}, checking the file every {@code checkEvery}. */
    static Behavior<Command> create(Path file, AtomicReference<NodeSettings> running,
            ActorRef<DataplaneSupervisor.Command> dataplane, Duration checkEvery) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(CheckFile.INSTANCE, checkEvery);
            // Nothing seen yet: the first check loads the file and diffs it against the running
            // config, so an edit made between the node's start and this actor's is not missed.
            return new Watching(context, file, running, dataplane, null).behavior();
        }));
    }

    private static final class Watching {
        private final ActorContext<Command> context;
        private final Path file;
        private final AtomicReference<NodeSettings> running;
        private final ActorRef<DataplaneSupervisor.Command> dataplane;
        private final ActorRef<DataplaneSupervisor.Reconfigured> applied;
        /** The file's bytes as last loaded or refused, so an unchanged file is not reloaded. */
        private byte[] seen;
        private ActorRef<String> applying;
        private boolean busy;

        Watching(ActorContext<Command> context, Path file, AtomicReference<NodeSettings> running,
                ActorRef<DataplaneSupervisor.Command> dataplane, byte[] seen) {
            this.context = context;
            this.file = file;
            this.running = running;
            this.dataplane = dataplane;
            this.seen = seen;
            this.applied = context.messageAdapter(DataplaneSupervisor.Reconfigured.class,
                    outcome -> new Applied(outcome, applying));
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Reload.class, r -> {
                        if (busy) {
                            // Behind the one being applied: comes back once it is done.
                            context.scheduleOnce(Duration.ofMillis(50), context.getSelf(), r);
                        } else {
                            reload(r.replyTo());
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(CheckFile.INSTANCE, () -> {
                        byte[] now = read(file);
                        if (!busy && now != null && !Arrays.equals(now, seen)) {
                            context.getLog().info("{} changed: reloading", file);
                            reload(null);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Applied.class, a -> {
                        busy = false;
                        DataplaneSupervisor.Reconfigured o = a.outcome();
                        String answer;
                        if (o.failure() == null) {
                            running.set(o.settings());
                            answer = "reload: applied " + o.changes().size() + " change(s):\n" + lines(o.changes());
                            context.getLog().info("{}", answer.strip());
                        } else {
                            answer = AdminCommands.ERROR + "reload failed, every change undone, the running config stays: " + o.failure()
                                    + "\n";
                            context.getLog().error("{}", answer.strip());
                        }
                        reply(a.replyTo(), answer);
                        return Behaviors.same();
                    })
                    .build();
        }

        private void reload(ActorRef<String> replyTo) {
            seen = read(file);
            NodeSettings neu;
            try {
                neu = NodeConfigLoader.load(file);
            } catch (RuntimeException e) {
                String answer = AdminCommands.ERROR + "reload refused, the running config stays: " + FailureText.of(e) + "\n";
                context.getLog().error("{}", answer.strip());
                reply(replyTo, answer);
                return;
            } catch (ConfigValidationException e) {
                String problems = e.problems().stream().map(ConfigProblem::render).collect(Collectors.joining("\n"));
                String answer = AdminCommands.ERROR + "reload refused, the running config stays:\n" + problems + "\n";
                context.getLog().error("{}", answer.strip());
                reply(replyTo, answer);
                return;
            }
            List<ConfigChange> changes = ConfigDiff.between(running.get(), neu);
            if (changes.isEmpty()) {
                reply(replyTo, "reload: no changes\n");
                return;
            }
            List<ConfigChange> restart = LiveSettings.needingRestart(changes);
            if (!restart.isEmpty()) {
                String answer = AdminCommands.ERROR + "reload refused, nothing changed: these changes take a restart of the service:\n"
                        + lines(restart);
                context.getLog().warn("{}", answer.strip());
                reply(replyTo, answer);
                return;
            }
            if (dataplane == null && (LiveSettings.needsRebuild(changes)
                    || !LiveSettings.made(changes, LiveSettings.How.POD).isEmpty())) {
                // No dataplane runs to rebuild: a node started without pods or an uplink.
                reply(replyTo, AdminCommands.ERROR + "reload refused, nothing changed: this node runs no dataplane, so these changes take"
                        + " a restart of the service:\n" + lines(changes));
                return;
            }
            if (dataplane == null) {
                running.set(neu);
                reply(replyTo, "reload: applied " + changes.size() + " change(s):\n" + lines(changes));
                return;
            }
            busy = true;
            applying = replyTo;
            dataplane.tell(new DataplaneSupervisor.Reconfigure(neu, changes, applied));
        }

        private static String lines(List<ConfigChange> changes) {
            return changes.stream().map(c -> "  " + c + "\n").collect(Collectors.joining());
        }

        private static void reply(ActorRef<String> replyTo, String answer) {
            if (replyTo != null) {
                replyTo.tell(answer);
            }
        }
    }

    /** The file's bytes, or null when it cannot be read right now (an editor mid-replace). */
    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }
}
