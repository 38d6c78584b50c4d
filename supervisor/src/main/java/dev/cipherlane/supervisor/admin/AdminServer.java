package dev.cipherlane.supervisor.admin;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The admin API. The socket is served by an {@link AdminListener} on its own thread;
 * each request comes here as a message, so answers can draw on actor state and requests
 * are handled one at a time. Stopping the actor closes the socket and removes its file.
 */
public final class AdminServer {

    /** Messages this actor understands. */
    public sealed interface Command permits Request {
    }

    /** One request line from a client; the reply text goes to {@code replyTo}. */
    public record Request(String line, ActorRef<String> replyTo) implements Command {
    }

    /** Longer than any answer takes; the listener gives the client an error after it. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(3);
    /** A reload may rebuild the dataplane (pods re-attached, SAs reloaded): it gets longer. */
    static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(25);

    private AdminServer() {
    }

    /** Serves requests from {@code listener}, and closes it when the actor stops; no reloads. */
    public static Behavior<Command> create(AdminListener listener, AdminCommands commands) {
        return create(listener, commands, null);
    }

    /**
     * Serves requests from {@code listener}; {@code reload} hands a {@code reload} request to
     * whoever applies config files (it answers {@code replyTo} itself, within the answer timeout).
     */
    public static Behavior<Command> create(AdminListener listener, AdminCommands commands,
            Consumer<ActorRef<String>> reload) {
        return create(listener, commands, reload, null);
    }

    /**
     * As {@link #create(AdminListener, AdminCommands, Consumer)}; {@code pods} takes {@code pod
     * add|del} requests to the dataplane (null: the node runs none, and says so).
     */
    public static Behavior<Command> create(AdminListener listener, AdminCommands commands,
            Consumer<ActorRef<String>> reload, BiConsumer<PodRequest, ActorRef<String>> pods) {
        return Behaviors.setup(context -> {
            ActorRef<Command> self = context.getSelf();
            Scheduler scheduler = context.getSystem().scheduler();
            listener.serve(line -> AskPattern.ask(self, replyTo -> new Request(line, replyTo),
                    AdminCommands.isReload(line) || AdminCommands.isPod(line) ? RELOAD_TIMEOUT : ANSWER_TIMEOUT,
                    scheduler));
            context.getLog().info("admin socket listening on {}", listener.socket());
            return Behaviors.receive(Command.class)
                    .onMessage(Request.class, request -> {
                        if (reload != null && AdminCommands.isReload(request.line())) {
                            reload.accept(request.replyTo());
                        } else if (pods != null && AdminCommands.isPod(request.line())) {
                            Object parsed = AdminCommands.podRequest(request.line());
                            if (parsed instanceof PodRequest p) {
                                pods.accept(p, request.replyTo());
                            } else {
                                request.replyTo().tell((String) parsed);
                            }
                        } else {
                            request.replyTo().tell(commands.answer(request.line()));
                        }
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, stopped -> {
                        listener.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
