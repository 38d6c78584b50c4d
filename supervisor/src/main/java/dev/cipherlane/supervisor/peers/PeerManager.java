package dev.cipherlane.supervisor.peers;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.supervisor.admin.FailureText;
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
 * peers a reload adds, removes or changes ({@link SetPeers}), made live: the dataplane makes
 * and unmakes their tunnels and routes ({@link PeerTunnels#changePeer}), this actor starts and
 * stops the tunnels' actors. (The IKE sessions of the IKEv2 issue will live in the tunnel actors.)
 *
 * <p>Supervision: each tunnel actor is restarted alone with backoff ({@link Tunnel#supervised});
 * this actor catches what a change throws and answers with it, so it fails only on a bug, and
 * is then restarted with the tunnel actors made again from the dataplane's tunnels.
 */
public final class PeerManager {
    private PeerManager() {}

    public sealed interface Command permits SetPeers {}

    /**
     * Make peers {@code names} what {@code now} says (absent: removed), one after another, from
     * what {@code previous} says (absent: added); if one fails, those already changed go back.
     * The outcome goes to {@code replyTo}.
     */
    public record SetPeers(List<String> names, List<PeerSettings> now, List<PeerSettings> previous,
            ActorRef<PeersSet> replyTo) implements Command {}

    /** How {@link SetPeers} ended: {@code failure} is null when every change was made. */
    public record PeersSet(String failure) {}

    public static Behavior<Command> supervised(PeerTunnels tunnels, Duration limitsPeriod) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> {
            Managing m = new Managing(context, tunnels, limitsPeriod);
            for (TunnelControl t : tunnels.tunnelControls()) {
                m.spawn(t);
            }
            return Behaviors.receive(Command.class)
                    .onMessage(SetPeers.class, set -> {
                        set.replyTo().tell(new PeersSet(m.set(set.names(), set.now(), set.previous())));
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
        private final Map<String, java.util.Optional<TunnelIke>> ikeOf = new LinkedHashMap<>();
        /** Tells apart the actors of a tunnel made, unmade and made again before the first one stopped. */
        private int generation;

        Managing(ActorContext<Command> context, PeerTunnels tunnels, Duration limitsPeriod) {
            this.context = context;
            this.tunnels = tunnels;
            this.limitsPeriod = limitsPeriod;
        }

        void spawn(TunnelControl t) {
            ActorRef<Tunnel.Command> actor = context.spawn(Tunnel.supervised(t, limitsPeriod),
                    Tunnel.actorName(t) + "-" + generation++);
            actors.put(t.name(), actor);
            t.ike().ifPresent(ike -> tunnels.ikeDispatch().ifPresent(d -> d.register(ike.local(), ike.remote(),
                    datagram -> actor.tell(new Tunnel.Received(datagram)))));
            ikeOf.put(t.name(), t.ike());
        }

        /** The failure, or null. */
        String set(List<String> names, List<PeerSettings> now, List<PeerSettings> previous) {
            List<String> done = new ArrayList<>();
            for (String name : names) {
                PeerSettings before = find(previous, name);
                PeerSettings after = find(now, name);
                if (java.util.Objects.equals(before, after)) {
                    continue;
                }
                try {
                    apply(tunnels.changePeer(before, after));
                    done.add(name);
                } catch (Exception e) {
                    String why = "peer " + name + ": " + FailureText.of(e);
                    context.getLog().error("reload: peer changes refused ({}); undoing those made", why);
                    for (String changed : done.reversed()) {
                        try {
                            apply(tunnels.changePeer(find(now, changed), find(previous, changed)));
                        } catch (Exception undo) {
                            context.getLog().error("undo: peer {} could not be set back: {}", changed, undo.getMessage());
                        }
                    }
                    return why;
                }
            }
            return null;
        }

        private static PeerSettings find(List<PeerSettings> peers, String name) {
            return peers.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        }

        private void apply(TunnelChange change) {
            for (String name : change.removed()) {
                ActorRef<Tunnel.Command> actor = actors.remove(name);
                if (actor != null) {
                    context.stop(actor);
                }
                java.util.Optional<TunnelIke> ike = ikeOf.remove(name);
                if (ike != null && ike.isPresent()) {
                    tunnels.ikeDispatch().ifPresent(d -> d.unregister(ike.get().local(), ike.get().remote()));
                }
            }
            for (TunnelControl t : change.added()) {
                spawn(t);
            }
        }
    }
}
