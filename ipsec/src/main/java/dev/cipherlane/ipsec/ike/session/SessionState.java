package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.all;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.keys.Prf;
import dev.cipherlane.ipsec.ike.keys.PskAuth;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.keys.SaKeys;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.cipherlane.ipsec.ike.session.IkeSession.Phase;

/**
 * What the exchanges of one {@link IkeSession} share: the settings, the current and the retired
 * IKE SAs, the CHILD SAs, the counters, the time of the input being handled and the effects it
 * produces; and the primitives they all use to send, answer, install, remove and close. The
 * exchanges themselves live in {@link Handshake}, {@link ChildRekey}, {@link IkeRekey} and
 * {@link IkeSession}.
 */
final class SessionState {
    /** Section 2.10: at least half the PRF key; 32 bytes gives SHA-256 its full strength. */
    static final int NONCE_LENGTH = 32;

    final IkeConfig config;
    final SecureRandom random;
    /** The node's cookie jar, or null to never ask for cookies. */
    final CookieJar cookies;
    final IkeCounters counters = new IkeCounters();
    final PskAuth pskAuth;
    final long baseNanos;
    final long capNanos;

    Phase phase = Phase.IDLE;
    /** The current IKE SA; before IKE_SA_INIT is answered, the one being made. */
    IkeSa sa;
    /**
     * IKE SAs that are not current but still take messages: the one a rekey replaced, until
     * its Delete exchange is over (section 2.18), and the loser of a rekey collision until it
     * is deleted (section 2.8.2).
     */
    final List<IkeSa> others = new ArrayList<>();
    final List<ChildState> children = new ArrayList<>();
    String closedReason;

    /** The time of the input being handled. */
    long now;
    /** The effects of the input being handled, in order. */
    List<Effect> out = new ArrayList<>();

    SessionState(IkeConfig config, SecureRandom random, CookieJar cookies) {
        this.config = config;
        this.random = random;
        this.cookies = cookies;
        // The only PRF we negotiate (IkeProposals), so the pad key can be made once.
        this.pskAuth = PskAuth.of(Prf.HMAC_SHA2_256, config.psk());
        this.baseNanos = config.retransmitBase().toNanos();
        this.capNanos = config.retransmitCap().toNanos();
    }

    void becomeEstablished() {
        phase = Phase.ESTABLISHED;
        sa.softAt = softAt(config.ikeLifetime().toNanos());
        sa.hardAt = hardAt(config.ikeLifetime().toNanos());
        out.add(new Effect.Established(sa.spiI, sa.spiR, sa.keys.suite(), sa.group));
    }

    /** The responder's half (IKE_AUTH or a rekey of {@code old}); the answer or refusal goes to {@code answer}. */
    ChildState acceptChild(List<Payload> p, List<Payload> answer, ChildState old, byte[] nonceI,
            byte[] nonceR) {
        boolean rekey = old != null;
        ChildNegotiation.Terms terms = rekey
                ? new ChildNegotiation.Terms(config.offerEsn(), config.groups(), old.sa.localSelectors(),
                        old.sa.remoteSelectors())
                : new ChildNegotiation.Terms(config.offerEsn(), null, config.localSelectors(),
                        config.remoteSelectors());
        switch (ChildNegotiation.answer(p, terms, rekey, sa.keys, nonceI, nonceR, newChildSpi(), random)) {
            case ChildNegotiation.Answer.Accepted a -> {
                answer.addAll(a.payloads());
                return newChild(a.sa());
            }
            case ChildNegotiation.Answer.Refused r -> {
                if (r.counted() != null) {
                    counters.add(r.counted());
                }
                answer.add(r.error());
                return null;
            }
        }
    }

    /**
     * The initiator's half. The keys come from the IKE SA {@code s} the exchange ran on, even
     * if a rekey has replaced it since.
     */
    ChildState childFromAnswer(IkeSa s, List<Payload> p, int ourSpi, ChildState old, byte[] nonceI,
            byte[] nonceR, KeyExchange pfs) {
        ChildNegotiation.Terms terms = old == null
                ? new ChildNegotiation.Terms(config.offerEsn(), null, config.localSelectors(), config.remoteSelectors())
                : new ChildNegotiation.Terms(config.offerEsn(), pfs == null ? List.of() : List.of(pfs.group()),
                        old.sa.localSelectors(), old.sa.remoteSelectors());
        return ChildNegotiation.complete(p, terms, s.keys, pfs, ourSpi, nonceI, nonceR).map(this::newChild)
                .orElse(null);
    }

    ChildState newChild(ChildSa child) {
        long life = config.childLifetime().toNanos();
        return new ChildState(child, softAt(life), hardAt(life));
    }

    void install(ChildState c) {
        children.add(c);
        c.installed = true;
        out.add(new Effect.InstallChildSa(c.sa));
    }

    void removeChild(ChildState c) {
        if (children.remove(c) && c.installed) {
            c.installed = false;
            out.add(new Effect.RemoveChildSa(c.sa));
        }
    }

