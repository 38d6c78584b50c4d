package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.all;
import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.notifyOf;
import static dev.cipherlane.ipsec.ike.session.Payloads.u16;
import dev.cipherlane.ipsec.ike.message.DecodeResult;
import dev.cipherlane.ipsec.ike.message.DeletePayload;
import dev.cipherlane.ipsec.ike.message.ExchangeType;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.ProtocolId;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The IKEv2 engine of one tunnel (RFC 7296): a plain state machine driven by received
 * datagrams, timer ticks and the owner's commands, each returning the {@link Effect}s to
 * carry out in order. No threads, no sockets, no clock: time comes in as {@code now}
 * (nanoseconds on any monotonic scale), randomness from the {@link SecureRandom} given at
 * construction, so two sessions wired back to back replay the same run for the same seed.
 *
 * <p>One session is one IKE SA over its life, rekeys included: it is the initiator if the
 * owner calls {@link #start}, the responder if an IKE_SA_INIT request arrives first. The
 * CHILD SAs belong to the session, so an IKE rekey moves them to the new IKE SA by itself.
 *
 * <p>Robustness: nothing received makes an input throw. Every datagram that is not acted on
 * is counted under one {@link IkeCounter}, and only what section 2.21 allows is answered:
 * errors in IKE_SA_INIT get a plain notify, errors inside an authenticated request an
 * encrypted one, and anything that fails or lacks authentication gets silence.
 */
public final class IkeSession {
    enum Phase { IDLE, INIT_SENT, AUTH_SENT, INIT_ANSWERED, ESTABLISHED, CLOSED }

    private final SessionState state;
    private final Handshake handshake;
    private final ChildRekey childRekey;
    private final IkeRekey ikeRekey;

    /**
     * @param cookies the node's cookie jar, or null to never ask for cookies
     */
    public IkeSession(IkeConfig config, SecureRandom random, CookieJar cookies) {
        this.state = new SessionState(config, random, cookies);
        this.handshake = new Handshake(state);
        this.childRekey = new ChildRekey(state);
        this.ikeRekey = new IkeRekey(state);
    }

    public IkeSession(IkeConfig config, SecureRandom random) {
        this(config, random, null);
    }

    // ---------------------------------------------------------------- inputs

    /** Initiates: sends IKE_SA_INIT. Does nothing unless the session is new. */
    public List<Effect> start(long now) {
        begin(now);
        if (state.phase == Phase.IDLE) {
            handshake.start();
        }
        return done();
    }

    /** A datagram from the peer's configured address to ours (no Non-ESP marker). */
    public List<Effect> receive(byte[] datagram, long now) {
        return receive(datagram, state.config.peer(), state.config.local(), now);
    }

    /**
     * A datagram as received, with the addresses it came from and to: these, not the
     * configured ones, are checked against the peer's NAT detection hashes (section 2.23).
     */
    public List<Effect> receive(byte[] datagram, InetSocketAddress source, InetSocketAddress destination, long now) {
        begin(now);
        if (state.phase != Phase.CLOSED) {
            try {
                dispatch(datagram, source, destination);
                pumpAll();
            } catch (RuntimeException e) {
                // A bug, not the peer's fault: drop this datagram and keep the session.
                state.counters.add(IkeCounter.INTERNAL_ERRORS);
            }
        }
        return done();
    }

    /** Timers: retransmission, half-open expiry, lifetimes and liveness. */
    public List<Effect> tick(long now) {
        begin(now);
        if (state.phase != Phase.CLOSED) {
            for (IkeSa o : List.copyOf(state.others)) {
                retransmit(o);
            }
            retransmit(state.sa);
        }
        if (state.phase == Phase.INIT_ANSWERED && state.now - handshake.halfOpenDeadline >= 0) {
            state.close("IKE_AUTH never came");
        }
        if (state.phase == Phase.ESTABLISHED) {
            expireRetired();
            lifetimes();
            if (state.phase == Phase.ESTABLISHED && state.sa.pending == null && state.sa.jobs.isEmpty()
                    && state.now - state.sa.lastHeard >= state.config.liveness().toNanos()) {
                state.sa.jobs.add(new Job.Liveness());
            }
            pumpAll();
        }
        return done();
    }

    /** Rekeys the newest active CHILD SA (section 1.3.3), e.g. on the dataplane's soft limit. */
    public List<Effect> rekeyChild(long now) {
        begin(now);
        if (state.phase == Phase.ESTABLISHED) {
            state.newestActiveChild().ifPresent(c -> {
                c.rekeyQueued = true;
                state.sa.jobs.add(new Job.RekeyChild(c));
            });
            pump(state.sa);
        }
        return done();
    }

    /** Rekeys the IKE SA (section 1.3.2). */
    public List<Effect> rekeyIke(long now) {
        begin(now);
        if (state.phase == Phase.ESTABLISHED && !state.sa.rekeyQueued) {
            state.sa.rekeyQueued = true;
            state.sa.jobs.add(new Job.RekeyIke());
            pump(state.sa);
        }
        return done();
    }

    /** Deletes the CHILD SA whose inbound SPI is {@code inboundSpi} (section 1.4.1). */
    public List<Effect> deleteChild(int inboundSpi, long now) {
        begin(now);
        if (state.phase == Phase.ESTABLISHED) {
            state.children.stream().filter(c -> c.sa.inboundSpi() == inboundSpi).findFirst()
                    .ifPresent(c -> state.sa.jobs.add(new Job.DeleteChild(c)));
            pump(state.sa);
        }
        return done();
    }

    /** Ends the IKE SA and its CHILD SAs with a Delete (section 1.4.1), or at once if not up. */
    public List<Effect> delete(long now) {
        begin(now);
        if (state.phase == Phase.ESTABLISHED) {
            state.sa.jobs.clear();
            state.sa.jobs.add(new Job.DeleteIke("deleted"));
            pump(state.sa);
        } else if (state.phase != Phase.CLOSED) {
            state.close("deleted");
        }
        return done();
    }

    /**
     * Ends the session at once without telling the peer, its CHILD SAs removed: for an IKE SA
     * the peer no longer holds, as its INITIAL_CONTACT on a new one says (section 2.4).
     */
    public List<Effect> abandon(String reason, long now) {
        begin(now);
        state.close(reason);
        return done();
    }

    // ---------------------------------------------------------------- observation

    public IkeCounters counters() {
        return state.counters;
    }

    public boolean established() {
        return state.phase == Phase.ESTABLISHED;
    }

    /**
     * Whether we answered IKE_SA_INIT and wait for IKE_AUTH: the owner counts these across
     * sessions for the {@link CookieJar}'s threshold (section 2.6).
     */
    public boolean halfOpen() {
        return state.phase == Phase.INIT_ANSWERED;
    }

    public boolean closed() {
        return state.phase == Phase.CLOSED;
    }

    public Optional<String> closedReason() {
        return Optional.ofNullable(state.closedReason);
    }

    /** The CHILD SAs installed now, oldest first. */
    public List<ChildSa> childSas() {
        return state.children.stream().filter(c -> c.installed).map(c -> c.sa).toList();
    }

    /** SPIs of the current IKE SA, initiator's first; zeros before there is one. */
    public long[] ikeSpis() {
        return state.sa == null ? new long[2] : new long[] {state.sa.spiI, state.sa.spiR};
    }

    Phase phase() {
        return state.phase;
    }

    /**
     * A request under the current IKE SA whose inner chain is {@code inner} as given, however
     * broken, taking the next message ID: what a faulty but authentic peer would send. For
     * tests of section 2.21.1, which need an authenticated message with bad contents.
     */
    byte[] sealedRequest(int exchange, int firstType, byte[] inner) {
        long id = state.sa.nextRequestId++;
        IkeSa s = state.sa;
        return SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, exchange, s.requestFlags(), id), firstType, inner);
    }

    /** IKE SAs that still take messages: the current one and those waiting to be deleted. */
    int ikeSaCount() {
        return (state.sa == null ? 0 : 1) + state.others.size();
    }

    // ---------------------------------------------------------------- dispatch

    private void dispatch(byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        DecodeResult decoded = IkeMessage.decode(datagram, state.config.maxMessageLength());
        IkeMessage m;
        switch (decoded) {
            case DecodeResult.Decoded d -> m = d.message();
            case DecodeResult.Malformed x -> {
                state.counters.add(IkeCounter.MALFORMED);
                return;
            }
            case DecodeResult.UnsupportedMajorVersion x -> {
                state.counters.add(IkeCounter.UNSUPPORTED_VERSION);
                return;
            }
            case DecodeResult.UnsupportedCriticalPayload u -> {
                state.counters.add(IkeCounter.UNSUPPORTED_CRITICAL);
                IkeHeader h = u.header();
                // Section 2.5: answerable without state only in IKE_SA_INIT; elsewhere the
                // payload sits outside SK, so the message is unauthenticated anyway.
                if (h.exchangeType() == ExchangeType.IKE_SA_INIT && !h.response() && h.responderSpi() == 0
                        && h.messageId() == 0) {
                    state.sendPlain(h, NotifyPayload.of(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, u16(u.payloadType())));
                }
                return;
            }
        }
        IkeHeader h = m.header();
        if (h.exchangeType() == ExchangeType.IKE_SA_INIT) {
            if (h.response()) {
                handshake.initResponse(m, datagram, source, destination);
            } else {
                handshake.initRequest(m, datagram, source, destination);
            }
            return;
        }
        IkeSa s = state.sa != null && state.sa.keys != null && state.sa.matches(h) ? state.sa
                : state.others.stream().filter(o -> o.matches(h)).findFirst().orElse(null);
        if (s == null) {
            state.counters.add(IkeCounter.UNKNOWN_SPI);
            return;
        }
        if (!s.fromPeer(h)) {
            state.counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        SkCodec.Opened opened = SkCodec.open(s.sk, m, datagram);
        switch (opened) {
            case SkCodec.Opened.Unprotected x -> state.counters.add(IkeCounter.UNEXPECTED);
            case SkCodec.Opened.Refused x -> state.counters.add(IkeCounter.INTEGRITY_FAILURES);
            case SkCodec.Opened.Payloads p -> {
                s.lastHeard = state.now;
                if (h.response()) {
                    response(s, h, p.payloads());
                } else if (admitRequest(s, h)) {
                    request(s, h, p.payloads());
                }
            }
            case SkCodec.Opened.Malformed x -> {
                state.counters.add(IkeCounter.INVALID_SYNTAX);
                if (!h.response() && admitRequest(s, h)) {
                    state.respond(s, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
                }
            }
            case SkCodec.Opened.UnsupportedCritical u -> {
                state.counters.add(IkeCounter.UNSUPPORTED_CRITICAL);
                if (!h.response() && admitRequest(s, h)) {
                    state.respond(s, h, List.of(NotifyPayload.of(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
                            u16(u.payloadType()))));
                }
            }
        }
    }

    /**
     * Section 2.2 with a window of one: the next request is processed; the one before is a
     * retransmission, answered from the cache; anything older or newer is dropped.
     */
    private boolean admitRequest(IkeSa s, IkeHeader h) {
        long id = h.messageId();
        if (id == s.peerNextRequestId) {
            return true;
        }
        if (id == s.peerNextRequestId - 1 && s.lastResponse != null && h.exchangeType() == s.lastResponseExchange) {
            state.counters.add(IkeCounter.DUPLICATE_REQUESTS);
            state.out.add(new Effect.Send(s.lastResponse));
        } else if (id < s.peerNextRequestId) {
            state.counters.add(IkeCounter.REPLAYS);
        } else {
            state.counters.add(IkeCounter.FUTURE_MESSAGE_ID);
        }
        return false;
    }

    private void request(IkeSa s, IkeHeader h, List<Payload> p) {
        switch (h.exchangeType()) {
            case ExchangeType.IKE_AUTH -> {
                if (state.phase == Phase.INIT_ANSWERED && s == state.sa && h.messageId() == 1) {
                    handshake.authRequest(h, p);
                } else {
                    state.counters.add(IkeCounter.UNEXPECTED);
                }
            }
            case ExchangeType.INFORMATIONAL -> informational(s, h, p);
            case ExchangeType.CREATE_CHILD_SA -> {
                Optional<SaPayload> offer = first(p, SaPayload.class);
                if (state.phase != Phase.ESTABLISHED || s != state.sa) {
                    // Section 2.18: once rekeyed, the old IKE SA takes no new CHILD SAs.
                    state.respond(s, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
                } else if (offer.isPresent() && offer.get().proposals().getFirst().protocolId() == ProtocolId.IKE) {
                    ikeRekey.request(h, p, offer.get());
                } else {
                    childRekey.request(h, p);
                }
            }
            default -> state.counters.add(IkeCounter.UNEXPECTED);
        }
    }

    private void response(IkeSa s, IkeHeader h, List<Payload> p) {
        Retransmission r = s.pending;
        if (r == null || r.messageId != h.messageId() || h.exchangeType() != exchangeOf(r.request)) {
            state.counters.add(IkeCounter.REPLAYS);
            return;
        }
        s.pending = null;
        switch (r.request) {
            case Request.Auth a -> handshake.authResponse(a, p);
            case Request.Liveness l -> { }
            case Request.DeleteIke d -> ikeRekey.deleted(s, d.reason());
            case Request.DeleteChild d -> state.removeChild(d.child());
            case Request.RekeyChild rc -> childRekey.response(s, rc, p);
            case Request.RekeyIke ri -> ikeRekey.response(s, ri, p);
            case Request.SaInit x -> { }
        }
        pump(s);
    }

    private static int exchangeOf(Request r) {
        return switch (r) {
            case Request.SaInit x -> ExchangeType.IKE_SA_INIT;
            case Request.Auth x -> ExchangeType.IKE_AUTH;
            case Request.RekeyChild x -> ExchangeType.CREATE_CHILD_SA;
            case Request.RekeyIke x -> ExchangeType.CREATE_CHILD_SA;
            default -> ExchangeType.INFORMATIONAL;
        };
    }

    // ---------------------------------------------------------------- INFORMATIONAL

    private void informational(IkeSa s, IkeHeader h, List<Payload> p) {
        List<DeletePayload> deletes = all(p, DeletePayload.class);
        if (deletes.stream().anyMatch(d -> d.protocolId() == ProtocolId.IKE)) {
            // Section 1.4.1: acknowledged with an empty INFORMATIONAL.
            state.respond(s, h, List.of());
            ikeRekey.deleted(s, "deleted by peer");
            return;
        }
        if (notifyOf(p, NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            state.counters.add(IkeCounter.AUTH_FAILURES);
            state.respond(s, h, List.of());
            state.close("peer refused our authentication");
            return;
        }
        List<Integer> ours = new ArrayList<>();
        for (DeletePayload d : deletes) {
            if (d.protocolId() != ProtocolId.ESP || d.spiSize() != ProtocolId.CHILD_SPI_SIZE) {
                continue;
            }
            for (int spi : d.childSpis()) {
                Optional<ChildState> c = state.children.stream().filter(x -> x.sa.outboundSpi() == spi).findFirst();
                if (c.isEmpty()) {
                    childRekey.unknownDeleted(spi);
                    continue;
                }
                // If our own Delete of it crossed this one, it is simply gone (section 1.4.1).
                if (c.get().status != ChildState.Status.DELETING) {
                    ours.add(c.get().sa.inboundSpi());
                }
                state.removeChild(c.get());
            }
        }
        state.respond(s, h, ours.isEmpty() ? List.of()
                : List.of(DeletePayload.esp(ours.stream().mapToInt(Integer::intValue).toArray())));
    }

    // ---------------------------------------------------------------- timers and jobs

    private void retransmit(IkeSa s) {
        if (s == null || s.pending == null || !s.pending.due(state.now) || state.phase == Phase.CLOSED) {
            return;
        }
        Retransmission r = s.pending;
        if (!r.exhausted()) {
            r.resent(state.now);
            state.counters.add(IkeCounter.RETRANSMISSIONS);
            state.out.add(new Effect.Send(r.message));
            return;
        }
        if (s != state.sa) {
            // An old or redundant IKE SA the peer no longer answers on: the current SA has
            // its own liveness check, so only this one is given up.
            state.dropRetired(s);
            return;
        }
        s.pending = null;
        switch (r.request) {
            case Request.Liveness l -> state.close("dead peer");
            case Request.DeleteIke d -> ikeRekey.deleted(s, d.reason());
            default -> state.close("peer not responding");
        }
    }

    private void lifetimes() {
        if (state.now - state.sa.hardAt >= 0) {
            // A last Delete, unanswered, so the peer need not wait for liveness to notice.
            state.sendOneShot(state.sa, ExchangeType.INFORMATIONAL, List.of(DeletePayload.ike()));
            state.close("IKE SA lifetime expired");
            return;
        }
        if (state.now - state.sa.softAt >= 0 && !state.sa.rekeyQueued) {
            state.sa.rekeyQueued = true;
            state.sa.jobs.add(new Job.RekeyIke());
        }
        for (ChildState c : List.copyOf(state.children)) {
            if (state.now - c.hardAt >= 0) {
                // Past its hard lifetime the SA must not carry traffic: removed now, then deleted.
                state.removeChild(c);
                state.children.add(c);
                state.sa.jobs.add(new Job.DeleteChild(c));
                c.hardAt = Long.MAX_VALUE;
            } else if (state.now - c.softAt >= 0 && c.status == ChildState.Status.ACTIVE && !c.rekeyQueued) {
                c.rekeyQueued = true;
                state.sa.jobs.add(new Job.RekeyChild(c));
            }
        }
    }

    private void expireRetired() {
        for (IkeSa o : List.copyOf(state.others)) {
            if (state.now - o.retireBy >= 0 && o.pending == null && o.jobs.isEmpty()) {
                state.dropRetired(o);
            }
        }
    }

    private void pumpAll() {
        if (state.phase == Phase.ESTABLISHED) {
            pump(state.sa);
            for (IkeSa o : List.copyOf(state.others)) {
                pump(o);
            }
        }
    }

    /** Starts queued jobs while the window is free. */
    private void pump(IkeSa s) {
        while (s != null && state.phase == Phase.ESTABLISHED && s.pending == null && !s.jobs.isEmpty()) {
            Job j = s.jobs.poll();
            switch (j) {
                case Job.Liveness l -> {
                    state.counters.add(IkeCounter.LIVENESS_CHECKS);
                    state.sendRequest(s, ExchangeType.INFORMATIONAL, List.of(), new Request.Liveness());
                }
                case Job.DeleteIke d -> state.sendRequest(s, ExchangeType.INFORMATIONAL, List.of(DeletePayload.ike()),
                        new Request.DeleteIke(d.reason()));
                case Job.DeleteChild d -> {
                    if (state.children.contains(d.child())) {
                        d.child().status = ChildState.Status.DELETING;
                        state.sendRequest(s, ExchangeType.INFORMATIONAL,
                                List.of(DeletePayload.esp(d.child().sa.inboundSpi())),
                                new Request.DeleteChild(d.child()));
                    }
                }
                case Job.RekeyChild r -> childRekey.start(s, r.child());
                case Job.RekeyIke r -> ikeRekey.start(s);
            }
        }
    }

    // ---------------------------------------------------------------- sending

    private void begin(long now) {
        state.now = now;
        state.out = new ArrayList<>();
    }

    private List<Effect> done() {
        if (state.phase == Phase.CLOSED) {
            handshake.forget();
        }
        List<Effect> result = List.copyOf(state.out);
        state.out = new ArrayList<>();
        return result;
    }
}
