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
        final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
        boolean connected = true;

        @Override
        public void send(byte[] message, boolean floated) {
            if (connected) {
                outbox.add(message);
            }
        }

        @Override
        public void install(ChildSa sa) {
            installed.add(sa);
        }

        @Override
        public void remove(ChildSa sa) {
            removed.add(sa);
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
        long end = now + ms * MS;
        do {
            for (int i = 0; i < 1000 && (!ea.outbox.isEmpty() || !eb.outbox.isEmpty()); i++) {
                while (!ea.outbox.isEmpty()) {
                    b.receive(ea.outbox.poll(), A, B, now);
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
}
