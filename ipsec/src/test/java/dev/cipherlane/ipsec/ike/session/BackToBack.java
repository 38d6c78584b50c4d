package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Two sessions wired back to back through in-memory queues, with a fake clock: the initiator
 * "a" and the responder "b". Datagrams wait in a queue per direction until delivered, so a
 * test can drop, duplicate or reorder them; effects are recorded per side, and each side's
 * installed CHILD SAs are tracked the way a dataplane would.
 */
final class BackToBack {
    static final InetSocketAddress A = endpoint("192.0.2.1", 500);
    static final InetSocketAddress B = endpoint("192.0.2.2", 500);
    static final PreSharedKey PSK = PreSharedKey.of("correct horse battery staple".getBytes(StandardCharsets.US_ASCII));

    final End a;
    final End b;
    /** Every effect of both ends, in order, with CHILD SAs as SPIs: a story for failures. */
    final List<String> trace = new ArrayList<>();
    long now = 1_000_000_000L;

    final class End {
        final String name;
        final IkeSession session;
        final Deque<byte[]> inbox = new ArrayDeque<>();
        final List<Effect> effects = new ArrayList<>();
        /** Installed CHILD SAs by inbound SPI, in install order. */
        final Map<Integer, ChildSa> installed = new LinkedHashMap<>();
        End peer;
        /** Drops what this end sends while true. */
        boolean mute;
        /** Sees each datagram this end sends; for tests that collect traffic. */
        Consumer<byte[]> tap = m -> { };

        End(String name, IkeSession session) {
            this.name = name;
            this.session = session;
        }

        void apply(List<Effect> list) {
            // receive() swallows exceptions to keep the session alive; in tests any is a bug.
            assertEquals(0, session.counters().get(IkeCounter.INTERNAL_ERRORS), name + " hit an internal error");
            for (Effect e : list) {
                effects.add(e);
                trace.add(name + " " + switch (e) {
                    case Effect.InstallChildSa i -> String.format("install %08x/%08x", i.sa().inboundSpi(),
                            i.sa().outboundSpi());
                    case Effect.RemoveChildSa r -> String.format("remove %08x/%08x", r.sa().inboundSpi(),
                            r.sa().outboundSpi());
                    case Effect.Send x -> "send " + describe(x.message());
                    default -> e.toString();
                });
                switch (e) {
                    case Effect.Send s -> {
                        tap.accept(s.message());
                        if (!mute) {
                            peer.inbox.add(s.message());
                        }
                    }
                    case Effect.InstallChildSa i -> {
                        if (installed.put(i.sa().inboundSpi(), i.sa()) != null) {
                            fail(name + " installed SPI " + i.sa().inboundSpi() + " twice");
                        }
                    }
                    case Effect.RemoveChildSa r -> {
                        if (installed.remove(r.sa().inboundSpi()) == null) {
                            fail(name + " removed SPI " + r.sa().inboundSpi() + " it never installed");
                        }
                    }
                    default -> { }
                }
            }
        }

        /** Delivers the oldest datagram waiting for this end. */
        void deliverOne() {
            apply(session.receive(inbox.poll(), now));
        }

        void deliver(byte[] datagram) {
            apply(session.receive(datagram, now));
        }

        <T extends Effect> List<T> all(Class<T> kind) {
            return effects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        long count(IkeCounter c) {
            return session.counters().get(c);
        }
    }

    BackToBack(IkeConfig ca, IkeConfig cb, long seed, CookieJar cookies) {
        a = new End("a", new IkeSession(ca, random(seed), null));
        b = new End("b", new IkeSession(cb, random(seed + 1), cookies));
        a.peer = b;
        b.peer = a;
    }

    BackToBack(UnaryOperator<IkeConfig.Builder> forA, UnaryOperator<IkeConfig.Builder> forB) {
        this(forA.apply(configA()).build(), forB.apply(configB()).build(), 7, null);
    }

