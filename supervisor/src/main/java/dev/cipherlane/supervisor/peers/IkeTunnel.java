package dev.cipherlane.supervisor.peers;

import dev.cipherlane.ipsec.ike.session.ChildSa;
import dev.cipherlane.ipsec.ike.session.CookieJar;
import dev.cipherlane.ipsec.ike.session.Effect;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import dev.cipherlane.ipsec.ike.session.IkeCounter;
import dev.cipherlane.ipsec.ike.session.IkeRoute;
import dev.cipherlane.ipsec.ike.session.IkeSession;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One tunnel's IKE (RFC 7296): its sessions with the peer, and what keeps the tunnel keyed. A
 * plain class driven by datagrams and ticks, wrapped by the tunnel's actor.
 *
 * <ul>
 *   <li>The end with the larger address initiates (DESIGN.md), so two nodes do not start two
 *       IKE SAs for one tunnel; the other answers. The other starts one itself only when it has
 *       heard nothing from the peer {@link #RESPONDER_GRACE} after its own start: it restarted
 *       while the peer kept its old SAs, and its INITIAL_CONTACT has them replaced at once
 *       rather than after the peer's liveness checks. An initiator whose session closed (the peer
 *       gone, a refused exchange) starts a new one after a backoff that doubles from
 *       {@link #RESTART_MIN} to {@link #RESTART_MAX}.
 *   <li>An IKE_SA_INIT request for a new IKE SA gets a new responder session beside the ones
 *       there are ({@link IkeRoute}); when it is up and the peer said INITIAL_CONTACT (it holds
 *       no other SA with us: it restarted, section 2.4), the older sessions are closed, their
 *       CHILD SAs removed.
 *   <li>A soft limit the dataplane reports rekeys the newest CHILD SA ({@link #softLimit}).
 * </ul>
 */
public final class IkeTunnel {
    static final Duration RESTART_MIN = Duration.ofSeconds(1);
    static final Duration RESTART_MAX = Duration.ofSeconds(30);
    /**
     * Sessions one tunnel holds at most: the current one, a rekey's, a restarted peer's new one,
     * and a few half-open ones. An IKE_SA_INIT beyond them is dropped, counted: a flood from the
     * peer's address (spoofed or not) costs a bounded amount of memory, and with the node's
     * cookie jar under load, no Diffie-Hellman either (RFC 7296 section 2.6).
     */
    static final int MAX_SESSIONS = 8;
    /** How long the responder waits for the peer's IKE_SA_INIT after its own start. */
    static final Duration RESPONDER_GRACE = Duration.ofMillis(500);

    /** What the sessions act on: the wire and the SA table. */
    public interface Port {
        /** Sends one IKE message to the peer; {@code floated}: on port 4500, behind the non-ESP marker. */
        void send(byte[] message, boolean floated);

        /** Installs a CHILD SA pair, inbound first (make-before-break). */
        void install(ChildSa sa);

        /** Removes a CHILD SA pair. */
        void remove(ChildSa sa);
    }

    /** What {@code show ike} says of the tunnel's IKE. */
    public record Status(boolean initiator, String state, long initiatorSpi, long responderSpi, String proposal,
            int childSas, long rekeys, long retransmissions, String lastEvent) {}

    private final IkeConfig config;
    private final boolean initiator;
    private final Port port;
    private final SecureRandom random;
    private final CookieJar cookies;
    private final List<IkeSession> sessions = new ArrayList<>();
    private boolean floated;
    private long restartAt;
    private Duration backoff = RESTART_MIN;
    private String proposal = "";
    private long rekeys;
    private String lastEvent = "";
    private boolean started;
    private long startedAt;
    /** Whether anything came from the peer since the start (a responder then never starts on its own). */
    private boolean heard;
    private final java.util.concurrent.atomic.AtomicInteger nodeHalfOpen;
    private int halfOpen;
    private long refused;

    /**
     * @param cookies      the node's cookie jar for responder sessions, or null for none
     * @param nodeHalfOpen the node's count of half-open IKE SAs, which the jar's threshold reads;
     *                     this tunnel keeps its share of it up to date
     */
    public IkeTunnel(IkeConfig config, boolean initiator, Port port, SecureRandom random, CookieJar cookies,
            java.util.concurrent.atomic.AtomicInteger nodeHalfOpen) {
        this.config = config;
        this.initiator = initiator;
        this.port = port;
        this.random = random;
        this.cookies = cookies;
        this.nodeHalfOpen = nodeHalfOpen;
    }

    /** Without cookies. */
    public IkeTunnel(IkeConfig config, boolean initiator, Port port, SecureRandom random) {
        this(config, initiator, port, random, null, new java.util.concurrent.atomic.AtomicInteger());
    }

    /** The initiator starts its first session; the responder waits for the peer's. */
    public void start(long now) {
        started = true;
        startedAt = now;
        if (initiator) {
            initiate(now);
        }
    }

    private void initiate(long now) {
        IkeSession s = new IkeSession(config, random);
        sessions.add(s);
        handle(s, s.start(now), now);
    }

    /** A datagram from the peer (without the non-ESP marker), as received. */
    public void receive(byte[] message, InetSocketAddress source, InetSocketAddress destination, long now) {
        heard = true;
        IkeSession target = null;
        boolean made = false;
        switch (IkeRoute.of(message)) {
            case IkeRoute.NewSa n -> {
                for (IkeSession s : sessions) {
                    if (s.ikeSpis()[0] == n.initiatorSpi() && !s.closed()) {
                        target = s;
                    }
                }
                if (target == null) {
                    if (sessions.size() >= MAX_SESSIONS) {
                        refused++;
                        return;
                    }
                    target = new IkeSession(config, random, cookies);
                    sessions.add(target);
                    made = true;
                }
            }
            case IkeRoute.ExistingSa e -> {
                for (IkeSession s : sessions) {
                    long[] spis = s.ikeSpis();
                    // Our IKE_SA_INIT request's answer carries the responder's SPI we do not know yet.
                    if (spis[0] == e.initiatorSpi() && (spis[1] == e.responderSpi() || spis[1] == 0)) {
                        target = s;
                    }
                }
            }
            case IkeRoute.Invalid i -> {
                return;
            }
        }
        if (target == null) {
            // RFC 7296 section 2.21.4: an unknown SPI may be answered with INVALID_IKE_SPI or
            // ignored; ignoring it gives a spoofer nothing.
            return;
        }
        handle(target, target.receive(message, source, destination, now), now);
        if (made && !target.halfOpen() && !target.established()) {
            // Answered without keeping state (a COOKIE under load, an error): nothing to hold on to.
            sessions.remove(target);
        }
        prune();
    }

    /** Timers: every session's, then a new session if the initiator has none left. */
    public void tick(long now) {
        for (IkeSession s : List.copyOf(sessions)) {
            handle(s, s.tick(now), now);
        }
        prune();
        if (initiator && started && sessions.isEmpty() && now - restartAt >= 0) {
            initiate(now);
        } else if (!initiator && started && !heard && sessions.isEmpty()
                && now - startedAt >= RESPONDER_GRACE.toNanos()) {
            heard = true;
            initiate(now);
        }
    }

    /** The dataplane saw a soft limit on this tunnel's SAs: rekey the newest CHILD SA. */
    public void softLimit(long now) {
        current().ifPresent(s -> handle(s, s.rekeyChild(now), now));
    }

    /** Deletes every session (the tunnel goes away). */
    public void stop(long now) {
        for (IkeSession s : List.copyOf(sessions)) {
            handle(s, s.delete(now), now);
        }
        started = false;
        nodeHalfOpen.addAndGet(-halfOpen);
        halfOpen = 0;
    }

    private Optional<IkeSession> current() {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            if (sessions.get(i).established()) {
                return Optional.of(sessions.get(i));
            }
        }
        return Optional.empty();
    }

    private void prune() {
        sessions.removeIf(IkeSession::closed);
        int now = (int) sessions.stream().filter(IkeSession::halfOpen).count();
        nodeHalfOpen.addAndGet(now - halfOpen);
        halfOpen = now;
    }

    /** IKE_SA_INIT requests dropped because the tunnel held {@link #MAX_SESSIONS} sessions. */
    public long refused() {
        return refused;
    }

    /** Sessions held now, established or not. */
    int sessions() {
        return sessions.size();
    }

    private void handle(IkeSession s, List<Effect> effects, long now) {
        for (Effect e : effects) {
            switch (e) {
                case Effect.Send send -> port.send(send.message(), floated);
                case Effect.InstallChildSa install -> port.install(install.sa());
                case Effect.RemoveChildSa remove -> port.remove(remove.sa());
                case Effect.NatStatus nat -> floated = nat.floatTo4500();
                case Effect.Established up -> {
                    proposal = up.suite() + ", " + up.group();
                    lastEvent = "established";
                    backoff = RESTART_MIN;
                }
                case Effect.IkeRekeyed rekeyed -> {
                    rekeys++;
                    lastEvent = "IKE SA rekeyed";
                }
                case Effect.PeerInitialContact contact -> {
                    // The peer holds no other IKE SA with us: the older sessions are dead.
                    for (IkeSession other : List.copyOf(sessions)) {
                        if (other != s && !other.closed()) {
                            for (Effect o : other.abandon("the peer started over (INITIAL_CONTACT)", now)) {
                                if (o instanceof Effect.RemoveChildSa r) {
                                    port.remove(r.sa());
                                }
                            }
                        }
                    }
                    lastEvent = "peer restarted (INITIAL_CONTACT)";
                }
                case Effect.Closed closed -> {
                    lastEvent = "closed: " + closed.reason();
                    restartAt = now + backoff.toNanos();
                    backoff = backoff.multipliedBy(2).compareTo(RESTART_MAX) > 0 ? RESTART_MAX : backoff.multipliedBy(2);
                }
            }
        }
    }

    /** For {@code show ike}. */
    public Status status() {
        Optional<IkeSession> s = current();
        long retransmissions = 0;
        int children = 0;
        for (IkeSession x : sessions) {
            retransmissions += x.counters().get(IkeCounter.RETRANSMISSIONS);
            children += x.childSas().size();
        }
        String state = s.isPresent() ? "established" : sessions.isEmpty() ? (initiator ? "waiting to retry" : "waiting")
                : "negotiating";
        long[] spis = s.map(IkeSession::ikeSpis).orElse(new long[2]);
        return new Status(initiator, state, spis[0], spis[1], proposal, children, rekeys, retransmissions, lastEvent);
    }

    public boolean initiator() {
        return initiator;
    }
}
