package dev.cipherlane.supervisor.peers;

import dev.cipherlane.ipsec.ike.port.IkePort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One tunnel's control: the lifecycle of its SAs, on its own timers. With static keys it watches
 * their limits; with IKEv2 it also runs the tunnel's {@link IkeTunnel}: received IKE datagrams
 * come as {@link Received}, a tick drives retransmissions, liveness and lifetimes, and a soft
 * limit the dataplane reports starts a CHILD SA rekey. It never touches packets: the workers
 * read the SA table's snapshot.
 *
 * <p>Supervision ({@link #supervised}): a tunnel whose control throws is restarted alone,
 * after {@link #RESTART_MIN} doubling up to {@link #RESTART_MAX} while it keeps failing; the
 * other tunnels' actors, and every tunnel's traffic, go on. A static-key tunnel keeps its SAs
 * meanwhile; an IKE tunnel's restart starts its IKE afresh (the peer, told by INITIAL_CONTACT,
 * replaces the old SAs).
 */
public final class Tunnel {
    static final Duration RESTART_MIN = Duration.ofSeconds(1);
    static final Duration RESTART_MAX = Duration.ofSeconds(30);
    /** How often IKE's timers are looked at: well under its first retransmission (0.5 s). */
    static final Duration IKE_TICK = Duration.ofMillis(100);
    /** Characters Pekko allows in an actor's name; others in a tunnel's name become '-'. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");

    private Tunnel() {}

    public sealed interface Command permits CheckLimits, IkeTick, Received {}

    /** The period is up: check the SAs' limits. */
    enum CheckLimits implements Command { INSTANCE }

    /** IKE's timers. */
    enum IkeTick implements Command { INSTANCE }

    /** An IKE datagram for this tunnel, from the dataplane. */
    public record Received(IkePort.Datagram datagram) implements Command {}

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
            Optional<IkeTunnel> ike = control.ike().map(i -> new IkeTunnel(i.config(), i.initiator(), i.port(),
                    new SecureRandom(), i.cookies(), i.halfOpen()));
            if (ike.isPresent()) {
                ike.get().start(System.nanoTime());
                timers.startTimerWithFixedDelay(IkeTick.INSTANCE, IKE_TICK);
            }
            return Behaviors.receive(Command.class)
                    .onMessageEquals(CheckLimits.INSTANCE, () -> {
                        boolean soft;
                        try {
                            soft = control.checkLimits();
                        } catch (RuntimeException e) {
                            context.getLog().error("tunnel {}: its control failed; restarting it alone", control.name(), e);
                            throw e;
                        }
                        if (soft && ike.isPresent()) {
                            ike.get().softLimit(System.nanoTime());
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(IkeTick.INSTANCE, () -> {
                        ike.ifPresent(i -> {
                            i.tick(System.nanoTime());
                            control.ike().get().report(i.status());
                        });
                        return Behaviors.same();
                    })
                    .onMessage(Received.class, r -> {
                        if (ike.isPresent()) {
                            IkePort.Datagram d = r.datagram();
                            ike.get().receive(d.message(), address(d.remote(), d.remotePort()),
                                    address(d.local(), d.localPort()), System.nanoTime());
                        }
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, stop -> {
                        // The tunnel goes (a reload, the node stopping): tell the peer, so it drops
                        // its SAs now rather than after its liveness checks.
                        ike.ifPresent(i -> i.stop(System.nanoTime()));
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static InetSocketAddress address(int ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(dev.cipherlane.net.IpAddress.ipv4(ip).toBytes()), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
