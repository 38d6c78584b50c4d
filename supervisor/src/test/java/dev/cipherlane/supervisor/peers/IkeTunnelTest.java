package dev.cipherlane.supervisor.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.session.ChildSa;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two tunnels' IKE back to back with a fake clock: the larger address initiates, the CHILD SA
 * pairs match across the ends, a soft limit rekeys make-before-break, a restarted peer's
 * INITIAL_CONTACT retires the old session, and an initiator whose peer vanished starts again.
 */
class IkeTunnelTest {
    private static final PreSharedKey PSK = PreSharedKey.of("correct horse battery staple".getBytes(StandardCharsets.US_ASCII));
    private static final InetSocketAddress A = endpoint("10.200.0.2");
    private static final InetSocketAddress B = endpoint("10.200.0.1");
    private static final long MS = 1_000_000L;

    private static InetSocketAddress endpoint(String ip) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), 500);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecureRandom random(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static IkeConfig config(InetSocketAddress local, InetSocketAddress peer) {
        return IkeConfig.builder(local, peer, PSK)
                .selectors(List.of(TrafficSelector.range(4, local.getAddress(), local.getAddress())),
                        List.of(TrafficSelector.range(4, peer.getAddress(), peer.getAddress())))
                .liveness(Duration.ofSeconds(5))
                .build();
    }

    /** One end: what it installed and removed, and what it sent, not yet delivered. */
    private static final class End implements IkeTunnel.Port {
        final List<ChildSa> installed = new ArrayList<>();
        final List<ChildSa> removed = new ArrayList<>();
        final List<ChildSa> released = new ArrayList<>();
        final List<Boolean> natFound = new ArrayList<>();
        final List<Boolean> floatedSends = new ArrayList<>();
        int keepalives;
        final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
        boolean connected = true;

        @Override
        public void send(byte[] message, boolean floated) {
            if (connected) {
                outbox.add(message);
                floatedSends.add(floated);
            }
        }

        @Override
        public void install(ChildSa sa, boolean nat) {
            natFound.add(nat);
            installed.add(sa);
        }

        /** Pairs no longer sent under: what {@link #live()} leaves out. */
        @Override
        public void stopSending(ChildSa sa) {
            removed.add(sa);
        }

        @Override
        public void remove(ChildSa sa) {
            released.add(sa);
        }

        @Override
        public void natKeepalive() {
            keepalives++;
        }

        List<ChildSa> live() {
            List<ChildSa> out = new ArrayList<>(installed);
            out.removeAll(removed);
            return out;
        }
    }

    private long now;

    /** Delivers what each end sent until both are quiet, then lets {@code ms} pass in ticks. */
    private void run(IkeTunnel a, End ea, IkeTunnel b, End eb, long ms) {
        run(a, ea, b, eb, ms, A);
    }

    /** The same, B seeing A's messages come from {@code seenByB} (A itself, or a NAT in front of it). */
    private void run(IkeTunnel a, End ea, IkeTunnel b, End eb, long ms, InetSocketAddress seenByB) {
        long end = now + ms * MS;
        do {
            for (int i = 0; i < 1000 && (!ea.outbox.isEmpty() || !eb.outbox.isEmpty()); i++) {
                while (!ea.outbox.isEmpty()) {
                    b.receive(ea.outbox.poll(), seenByB, B, now);
                }
                while (!eb.outbox.isEmpty()) {
                    a.receive(eb.outbox.poll(), B, A, now);
                }
            }
            now += 100 * MS;
            a.tick(now);
            b.tick(now);
        } while (now < end);
    }

    /**
     * A NAT in front of A (B sees A's messages from another address): both ends float IKE to
     * port 4500, install their CHILD SAs for ESP in UDP, and A, the end behind the NAT, sends a
     * keepalive every 20 s while B sends none.
     */
    @Test
    void behindANatBothFloatAndTheNattedEndSendsKeepalives() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(5));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(6));
        InetSocketAddress natted = endpoint("10.201.7.7");
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 65_000, natted);
        assertEquals("established", a.status().state());
        assertEquals(List.of(true), ea.natFound, "A installs for ESP in UDP");
        assertEquals(List.of(true), eb.natFound, "so does B");
        assertEquals(false, ea.floatedSends.getFirst(), "IKE_SA_INIT goes to port 500");
        assertEquals(true, ea.floatedSends.getLast(), "then to 4500");
        assertEquals(3, ea.keepalives, "one per 20 s behind the NAT");
        assertEquals(0, eb.keepalives, "the end in front of the NAT keeps nothing alive");
    }

    private static void assertPaired(End x, End y) {
        List<ChildSa> ours = x.live();
        List<ChildSa> theirs = y.live();
        assertEquals(ours.size(), theirs.size(), ours + " vs " + theirs);
        for (ChildSa sa : ours) {
            assertTrue(theirs.stream().anyMatch(t -> t.inboundSpi() == sa.outboundSpi() && t.outboundSpi() == sa.inboundSpi()
                    && t.inbound().material().sameAs(sa.outbound().material())
                    && t.outbound().material().sameAs(sa.inbound().material())), "no match for " + sa);
        }
    }

    @Test
    void theLargerAddressInitiatesAndRekeysMakeBeforeBreak() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(1));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(2));
        b.start(now);
        assertTrue(eb.outbox.isEmpty(), "the responder waits");
        a.start(now);
        run(a, ea, b, eb, 500);
        assertEquals("established", a.status().state());
        assertEquals("established", b.status().state());
        assertEquals(1, ea.live().size());
        assertPaired(ea, eb);

        a.softLimit(now);
        run(a, ea, b, eb, 500);
        assertEquals(2, ea.installed.size(), "the new pair came before the old one went");
        assertEquals(1, ea.live().size());
        assertPaired(ea, eb);
        assertEquals(ea.installed.get(1), ea.live().getFirst());
    }

    @Test
    void aRestartedPeersInitialContactRetiresTheOldSession() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(3));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(4));
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        // A restarts: it remembers nothing and initiates with INITIAL_CONTACT.
        End ea2 = new End();
        IkeTunnel a2 = new IkeTunnel(config(A, B), true, ea2, random(5));
        a2.start(now);
        run(a2, ea2, b, eb, 500);
        assertEquals("established", a2.status().state());
        assertEquals(1, eb.live().size(), "B kept only the new session's CHILD SA: " + eb.live());
        assertPaired(ea2, eb);
        assertEquals("peer restarted (INITIAL_CONTACT)", b.status().lastEvent());
    }

    @Test
    void anInitiatorWhosePeerVanishedStartsAgainAndComesBackUp() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(6));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(7));
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        eb.connected = false;
        ea.connected = false;
        run(a, ea, b, eb, 60_000);
        assertTrue(ea.live().isEmpty(), "dead peer: its SAs are gone");
        assertTrue(a.status().lastEvent().startsWith("closed"), a.status().toString());
        ea.connected = true;
        eb.connected = true;
        run(a, ea, b, eb, 40_000);
        assertEquals("established", a.status().state(), a.status().toString());
        assertPaired(ea, eb);
    }

    @Test
    void aFloodOfIkeSaInitEngagesCookiesAndBoundsTheSessionsWhileTheTunnelStaysUp() {
        End ea = new End();
        End eb = new End();
        java.util.concurrent.atomic.AtomicInteger halfOpen = new java.util.concurrent.atomic.AtomicInteger();
        dev.cipherlane.ipsec.ike.session.CookieJar jar = new dev.cipherlane.ipsec.ike.session.CookieJar(random(9),
                halfOpen::get, 2);
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(10));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(11), jar, halfOpen);
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        ChildSa before = eb.live().getFirst();
        // A thousand fresh IKE_SA_INIT requests from the peer's address, never completed.
        for (int i = 0; i < 1000; i++) {
            dev.cipherlane.ipsec.ike.session.IkeSession flood = new dev.cipherlane.ipsec.ike.session.IkeSession(
                    config(A, B), random(100 + i));
            for (dev.cipherlane.ipsec.ike.session.Effect e : flood.start(now)) {
                if (e instanceof dev.cipherlane.ipsec.ike.session.Effect.Send send) {
                    b.receive(send.message(), A, B, now);
                }
            }
        }
        assertTrue(b.sessions() <= IkeTunnel.MAX_SESSIONS, "sessions held: " + b.sessions());
        assertTrue(halfOpen.get() <= 2, "half-open: " + halfOpen.get() + ", beyond the threshold cookies keep them stateless");
        eb.outbox.clear(); // the COOKIE answers go to the spoofer
        assertEquals(List.of(before), eb.live(), "the tunnel's SA is untouched");
        a.softLimit(now);
        run(a, ea, b, eb, 500);
        assertEquals("established", b.status().state());
        assertPaired(ea, eb);
        assertTrue(!eb.live().contains(before), "and it still rekeys");
    }

    /**
     * The node's jar is far from its threshold (one tunnel cannot reach it), yet a flood spoofing
     * the peer's address meets cookies once the tunnel holds {@link IkeTunnel#TUNNEL_HALF_OPEN}
     * half-open SAs; the peer itself, restarted, answers the cookie and gets its new IKE SA.
     */
    @Test
    void aFloodOnOneTunnelMeetsCookiesBelowTheNodesThresholdAndTheRealPeerStillGetsIn() {
        End ea = new End();
        End eb = new End();
        java.util.concurrent.atomic.AtomicInteger halfOpen = new java.util.concurrent.atomic.AtomicInteger();
        dev.cipherlane.ipsec.ike.session.CookieJar jar = new dev.cipherlane.ipsec.ike.session.CookieJar(random(30),
                halfOpen::get, 16);
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(31));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(32), jar, halfOpen);
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        ChildSa before = eb.live().getFirst();
        for (int i = 0; i < 200; i++) {
            dev.cipherlane.ipsec.ike.session.IkeSession flood = new dev.cipherlane.ipsec.ike.session.IkeSession(
                    config(A, B), random(1000 + i));
            for (dev.cipherlane.ipsec.ike.session.Effect e : flood.start(now)) {
                if (e instanceof dev.cipherlane.ipsec.ike.session.Effect.Send send) {
                    b.receive(send.message(), A, B, now);
                }
            }
        }
        assertEquals(1 + IkeTunnel.TUNNEL_HALF_OPEN, b.sessions(), "the established session and two half-open ones");
        assertEquals(IkeTunnel.TUNNEL_HALF_OPEN, halfOpen.get());
        assertEquals(0, b.refused(), "none refused for want of room: cookies kept the rest stateless");
        assertEquals(200 - IkeTunnel.TUNNEL_HALF_OPEN, b.status().cookies(), "show ike counts the cookies");
        eb.outbox.clear(); // the COOKIE answers went to the spoofer
        assertEquals(List.of(before), eb.live(), "the tunnel's SA is untouched");
        // The real peer restarts: its IKE_SA_INIT gets a cookie, it retries with it and is let in.
        End ea2 = new End();
        IkeTunnel a2 = new IkeTunnel(config(A, B), true, ea2, random(33));
        a2.start(now);
        run(a2, ea2, b, eb, 1000);
        assertEquals("established", a2.status().state());
        assertEquals(1, ea2.live().size());
        assertTrue(!eb.live().contains(before), "INITIAL_CONTACT retired the old SA");
    }

    @Test
    void aRestartedResponderStartsOnItsOwnWhenThePeerStaysQuiet() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(20));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(21));
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        assertTrue(eb.outbox.isEmpty());
        // B restarts; A keeps its old SA and sends nothing (its liveness check is far off).
        End eb2 = new End();
        IkeTunnel b2 = new IkeTunnel(config(B, A), false, eb2, random(22));
        b2.start(now);
        long restarted = now;
        run(a, ea, b2, eb2, 1_500);
        assertEquals("established", b2.status().state());
        assertEquals(1, ea.live().size(), "A replaced its old SA on B's INITIAL_CONTACT: " + ea.live());
        assertPaired(ea, eb2);
        assertTrue(now - restarted <= 1_600 * MS);
    }

    /**
     * First boot with the smaller address up early: its grace runs out and it initiates into the
     * void, then the larger starts and initiates its own while the smaller's retransmissions
     * arrive. Whatever the delay, both ends settle on the same single CHILD SA pair (the larger
     * address's session), with nothing sent under an SA the other end dropped.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "larger starts {0} ms later")
    @org.junit.jupiter.params.provider.ValueSource(longs = {600, 1000, 1400, 2100, 3600, 7600})
    void crossingFirstSessionsSettleOnTheLargerAddresses(long delay) {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(40 + delay));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(41 + delay));
        b.start(now);
        long upAt = now + delay * MS;
        while (now < upAt) {
            now += 100 * MS;
            b.tick(now);
            eb.outbox.clear(); // A is not running yet: lost
        }
        a.start(now);
        run(a, ea, b, eb, 20_000);
        assertEquals("established", a.status().state());
        assertEquals("established", b.status().state());
        assertEquals(1, ea.live().size(), "A keeps one pair: " + ea.live());
        assertEquals(1, eb.live().size(), "B keeps one pair: " + eb.live());
        assertPaired(ea, eb);
    }

    /**
     * The crossing that once left each end on a different pair: the smaller address's
     * retransmitted IKE_SA_INIT reaches the larger just as the larger's own exchange runs, each
     * end's IKE_AUTH carries INITIAL_CONTACT, and each arrives while the other's session is
     * still being negotiated. Negotiating sessions are not retired by INITIAL_CONTACT, and both
     * ends keep the larger address's session, so they end on the same pair.
     */
    @Test
    void crossingAuthsWithInitialContactDoNotLeaveTheEndsOnDifferentPairs() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(50));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(51));
        b.start(now);
        while (eb.outbox.isEmpty()) { // B's grace runs out: its IKE_SA_INIT goes nowhere
            now += 100 * MS;
            b.tick(now);
        }
        eb.outbox.clear();
        a.start(now); // A: its IKE_SA_INIT
        while (eb.outbox.isEmpty()) { // B retransmits before it has seen A's
            now += 100 * MS;
            b.tick(now);
        }
        deliver(ea, b, A, B); // B answers A's: B's queue holds its retransmission, then that answer
        deliver(eb, a, B, A); // A answers B's and sends its IKE_AUTH: answer first, then IKE_AUTH
        deliver(ea, b, A, B); // B sends its IKE_AUTH, then takes A's
        deliver(eb, a, B, A); // A takes B's IKE_AUTH, then the answer to its own
        run(a, ea, b, eb, 2_000);
        assertEquals(1, ea.live().size(), "A keeps one pair: " + ea.live());
        assertEquals(1, eb.live().size(), "B keeps one pair: " + eb.live());
        assertPaired(ea, eb);
    }

    /** A rekeyed pair stops carrying at once, but its inbound SA is taken {@link IkeTunnel#INBOUND_GRACE} longer. */
    @Test
    void aReplacedPairsInboundSaIsTakenForAGracePeriod() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(60));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(61));
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        ChildSa old = ea.live().getFirst();
        a.softLimit(now);
        run(a, ea, b, eb, 500);
        assertEquals(List.of(old), ea.removed, "no longer sent under");
        assertEquals(List.of(), ea.released, "but its inbound SA is still taken");
        assertEquals(List.of(), eb.released);
        run(a, ea, b, eb, IkeTunnel.INBOUND_GRACE.toMillis());
        assertEquals(List.of(old), ea.released, "gone after the grace");
        assertEquals(1, eb.released.size());
    }

    /** Stopped (the tunnel goes, or its actor restarts), it says Delete and takes every SA away at once. */
    @Test
    void stoppingDeletesAndRemovesEverySaAtOnce() {
        End ea = new End();
        End eb = new End();
        IkeTunnel a = new IkeTunnel(config(A, B), true, ea, random(70));
        IkeTunnel b = new IkeTunnel(config(B, A), false, eb, random(71));
        b.start(now);
        a.start(now);
        run(a, ea, b, eb, 500);
        a.softLimit(now);
        run(a, ea, b, eb, 500); // a replaced pair in its grace
        a.stop(now);
        assertEquals(ea.installed.size(), ea.released.size(), "every pair released: " + ea.released);
        assertEquals(List.of(), ea.live());
        assertTrue(!ea.outbox.isEmpty(), "the Delete went out");
        run(a, ea, b, eb, IkeTunnel.INBOUND_GRACE.toMillis() + 500);
        assertEquals(List.of(), eb.live(), "the peer honoured it");
    }

    private void deliver(End from, IkeTunnel to, InetSocketAddress source, InetSocketAddress destination) {
        java.util.List<byte[]> batch = new ArrayList<>(from.outbox);
        from.outbox.clear();
        for (byte[] m : batch) {
            to.receive(m, source, destination, now);
        }
    }
}
