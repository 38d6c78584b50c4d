package dev.cipherlane.supervisor.peers;

import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One tunnel's control: the lifecycle of its SAs, on its own timer. It never touches packets;
 * the workers read the SA table's snapshot.
 *
 * <p>Supervision ({@link #supervised}): a tunnel whose control throws is restarted alone,
 * after {@link #RESTART_MIN} doubling up to {@link #RESTART_MAX} while it keeps failing; the
 * other tunnels' actors, and every tunnel's traffic, go on. The tunnel keeps its SAs
 * meanwhile: a restart only re-arms its timer.
 */
public final class Tunnel {
    static final Duration RESTART_MIN = Duration.ofSeconds(1);
    static final Duration RESTART_MAX = Duration.ofSeconds(30);
    /** Characters Pekko allows in an actor's name; others in a tunnel's name become '-'. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");

    private Tunnel() {}

    public sealed interface Command permits CheckLimits {}

    /** The period is up: check the SAs' limits. */
    enum CheckLimits implements Command { INSTANCE }

    /** The tunnel's actor as its parent spawns it: restarted alone, with backoff, when it fails. */
    public static Behavior<Command> supervised(TunnelControl control, Duration period) {
        return Behaviors.supervise(create(control, period))
                .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(RESTART_MIN, RESTART_MAX, 0.2));
    }

    /** A name for the tunnel's actor, from the tunnel's. */
    public static String actorName(TunnelControl control) {
        return "tunnel-" + UNSAFE.matcher(control.name()).replaceAll("-");
    }

    static Behavior<Command> create(TunnelControl control, Duration period) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(CheckLimits.INSTANCE, period);
            return Behaviors.receive(Command.class)
                    .onMessageEquals(CheckLimits.INSTANCE, () -> {
                        try {
                            control.checkLimits();
                        } catch (RuntimeException e) {
                            context.getLog().error("tunnel {}: its control failed; restarting it alone", control.name(), e);
                            throw e;
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