    Optional<ChildState> newestActiveChild() {
        for (int i = children.size() - 1; i >= 0; i--) {
            ChildState c = children.get(i);
            if (c.status == ChildState.Status.ACTIVE && !c.rekeyQueued) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    IkeSa keyedSa(IkeSa next, IkeKeys keys, DhGroup group) {
        next.keyed(keys, group);
        next.lastHeard = now;
        next.softAt = softAt(config.ikeLifetime().toNanos());
        next.hardAt = hardAt(config.ikeLifetime().toNanos());
        return next;
    }

    /** Makes {@code next} current; the old current SA stays among the others until deleted. */
    void switchTo(IkeSa next) {
        counters.add(IkeCounter.IKE_REKEYS);
        IkeSa old = sa;
        // Work queued on the old SA carries on under the new one.
        for (Job j : old.jobs) {
            if (!(j instanceof Job.RekeyIke) && !(j instanceof Job.Liveness)) {
                next.jobs.add(j);
            }
        }
        old.jobs.clear();
        old.rekeyQueued = true;
        retire(old);
        sa = next;
        out.add(new Effect.IkeRekeyed(next.spiI, next.spiR));
    }

    /**
     * Puts an IKE SA among the others. One waiting for the peer's Delete is dropped after
     * twice the retransmission time even if none comes: the peer may have given up on its
     * Delete, and an SA nobody uses must not linger.
     */
    void retire(IkeSa s) {
        s.retireBy = now + 2 * giveUpNanos();
        others.add(s);
    }

    /**
     * Forgets a non-current IKE SA. Work it still carried for a CHILD SA moves to the current
     * SA: a Delete is asked for again there, a rekey is left for the lifetimes to restart.
     */
    void dropRetired(IkeSa s) {
        others.remove(s);
        List<Job> moved = new ArrayList<>();
        if (s.pending != null) {
            switch (s.pending.request) {
                case Request.DeleteChild d -> moved.add(new Job.DeleteChild(d.child()));
                case Request.RekeyChild r -> {
                    if (r.old().status == ChildState.Status.REKEYING) {
                        r.old().status = r.old().collision != null ? ChildState.Status.REKEYED
                                : ChildState.Status.ACTIVE;
                    }
                    r.old().rekeyQueued = false;
                    if (r.ke() != null) {
                        r.ke().destroy();
                    }
                }
                default -> { }
            }
        }
        for (Job j : s.jobs) {
            if (j instanceof Job.DeleteChild || j instanceof Job.RekeyChild) {
                moved.add(j);
            }
        }
        s.pending = null;
        s.jobs.clear();
        s.destroy();
        if (sa != s && phase == Phase.ESTABLISHED) {
            sa.jobs.addAll(moved);
        }
    }

    void sendRequest(IkeSa s, int exchange, List<Payload> payloads, Request request) {
        long id = s.nextRequestId++;
        byte[] bytes = SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, exchange, s.requestFlags(), id), payloads);
        transmit(s, request, bytes, id);
    }

    /** A request nobody waits for the answer to (an AUTHENTICATION_FAILED report). */
    void sendOneShot(IkeSa s, int exchange, List<Payload> payloads) {
        long id = s.nextRequestId++;
        out.add(new Effect.Send(SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, exchange, s.requestFlags(), id),
                payloads)));
    }

    void transmit(IkeSa s, Request request, byte[] bytes, long id) {
        s.pending = new Retransmission(request, bytes, id, now, baseNanos, capNanos, config.retransmitTries());
        counters.add(IkeCounter.REQUESTS_SENT);
        out.add(new Effect.Send(bytes));
    }

    void respond(IkeSa s, IkeHeader h, List<Payload> payloads) {
        byte[] bytes = SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, h.exchangeType(), s.responseFlags(),
                h.messageId()), payloads);
        s.lastResponse = bytes;
        s.lastResponseExchange = h.exchangeType();
        s.peerNextRequestId = h.messageId() + 1;
        out.add(new Effect.Send(bytes));
    }

    /** An unprotected IKE_SA_INIT answer about the request {@code h}; we keep no state. */
    void sendPlain(IkeHeader h, NotifyPayload n) {
        out.add(new Effect.Send(IkeMessage.of(IkeHeader.of(h.initiatorSpi(), 0, h.exchangeType(),
                IkeHeader.FLAG_RESPONSE, h.messageId()), n).encode()));
    }

    void close(String reason) {
        if (phase == Phase.CLOSED) {
            return;
        }
        for (ChildState c : List.copyOf(children)) {
            removeChild(c);
        }
        children.clear();
        phase = Phase.CLOSED;
        closedReason = reason;
        if (sa != null) {
            sa.destroy();
        }
        others.forEach(IkeSa::destroy);
        others.clear();
        out.add(new Effect.Closed(reason));
    }

    long giveUpNanos() {
        long total = 0;
        long t = baseNanos;
        for (int i = 0; i < config.retransmitTries(); i++) {
            total += t;
            t = Math.min(t * 2, capNanos);
        }
        return total;
    }

    /**
     * The hard expiry, a tenth after the configured lifetime: room for the rekey that starts
     * at the soft one, and for its retransmissions, before the SA must stop.
     */
    long hardAt(long lifetimeNanos) {
        return now + lifetimeNanos + lifetimeNanos / 10;
    }

    /** The soft lifetime: the configured one, less up to the jitter fraction, at random. */
    long softAt(long lifetimeNanos) {
        return now + (long) (lifetimeNanos * (1 - config.jitter() * random.nextDouble()));
    }

    byte[] nonce() {
        byte[] n = new byte[NONCE_LENGTH];
        random.nextBytes(n);
        return n;
    }

    long newIkeSpi() {
        long spi;
        do {
            spi = random.nextLong();
        } while (spi == 0);
        return spi;
    }

    /** A random SPI outside the reserved 0..255 (RFC 4303 section 2.1), unused by our SAs. */
    int newChildSpi() {
        while (true) {
            int spi = random.nextInt();
            if (Integer.toUnsignedLong(spi) >= SaKeys.FIRST_USABLE_SPI
                    && children.stream().noneMatch(c -> c.sa.inboundSpi() == spi)) {
                return spi;
            }
        }
    }
}
