package dev.cipherlane.supervisor.peers;

import dev.cipherlane.config.PeerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The peers of one running dataplane: one {@link Tunnel} actor per protected tunnel, and the
 * tunnel counts a reload changes ({@link SetTunnels}), made live: the dataplane makes and
 * unmakes the tunnels ({@link PeerTunnels#changeTunnels}), this actor starts and stops their
 * actors. (The IKE sessions of the IKEv2 issue will live in the tunnel actors.)
 *
 * <p>Supervision: each tunnel actor is restarted alone with backoff ({@link Tunnel#supervised});
 * this actor catches what a change throws and answers with it, so it fails only on a bug, and
 * is then restarted with the tunnel actors made again from the dataplane's tunnels.
 */
public final class PeerManager {
    private PeerManager() {}

    public sealed interface Command permits SetTunnels {}

    /**
     * Give each of {@code peers} its tunnel count, one peer after another; if one fails, those
     * already changed go back to {@code previous}'s counts. The outcome goes to {@code replyTo}.
     */
    public record SetTunnels(List<PeerSettings> peers, List<PeerSettings> previous, ActorRef<TunnelsSet> replyTo)
            implements Command {}

    /** How {@link SetTunnels} ended: {@code failure} is null when every count was made. */
    public record TunnelsSet(String failure) {}

    public static Behavior<Command> supervised(PeerTunnels tunnels, Duration limitsPeriod) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> {
            Managing m = new Managing(context, tunnels, limitsPeriod);
            for (TunnelControl t : tunnels.tunnelControls()) {
                m.spawn(t);
            }
            return Behaviors.receive(Command.class)
                    .onMessage(SetTunnels.class, set -> {
                        set.replyTo().tell(new TunnelsSet(m.set(set.peers(), set.previous())));
                        return Behaviors.same();
                    })
                    .build();
        })).onFailure(Exception.class, SupervisorStrategy.restart());
    }

    private static final class Managing {
        private final ActorContext<Command> context;
        private final PeerTunnels tunnels;
        private final Duration limitsPeriod;
        private final Map<String, ActorRef<Tunnel.Command>> actors = new LinkedHashMap<>();
        /** Tells apart the actors of a tunnel made, unmade and made again before the first one stopped. */
        private int generation;

        Managing(ActorContext<Command> context, PeerTunnels tunnels, Duration limitsPeriod) {
            this.context = context;
            this.tunnels = tunnels;
            this.limitsPeriod = limitsPeriod;
        }

        void spawn(TunnelControl t) {
            actors.put(t.name(), context.spawn(Tunnel.supervised(t, limitsPeriod),
                    Tunnel.actorName(t) + "-" + generation++));
        }

        /** The failure, or null. */
        String set(List<PeerSettings> peers, List<PeerSettings> previous) {
            List<PeerSettings> done = new ArrayList<>();
            for (PeerSettings peer : peers) {
                try {
                    apply(tunnels.changeTunnels(peer));
                    done.add(peer);
                } catch (Exception e) {
                    String why = "peer " + peer.name() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString());
                    context.getLog().error("reload: tunnel counts refused ({}); undoing those changed", why);
                    for (PeerSettings changed : done) {
                        previous.stream().filter(p -> p.name().equals(changed.name())).findFirst().ifPresent(p -> {
                            try {
                                apply(tunnels.changeTunnels(p));
                            } catch (Exception undo) {
                                context.getLog().error("undo: peer {} keeps {} tunnels: {}", p.name(), changed.tunnels(),
                                        undo.getMessage());
                            }
                        });
                    }
                    return why;
                }
            }
            return null;
        }

        private void apply(TunnelChange change) {
            for (String name : change.removed()) {
                ActorRef<Tunnel.Command> actor = actors.remove(name);
                if (actor != null) {
                    context.stop(actor);
                }
            }
            for (TunnelControl t : change.added()) {
                spawn(t);
            }
        }
    }
}