    BackToBack() {
        this(x -> x, x -> x);
    }

    static IkeConfig.Builder configA() {
        return IkeConfig.builder(A, B, PSK).selectors(List.of(ipip(A)), List.of(ipip(B)));
    }

    static IkeConfig.Builder configB() {
        return IkeConfig.builder(B, A, PSK).selectors(List.of(ipip(B)), List.of(ipip(A)));
    }

    /** Cipherlane's selector: the tunnel endpoint, IP protocol 4 (IPIP). */
    static TrafficSelector ipip(InetSocketAddress endpoint) {
        return TrafficSelector.range(4, endpoint.getAddress(), endpoint.getAddress());
    }

    static InetSocketAddress endpoint(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A SecureRandom that gives the same bytes for the same seed, so runs repeat exactly. */
    static SecureRandom random(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exchange, request or response, message ID and SPIs of an IKE message, for traces. */
    static String describe(byte[] m) {
        if (m.length < 28) {
            return "runt";
        }
        var b = java.nio.ByteBuffer.wrap(m);
        return String.format("%s%s #%d %04x/%04x", dev.cipherlane.ipsec.ike.message.ExchangeType.name(m[18] & 0xFF),
                (m[19] & 0x20) != 0 ? " resp" : "", b.getInt(20), b.getLong(0) >>> 48, b.getLong(8) >>> 48);
    }

    void start() {
        a.apply(a.session.start(now));
    }

    /** Delivers datagrams, alternating sides, until none is in flight. */
    void run() {
        for (int i = 0; i < 1000; i++) {
            if (a.inbox.isEmpty() && b.inbox.isEmpty()) {
                return;
            }
            if (!b.inbox.isEmpty()) {
                b.deliverOne();
            }
            if (!a.inbox.isEmpty()) {
                a.deliverOne();
            }
        }
        fail("the two sessions never went quiet");
    }

    void establish() {
        start();
        run();
        assertTrue(a.session.established(), () -> "a not established: " + a.effects + " " + a.session.counters());
        assertTrue(b.session.established(), () -> "b not established: " + b.effects + " " + b.session.counters());
    }

    /** Moves the clock and ticks both ends, without delivering. */
    void advance(Duration d) {
        now += d.toNanos();
        a.apply(a.session.tick(now));
        b.apply(b.session.tick(now));
    }

    /** Advances in steps, delivering after each, for {@code total}. */
    void pass(Duration total, Duration step) {
        for (long t = 0; t < total.toNanos(); t += step.toNanos()) {
            advance(step);
            run();
        }
    }

    /**
     * The two ends hold the same SA pairs: each inbound SA of one is an outbound SA of the other
     * with the same key (a's outbound == b's inbound and the reverse).
     */
    void assertChildrenMatch(int expected) {
        assertEquals(expected, a.installed.size(), () -> "a's CHILD SAs: " + a.installed.values());
        assertEquals(expected, b.installed.size(), () -> "b's CHILD SAs: " + b.installed.values());
        for (ChildSa x : a.installed.values()) {
            ChildSa y = b.installed.values().stream().filter(c -> c.inboundSpi() == x.outboundSpi()).findFirst()
                    .orElse(null);
            assertNotNull(y, () -> "b has no SA for a's outbound SPI " + x.outboundSpi());
            assertEquals(x.inboundSpi(), y.outboundSpi());
            assertTrue(x.outbound().material().sameAs(y.inbound().material()), "a->b keys differ");
            assertTrue(x.inbound().material().sameAs(y.outbound().material()), "b->a keys differ");
            assertTrue(!x.inbound().material().sameAs(x.outbound().material()), "both directions share a key");
            assertEquals(x.esn(), y.esn());
            assertEquals(x.localSelectors(), y.remoteSelectors());
            assertEquals(x.remoteSelectors(), y.localSelectors());
        }
    }
}
