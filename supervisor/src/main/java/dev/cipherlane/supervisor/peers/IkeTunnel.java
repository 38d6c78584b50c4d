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
 *   <li>Two sessions may cross when the smaller address started one (its grace ran out while
 *       the peer was still starting) as the larger started its own. Both ends then keep the
 *       larger address's and abandon the other as soon as the larger's is up on their side, so
 *       they agree on the SAs in use; and a session whose IKE_AUTH is not out yet when another
 *       is up does not say INITIAL_CONTACT, which would have the peer drop the live one.
 *       INITIAL_CONTACT retires established sessions only, never one still being negotiated.
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
    /**
     * How often an end behind a NAT sends a keepalive while it has an SA, so that the NAT keeps
     * its mapping even when no traffic flows: RFC 3948 section 4's default of 20 s.
     */
    static final Duration NAT_KEEPALIVE = Duration.ofSeconds(20);
    /**
     * Half-open SAs one tunnel may hold before a new IKE_SA_INIT must bring a cookie, whatever
     * the node's load: a flood spoofing the peer's own address fills no more than this, and
     * the real peer, which sees the cookie, still gets through.
     */
    static final int TUNNEL_HALF_OPEN = 2;
    /**
     * How long a replaced or deleted pair's inbound SA is still taken after we stopped sending
     * under it: packets the peer sealed under it just before it switched may still be on the
     * way, or queued behind a burst (RFC 7296 section 2.8 leaves the when to the implementation).
     */
    static final Duration INBOUND_GRACE = Duration.ofSeconds(2);
    /** How long the responder waits for the peer's IKE_SA_INIT after its own start. */
    static final Duration RESPONDER_GRACE = Duration.ofMillis(500);

    /** What the sessions act on: the wire and the SA table. */
    public interface Port {
        /** Sends one IKE message to the peer; {@code floated}: on port 4500, behind the non-ESP marker. */
        void send(byte[] message, boolean floated);

        /**
         * Installs a CHILD SA pair, inbound first (make-before-break); {@code natFound}: NAT
         * detection found a NAT between the ends, so ESP must go in UDP to port 4500 whatever
         * the node's own setting (RFC 7296 section 2.23, RFC 3948).
         */
        void install(ChildSa sa, boolean natFound);

        /** Stops sending under a CHILD SA pair's outbound SA; its inbound one is still taken. */
        void stopSending(ChildSa sa);

        /** Removes a CHILD SA pair, its inbound SA too. */
        void remove(ChildSa sa);

        /** Sends a NAT keepalive, the one byte 0xFF from port 4500 to 4500 (RFC 3948 section 2.3). */
        void natKeepalive();
    }

    /** What {@code show ike} says of the tunnel's IKE. */
    /**
     * @param cookies IKE_SA_INIT requests answered with only a COOKIE, keeping no state
     * @param refused IKE_SA_INIT requests dropped because the tunnel held {@link #MAX_SESSIONS}
     */
    public record Status(boolean initiator, String state, long initiatorSpi, long responderSpi, String proposal,
            int childSas, long rekeys, long retransmissions, String lastEvent, long cookies, long refused) {}

    private final IkeConfig config;
    private final boolean initiator;
    private final Port port;
    private final SecureRandom random;
    private final CookieJar cookies;
    private final List<IkeSession> sessions = new ArrayList<>();
    private boolean floated;
    /** NAT detection found a NAT in front of us (RFC 7296 section 2.23): we keep its mapping alive. */
    private boolean natHere;
    private long keepaliveAt;
    /** Pairs no longer sent under, by when their inbound SA goes, oldest first. */
    private record Retiring(ChildSa sa, long at) {}
    private final java.util.ArrayDeque<Retiring> retiring = new java.util.ArrayDeque<>();
    /** The sessions this end started, the rest being the peer's. */
    private final java.util.Set<IkeSession> ours = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private long cookiesSent;
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
        if (current().isPresent()) {
            s.otherSaLive();
        }
        sessions.add(s);
        ours.add(s);
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
                    // A tunnel's peer needs one half-open SA at a time (two when both ends restart);
                    // beyond that every new one must prove its address first (RFC 7296 section 2.6).
                    CookieJar jar = cookies != null && halfOpen >= TUNNEL_HALF_OPEN ? cookies.demanding() : cookies;
                    target = new IkeSession(config, random, jar);
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
            cookiesSent += target.counters().get(IkeCounter.COOKIES_SENT);
            sessions.remove(target);
        }
        prune();
    }

    /** Stops sending under {@code sa} now, and takes its inbound SA away after {@link #INBOUND_GRACE}. */
    private void retire(ChildSa sa, long now) {
        port.stopSending(sa);
        retiring.add(new Retiring(sa, now + INBOUND_GRACE.toNanos()));
    }

    /** Timers: every session's, then a new session if the initiator has none left. */
    public void tick(long now) {
        if (cookies != null) {
            cookies.tick(now);
        }
        while (!retiring.isEmpty() && now - retiring.peek().at() >= 0) {
            port.remove(retiring.poll().sa());
        }
        for (IkeSession s : List.copyOf(sessions)) {
            handle(s, s.tick(now), now);
        }
        prune();
        if (natHere && current().isPresent() && now - keepaliveAt >= NAT_KEEPALIVE.toNanos()) {
            keepaliveAt = now;
            port.natKeepalive();
        }
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

    /** Deletes every session and removes every SA it installed (the tunnel goes away, or restarts). */
    public void stop(long now) {
        for (IkeSession s : List.copyOf(sessions)) {
            handle(s, s.delete(now), now);
            // No one will read the answer: the SAs go now, not when the Delete is acknowledged.
            handle(s, s.abandon("the tunnel stopped", now), now);
        }
        while (!retiring.isEmpty()) {
            port.remove(retiring.poll().sa());
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
        ours.retainAll(sessions);
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
                case Effect.InstallChildSa install -> port.install(install.sa(), floated);
                case Effect.RemoveChildSa remove -> retire(remove.sa(), now);
                case Effect.NatStatus nat -> {
                    floated = nat.floatTo4500();
                    natHere = nat.localBehindNat();
                    keepaliveAt = now;
                }
                case Effect.Established up -> {
                    proposal = up.suite() + ", " + up.group();
                    lastEvent = "established";
                    backoff = RESTART_MIN;
                    for (IkeSession other : sessions) {
                        if (other != s) {
                            other.otherSaLive();
                        }
                    }
                    if (ours.contains(s) == initiator) {
                        // The larger address's session is up: a crossing one of the smaller's goes
                        // here as it does at the peer, which applies the same rule.
                        abandonAll(s, o -> ours.contains(o) != initiator, "crossed by the larger address's session",
                                now);
                    }
                }
                case Effect.IkeRekeyed rekeyed -> {
                    rekeys++;
                    lastEvent = "IKE SA rekeyed";
                }
                case Effect.PeerInitialContact contact -> {
                    // The peer holds no other IKE SA with us: the established ones are dead. One
                    // still being negotiated is the peer's new self answering or asking.
                    abandonAll(s, IkeSession::established, "the peer started over (INITIAL_CONTACT)", now);
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

    /** Ends every open session but {@code keep} that {@code which} picks, silently, removing its CHILD SAs. */
    private void abandonAll(IkeSession keep, java.util.function.Predicate<IkeSession> which, String reason, long now) {
        for (IkeSession other : List.copyOf(sessions)) {
            if (other != keep && !other.closed() && which.test(other)) {
                for (Effect o : other.abandon(reason, now)) {
                    if (o instanceof Effect.RemoveChildSa r) {
                        retire(r.sa(), now);
                    }
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
        return new Status(initiator, state, spis[0], spis[1], proposal, children, rekeys, retransmissions, lastEvent,
                cookiesSent, refused);
    }

    public boolean initiator() {
        return initiator;
    }
}
