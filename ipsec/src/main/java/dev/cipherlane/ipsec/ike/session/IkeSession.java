package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.all;
import static dev.cipherlane.ipsec.ike.session.Payloads.be64;
import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.firstError;
import static dev.cipherlane.ipsec.ike.session.Payloads.notifyOf;
import static dev.cipherlane.ipsec.ike.session.Payloads.restOfId;
import static dev.cipherlane.ipsec.ike.session.Payloads.u16;
import static dev.cipherlane.ipsec.ike.session.Payloads.u32;
import static dev.cipherlane.ipsec.ike.session.Payloads.u64;

import dev.cipherlane.ipsec.ike.keys.Agreement;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeRole;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.keys.Prf;
import dev.cipherlane.ipsec.ike.keys.PskAuth;
import dev.cipherlane.ipsec.ike.keys.SharedSecret;
import dev.cipherlane.ipsec.ike.message.AuthPayload;
import dev.cipherlane.ipsec.ike.message.DecodeResult;
import dev.cipherlane.ipsec.ike.message.DeletePayload;
import dev.cipherlane.ipsec.ike.message.ExchangeType;
import dev.cipherlane.ipsec.ike.message.IdPayload;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.KePayload;
import dev.cipherlane.ipsec.ike.message.NoncePayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.ProtocolId;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import dev.cipherlane.ipsec.keys.SaKeys;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    /** Section 2.10: at least half the PRF key; 32 bytes gives SHA-256 its full strength. */
    static final int NONCE_LENGTH = 32;
    /** COOKIE and INVALID_KE_PAYLOAD retries of one IKE_SA_INIT, a bound against ping-pong. */
    static final int MAX_INIT_RETRIES = 4;

    enum Phase { IDLE, INIT_SENT, AUTH_SENT, INIT_ANSWERED, ESTABLISHED, CLOSED }

    private final IkeConfig config;
    private final SecureRandom random;
    private final CookieJar cookies;
    private final IkeCounters counters = new IkeCounters();
    private final PskAuth pskAuth;
    private final long baseNanos;
    private final long capNanos;

    private Phase phase = Phase.IDLE;
    private IkeSa sa;
    /**
     * IKE SAs that are not current but still take messages: the one a rekey replaced, until
     * its Delete exchange is over (section 2.18), and the loser of a rekey collision until it
     * is deleted (section 2.8.2).
     */
    private final List<IkeSa> others = new ArrayList<>();
    /** The peer's IKE rekey we answered while ours was outstanding (section 2.8.2). */
    private IkeCollision ikeCollision;

    private record IkeCollision(IkeSa created, byte[] ni, byte[] nr) {}
    private final List<ChildState> children = new ArrayList<>();
    /**
     * Outbound SPIs the peer deleted before our rekey that made them was answered: the answer
     * was lost and retransmitted, and the peer, which had already installed the SA, deleted it
     * meanwhile. Such a pair is never installed here.
     */
    private final Set<Integer> deletedBeforeAnswer = new HashSet<>();
    private String closedReason;

    // IKE_SA_INIT state, kept until IKE_AUTH is done (AUTH signs these, section 2.15).
    private KeyExchange ke;
    private byte[] ni;
    private byte[] nr;
    private byte[] initRequest;
    private byte[] initResponse;
    private Octets cookie;
    private int initRetries;
    private long halfOpenDeadline;

    private List<Effect> out = new ArrayList<>();
    private long now;

    /**
     * @param cookies the node's cookie jar, or null to never ask for cookies
     */
    public IkeSession(IkeConfig config, SecureRandom random, CookieJar cookies) {
        this.config = config;
        this.random = random;
        this.cookies = cookies;
        // The only PRF we negotiate (IkeProposals), so the pad key can be made once.
        this.pskAuth = PskAuth.of(Prf.HMAC_SHA2_256, config.psk());
        this.baseNanos = config.retransmitBase().toNanos();
        this.capNanos = config.retransmitCap().toNanos();
    }

    public IkeSession(IkeConfig config, SecureRandom random) {
        this(config, random, null);
    }

    // ---------------------------------------------------------------- inputs

    /** Initiates: sends IKE_SA_INIT. Does nothing unless the session is new. */
    public List<Effect> start(long now) {
        begin(now);
        if (phase == Phase.IDLE) {
            sa = new IkeSa(IkeRole.INITIATOR, newIkeSpi(), 0);
            ni = nonce();
            ke = KeyExchange.generate(config.groups().getFirst(), random);
            sendInitRequest();
            phase = Phase.INIT_SENT;
        }
        return done();
    }

    /** A datagram from the peer's configured address to ours (no Non-ESP marker). */
    public List<Effect> receive(byte[] datagram, long now) {
        return receive(datagram, config.peer(), config.local(), now);
    }

    /**
     * A datagram as received, with the addresses it came from and to: these, not the
     * configured ones, are checked against the peer's NAT detection hashes (section 2.23).
     */
    public List<Effect> receive(byte[] datagram, InetSocketAddress source, InetSocketAddress destination, long now) {
        begin(now);
        if (phase != Phase.CLOSED) {
            try {
                dispatch(datagram, source, destination);
                pumpAll();
            } catch (RuntimeException e) {
                // A bug, not the peer's fault: drop this datagram and keep the session.
                counters.add(IkeCounter.INTERNAL_ERRORS);
            }
        }
        return done();
    }

    /** Timers: retransmission, half-open expiry, lifetimes and liveness. */
    public List<Effect> tick(long now) {
        begin(now);
        if (phase != Phase.CLOSED) {
            for (IkeSa o : List.copyOf(others)) {
                retransmit(o);
            }
            retransmit(sa);
        }
        if (phase == Phase.INIT_ANSWERED && now - halfOpenDeadline >= 0) {
            close("IKE_AUTH never came");
        }
        if (phase == Phase.ESTABLISHED) {
            expireRetired();
            lifetimes();
            if (phase == Phase.ESTABLISHED && sa.pending == null && sa.jobs.isEmpty()
                    && now - sa.lastHeard >= config.liveness().toNanos()) {
                sa.jobs.add(new Job.Liveness());
            }
            pumpAll();
        }
        return done();
    }

    /** Rekeys the newest active CHILD SA (section 1.3.3), e.g. on the dataplane's soft limit. */
    public List<Effect> rekeyChild(long now) {
        begin(now);
        if (phase == Phase.ESTABLISHED) {
            newestActiveChild().ifPresent(c -> {
                c.rekeyQueued = true;
                sa.jobs.add(new Job.RekeyChild(c));
            });
            pump(sa);
        }
        return done();
    }

    /** Rekeys the IKE SA (section 1.3.2). */
    public List<Effect> rekeyIke(long now) {
        begin(now);
        if (phase == Phase.ESTABLISHED && !sa.rekeyQueued) {
            sa.rekeyQueued = true;
            sa.jobs.add(new Job.RekeyIke());
            pump(sa);
        }
        return done();
    }

    /** Deletes the CHILD SA whose inbound SPI is {@code inboundSpi} (section 1.4.1). */
    public List<Effect> deleteChild(int inboundSpi, long now) {
        begin(now);
        if (phase == Phase.ESTABLISHED) {
            children.stream().filter(c -> c.sa.inboundSpi() == inboundSpi).findFirst()
                    .ifPresent(c -> sa.jobs.add(new Job.DeleteChild(c)));
            pump(sa);
        }
        return done();
    }

    /** Ends the IKE SA and its CHILD SAs with a Delete (section 1.4.1), or at once if not up. */
    public List<Effect> delete(long now) {
        begin(now);
        if (phase == Phase.ESTABLISHED) {
            sa.jobs.clear();
            sa.jobs.add(new Job.DeleteIke("deleted"));
            pump(sa);
        } else if (phase != Phase.CLOSED) {
            close("deleted");
        }
        return done();
    }

    // ---------------------------------------------------------------- observation

    public IkeCounters counters() {
        return counters;
    }

    public boolean established() {
        return phase == Phase.ESTABLISHED;
    }

    /**
     * Whether we answered IKE_SA_INIT and wait for IKE_AUTH: the owner counts these across
     * sessions for the {@link CookieJar}'s threshold (section 2.6).
     */
    public boolean halfOpen() {
        return phase == Phase.INIT_ANSWERED;
    }

    public boolean closed() {
        return phase == Phase.CLOSED;
    }

    public Optional<String> closedReason() {
        return Optional.ofNullable(closedReason);
    }

    /** The CHILD SAs installed now, oldest first. */
    public List<ChildSa> childSas() {
        return children.stream().filter(c -> c.installed).map(c -> c.sa).toList();
    }

    /** SPIs of the current IKE SA, initiator's first; zeros before there is one. */
    public long[] ikeSpis() {
        return sa == null ? new long[2] : new long[] {sa.spiI, sa.spiR};
    }

    Phase phase() {
        return phase;
    }

    /**
     * A request under the current IKE SA whose inner chain is {@code inner} as given, however
     * broken, taking the next message ID: what a faulty but authentic peer would send. For
     * tests of section 2.21.1, which need an authenticated message with bad contents.
     */
    byte[] sealedRequest(int exchange, int firstType, byte[] inner) {
        long id = sa.nextRequestId++;
        return SkCodec.seal(sa.sk, IkeHeader.of(sa.spiI, sa.spiR, exchange, sa.requestFlags(), id), firstType, inner);
    }

    /** IKE SAs that still take messages: the current one and those waiting to be deleted. */
    int ikeSaCount() {
        return (sa == null ? 0 : 1) + others.size();
    }

    // ---------------------------------------------------------------- dispatch

    private void dispatch(byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        DecodeResult decoded = IkeMessage.decode(datagram, config.maxMessageLength());
        IkeMessage m;
        switch (decoded) {
            case DecodeResult.Decoded d -> m = d.message();
            case DecodeResult.Malformed x -> {
                counters.add(IkeCounter.MALFORMED);
                return;
            }
            case DecodeResult.UnsupportedMajorVersion x -> {
                counters.add(IkeCounter.UNSUPPORTED_VERSION);
                return;
            }
            case DecodeResult.UnsupportedCriticalPayload u -> {
                counters.add(IkeCounter.UNSUPPORTED_CRITICAL);
                IkeHeader h = u.header();
                // Section 2.5: answerable without state only in IKE_SA_INIT; elsewhere the
                // payload sits outside SK, so the message is unauthenticated anyway.
                if (h.exchangeType() == ExchangeType.IKE_SA_INIT && !h.response() && h.responderSpi() == 0
                        && h.messageId() == 0) {
                    sendPlain(h, NotifyPayload.of(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, u16(u.payloadType())));
                }
                return;
            }
        }
        IkeHeader h = m.header();
        if (h.exchangeType() == ExchangeType.IKE_SA_INIT) {
            if (h.response()) {
                initResponse(m, datagram, source, destination);
            } else {
                initRequest(m, datagram, source, destination);
            }
            return;
        }
        IkeSa s = sa != null && sa.keys != null && sa.matches(h) ? sa
                : others.stream().filter(o -> o.matches(h)).findFirst().orElse(null);
        if (s == null) {
            counters.add(IkeCounter.UNKNOWN_SPI);
            return;
        }
        if (!s.fromPeer(h)) {
            counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        SkCodec.Opened opened = SkCodec.open(s.sk, m, datagram);
        switch (opened) {
            case SkCodec.Opened.Unprotected x -> counters.add(IkeCounter.UNEXPECTED);
            case SkCodec.Opened.Refused x -> counters.add(IkeCounter.INTEGRITY_FAILURES);
            case SkCodec.Opened.Payloads p -> {
                s.lastHeard = now;
                if (h.response()) {
                    response(s, h, p.payloads());
                } else if (admitRequest(s, h)) {
                    request(s, h, p.payloads());
                }
            }
            case SkCodec.Opened.Malformed x -> {
                counters.add(IkeCounter.INVALID_SYNTAX);
                if (!h.response() && admitRequest(s, h)) {
                    respond(s, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
                }
            }
            case SkCodec.Opened.UnsupportedCritical u -> {
                counters.add(IkeCounter.UNSUPPORTED_CRITICAL);
                if (!h.response() && admitRequest(s, h)) {
                    respond(s, h, List.of(NotifyPayload.of(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
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
            counters.add(IkeCounter.DUPLICATE_REQUESTS);
            out.add(new Effect.Send(s.lastResponse));
        } else if (id < s.peerNextRequestId) {
            counters.add(IkeCounter.REPLAYS);
        } else {
            counters.add(IkeCounter.FUTURE_MESSAGE_ID);
        }
        return false;
    }

    private void request(IkeSa s, IkeHeader h, List<Payload> p) {
        switch (h.exchangeType()) {
            case ExchangeType.IKE_AUTH -> {
                if (phase == Phase.INIT_ANSWERED && s == sa && h.messageId() == 1) {
                    authRequest(h, p);
                } else {
                    counters.add(IkeCounter.UNEXPECTED);
                }
            }
            case ExchangeType.INFORMATIONAL -> informational(s, h, p);
            case ExchangeType.CREATE_CHILD_SA -> {
                if (phase == Phase.ESTABLISHED && s == sa) {
                    createChildSa(h, p);
                } else {
                    // Section 2.18: once rekeyed, the old IKE SA takes no new CHILD SAs.
                    respond(s, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
                }
            }
            default -> counters.add(IkeCounter.UNEXPECTED);
        }
    }

    private void response(IkeSa s, IkeHeader h, List<Payload> p) {
        Retransmission r = s.pending;
        if (r == null || r.messageId != h.messageId() || h.exchangeType() != exchangeOf(r.request)) {
            counters.add(IkeCounter.REPLAYS);
            return;
        }
        s.pending = null;
        switch (r.request) {
            case Request.Auth a -> authResponse(a, p);
            case Request.Liveness l -> { }
            case Request.DeleteIke d -> ikeDeleted(s, d.reason());
            case Request.DeleteChild d -> removeChild(d.child());
            case Request.RekeyChild rc -> childRekeyResponse(s, rc, p);
            case Request.RekeyIke ri -> ikeRekeyResponse(s, ri, p);
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

    // ---------------------------------------------------------------- IKE_SA_INIT

    private void sendInitRequest() {
        List<Payload> p = new ArrayList<>();
        if (cookie != null) {
            // Section 2.6: the COOKIE goes first, the rest of the request repeated as it was.
            p.add(NotifyPayload.of(NotifyType.COOKIE, cookie));
        }
        p.add(IkeProposals.offer(config.ikeSuites(), config.groups(), Octets.EMPTY));
        p.add(new KePayload(ke.group().transformId(), Octets.of(ke.publicValue())));
        p.add(new NoncePayload(Octets.of(ni)));
        p.addAll(NatDetection.notifies(sa.spiI, 0, config.local(), config.peer()));
        IkeMessage m = new IkeMessage(IkeHeader.of(sa.spiI, 0, ExchangeType.IKE_SA_INIT, IkeHeader.FLAG_INITIATOR, 0), p);
        initRequest = m.encode();
        sa.nextRequestId = 1;
        transmit(sa, new Request.SaInit(), initRequest, 0);
    }

    /** The responder's side of IKE_SA_INIT (section 1.2); stateless until it accepts. */
    private void initRequest(IkeMessage m, byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        IkeHeader h = m.header();
        if (phase == Phase.INIT_ANSWERED && h.initiatorSpi() == sa.spiI) {
            if (Arrays.equals(datagram, initRequest)) {
                counters.add(IkeCounter.DUPLICATE_REQUESTS);
                out.add(new Effect.Send(initResponse));
            } else {
                counters.add(IkeCounter.REPLAYS);
            }
            return;
        }
        if (phase != Phase.IDLE || h.responderSpi() != 0 || h.messageId() != 0 || !h.initiator()) {
            counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        Optional<SaPayload> offer = m.first(SaPayload.class);
        Optional<KePayload> kei = m.first(KePayload.class);
        Optional<NoncePayload> nonce = m.first(NoncePayload.class);
        if (offer.isEmpty() || kei.isEmpty() || nonce.isEmpty()) {
            counters.add(IkeCounter.MALFORMED);
            sendPlain(h, NotifyPayload.of(NotifyType.INVALID_SYNTAX));
            return;
        }
        Octets peerNonce = nonce.get().data();
        if (cookies != null && cookies.underLoad()) {
            Optional<NotifyPayload> c = m.notify(NotifyType.COOKIE);
            if (c.isEmpty() || !cookies.valid(c.get().data(), peerNonce, source.getAddress(), h.initiatorSpi())) {
                counters.add(IkeCounter.COOKIES_SENT);
                sendPlain(h, NotifyPayload.of(NotifyType.COOKIE,
                        cookies.issue(peerNonce, source.getAddress(), h.initiatorSpi())));
                return;
            }
        }
        Optional<IkeProposals.Choice> choice = IkeProposals.select(offer.get(), config.ikeSuites(), config.groups(), 0);
        if (choice.isEmpty()) {
            counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            sendPlain(h, NotifyPayload.of(NotifyType.NO_PROPOSAL_CHOSEN));
            return;
        }
        DhGroup group = pickGroup(choice.get().groups(), kei.get().group());
        if (group.transformId() != kei.get().group()) {
            // Section 1.2: tell the initiator which group we want; it retries with it.
            counters.add(IkeCounter.INVALID_KE_SENT);
            sendPlain(h, NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, u16(group.transformId())));
            return;
        }
        KeyExchange ours = KeyExchange.generate(group, random);
        if (!(ours.agree(kei.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            ours.destroy();
            counters.add(IkeCounter.MALFORMED);
            sendPlain(h, NotifyPayload.of(NotifyType.INVALID_SYNTAX));
            return;
        }
        ni = peerNonce.toByteArray();
        nr = nonce();
        sa = new IkeSa(IkeRole.RESPONDER, h.initiatorSpi(), newIkeSpi());
        sa.keyed(deriveKeys(choice.get(), agreed.secret()), group);
        ours.destroy();
        reportNat(m, source, destination);
        List<Payload> p = new ArrayList<>();
        p.add(choice.get().answer(Octets.EMPTY, group));
        p.add(new KePayload(group.transformId(), Octets.of(ours.publicValue())));
        p.add(new NoncePayload(Octets.of(nr)));
        // Our view: we send from our address to where the request came from.
        p.addAll(NatDetection.notifies(sa.spiI, sa.spiR, destination, source));
        initRequest = datagram.clone();
        initResponse = new IkeMessage(IkeHeader.of(sa.spiI, sa.spiR, ExchangeType.IKE_SA_INIT,
                IkeHeader.FLAG_RESPONSE, 0), p).encode();
        sa.peerNextRequestId = 1;
        sa.lastResponse = initResponse;
        sa.lastResponseExchange = ExchangeType.IKE_SA_INIT;
        sa.lastHeard = now;
        out.add(new Effect.Send(initResponse));
        phase = Phase.INIT_ANSWERED;
        halfOpenDeadline = now + giveUpNanos();
    }

    /** The peer's KE group if we accept it in this proposal, else our preferred one there. */
    private static DhGroup pickGroup(List<DhGroup> acceptable, int keGroup) {
        return acceptable.stream().filter(g -> g.transformId() == keGroup).findFirst().orElse(acceptable.getFirst());
    }

    private IkeKeys deriveKeys(IkeProposals.Choice c, SharedSecret gir) {
        try {
            return IkeKeys.derive(c.suite(), c.prf(), gir, ni, nr, be64(sa.spiI), be64(sa.spiR));
        } finally {
            gir.destroy();
        }
    }

    /** The initiator's side: retry on COOKIE or INVALID_KE_PAYLOAD, else key the SA and authenticate. */
    private void initResponse(IkeMessage m, byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        IkeHeader h = m.header();
        if (phase != Phase.INIT_SENT || h.initiatorSpi() != sa.spiI || h.messageId() != 0 || h.initiator()) {
            counters.add(h.initiatorSpi() == (sa == null ? 0 : sa.spiI) ? IkeCounter.REPLAYS : IkeCounter.UNKNOWN_SPI);
            return;
        }
        Optional<NotifyPayload> c = m.notify(NotifyType.COOKIE);
        if (c.isPresent() && h.responderSpi() == 0) {
            if (initRetries++ >= MAX_INIT_RETRIES) {
                close("IKE_SA_INIT retried too often");
                return;
            }
            counters.add(IkeCounter.COOKIE_RETRIES);
            cookie = c.get().data();
            sendInitRequest();
            return;
        }
        Optional<NotifyPayload> invalidKe = m.notify(NotifyType.INVALID_KE_PAYLOAD);
        if (invalidKe.isPresent()) {
            Optional<DhGroup> wanted = invalidKe.get().data().length() == 2
                    ? DhGroup.byTransformId(u16(invalidKe.get().data())) : Optional.empty();
            // Section 1.2: retry in the group asked for, if we offered it; never the same one again.
            if (wanted.isEmpty() || !config.groups().contains(wanted.get()) || wanted.get() == ke.group()
                    || initRetries++ >= MAX_INIT_RETRIES) {
                counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
                close("no Diffie-Hellman group acceptable to both");
                return;
            }
            counters.add(IkeCounter.INVALID_KE_RETRIES);
            ke.destroy();
            ke = KeyExchange.generate(wanted.get(), random);
            sendInitRequest();
            return;
        }
        if (m.notify(NotifyType.NO_PROPOSAL_CHOSEN).isPresent()) {
            counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            close("peer chose no IKE proposal");
            return;
        }
        Optional<SaPayload> answer = m.first(SaPayload.class);
        Optional<KePayload> ker = m.first(KePayload.class);
        Optional<NoncePayload> nonce = m.first(NoncePayload.class);
        Optional<IkeProposals.Choice> choice = answer.filter(a -> a.proposals().size() == 1)
                .flatMap(a -> IkeProposals.select(a, config.ikeSuites(), List.of(ke.group()), 0));
        // An unauthenticated answer that makes no sense is dropped, not believed: the real
        // one may still come (section 2.4).
        if (h.responderSpi() == 0 || choice.isEmpty() || ker.isEmpty() || nonce.isEmpty()
                || ker.get().group() != ke.group().transformId()) {
            counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        if (!(ke.agree(ker.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            counters.add(IkeCounter.MALFORMED);
            return;
        }
        sa.spiR = h.responderSpi();
        nr = nonce.get().data().toByteArray();
        sa.keyed(deriveKeys(choice.get(), agreed.secret()), ke.group());
        ke.destroy();
        sa.pending = null;
        sa.lastHeard = now;
        initResponse = datagram.clone();
        reportNat(m, source, destination);
        sendAuthRequest();
        phase = Phase.AUTH_SENT;
    }

    private void reportNat(IkeMessage m, InetSocketAddress source, InetSocketAddress destination) {
        Effect.NatStatus nat = NatDetection.check(m.all(NotifyPayload.class), m.header().initiatorSpi(),
                m.header().responderSpi(), source, destination);
        if (nat != null) {
            out.add(nat);
        }
    }

    // ---------------------------------------------------------------- IKE_AUTH

    private void sendAuthRequest() {
        int childSpi = newChildSpi();
        IdPayload idi = config.localId().payload(Side.INITIATOR);
        byte[] octets = PskAuth.initiatorSignedOctets(sa.keys, initRequest, nr, restOfId(idi));
        List<Payload> p = new ArrayList<>();
        p.add(idi);
        config.remoteId().ifPresent(id -> p.add(id.payload(Side.RESPONDER)));
        p.add(new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.of(pskAuth.authData(octets))));
        if (config.initialContact()) {
            // Section 2.4: we hold no other IKE SA with this peer, so it may drop any it has.
            p.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        }
        p.add(EspProposals.offer(childSpi, config.offerEsn(), null));
        p.add(new TrafficSelectorPayload(Side.INITIATOR, config.localSelectors()));
        p.add(new TrafficSelectorPayload(Side.RESPONDER, config.remoteSelectors()));
        sendRequest(sa, ExchangeType.IKE_AUTH, p, new Request.Auth(childSpi));
    }

    /** Section 2.15: AUTH is over the IKE_SA_INIT message as sent, the peer's nonce and our ID. */
    private void authRequest(IkeHeader h, List<Payload> p) {
        Optional<IdPayload> idi = first(p, IdPayload.class).filter(i -> i.side() == Side.INITIATOR);
        Optional<AuthPayload> auth = first(p, AuthPayload.class);
        if (idi.isEmpty() || auth.isEmpty()) {
            counters.add(IkeCounter.INVALID_SYNTAX);
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            close("IKE_AUTH request without IDi or AUTH");
            return;
        }
        byte[] octets = PskAuth.initiatorSignedOctets(sa.keys, initRequest, nr, restOfId(idi.get()));
        boolean idOk = config.remoteId().map(id -> id.equals(Identity.of(idi.get()))).orElse(true);
        if (!idOk || auth.get().method() != AuthPayload.SHARED_KEY_MIC
                || !pskAuth.verify(octets, auth.get().data().toByteArray())) {
            // Section 2.21.2: the response says so, and the IKE SA is no more.
            counters.add(IkeCounter.AUTH_FAILURES);
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.AUTHENTICATION_FAILED)));
            close("authentication failed");
            return;
        }
        IdPayload idr = config.localId().payload(Side.RESPONDER);
        byte[] ours = PskAuth.responderSignedOctets(sa.keys, initResponse, ni, restOfId(idr));
        List<Payload> answer = new ArrayList<>();
        answer.add(idr);
        answer.add(new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.of(pskAuth.authData(ours))));
        ChildState child = acceptChild(p, answer, null, ni, nr);
        respond(sa, h, answer);
        becomeEstablished();
        if (notifyOf(p, NotifyType.INITIAL_CONTACT).isPresent()) {
            out.add(new Effect.PeerInitialContact());
        }
        if (child != null) {
            install(child);
        }
    }

    private void authResponse(Request.Auth a, List<Payload> p) {
        if (notifyOf(p, NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            counters.add(IkeCounter.AUTH_FAILURES);
            close("peer refused our authentication");
            return;
        }
        Optional<IdPayload> idr = first(p, IdPayload.class).filter(i -> i.side() == Side.RESPONDER);
        Optional<AuthPayload> auth = first(p, AuthPayload.class);
        if (idr.isEmpty() || auth.isEmpty()) {
            counters.add(IkeCounter.INVALID_SYNTAX);
            close("IKE_AUTH refused: " + firstError(p).map(n -> NotifyType.name(n.notifyType())).orElse("no AUTH"));
            return;
        }
        byte[] octets = PskAuth.responderSignedOctets(sa.keys, initResponse, ni, restOfId(idr.get()));
        boolean idOk = config.remoteId().map(id -> id.equals(Identity.of(idr.get()))).orElse(true);
        if (!idOk || auth.get().method() != AuthPayload.SHARED_KEY_MIC
                || !pskAuth.verify(octets, auth.get().data().toByteArray())) {
            counters.add(IkeCounter.AUTH_FAILURES);
            // Section 2.21.2: tell the peer in a separate INFORMATIONAL; no answer awaited.
            sendOneShot(sa, ExchangeType.INFORMATIONAL, List.of(NotifyPayload.of(NotifyType.AUTHENTICATION_FAILED)));
            close("peer failed authentication");
            return;
        }
        becomeEstablished();
        ChildState child = childFromAnswer(sa, p, a.childSpi(), null, ni, nr, null);
        if (child == null) {
            // A tunnel without its CHILD SA carries nothing: end the IKE SA too.
            counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            sa.jobs.add(new Job.DeleteIke("CHILD SA refused: "
                    + firstError(p).map(n -> NotifyType.name(n.notifyType())).orElse("unacceptable answer")));
            return;
        }
        install(child);
    }

    private void becomeEstablished() {
        phase = Phase.ESTABLISHED;
        sa.softAt = softAt(config.ikeLifetime().toNanos());
        sa.hardAt = hardAt(config.ikeLifetime().toNanos());
        out.add(new Effect.Established(sa.spiI, sa.spiR, sa.keys.suite(), sa.group));
    }

    // ---------------------------------------------------------------- CHILD SAs

    /** The responder's half (IKE_AUTH or a rekey of {@code old}); the answer or refusal goes to {@code answer}. */
    private ChildState acceptChild(List<Payload> p, List<Payload> answer, ChildState old, byte[] nonceI,
            byte[] nonceR) {
        boolean rekey = old != null;
        ChildNegotiation.Terms terms = rekey
                ? new ChildNegotiation.Terms(config.offerEsn(), config.groups(), old.sa.localSelectors(),
                        old.sa.remoteSelectors())
                : new ChildNegotiation.Terms(config.offerEsn(), null, config.localSelectors(), config.remoteSelectors());
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
    private ChildState childFromAnswer(IkeSa s, List<Payload> p, int ourSpi, ChildState old, byte[] nonceI,
            byte[] nonceR, KeyExchange pfs) {
        ChildNegotiation.Terms terms = old == null
                ? new ChildNegotiation.Terms(config.offerEsn(), null, config.localSelectors(), config.remoteSelectors())
                : new ChildNegotiation.Terms(config.offerEsn(), pfs == null ? List.of() : List.of(pfs.group()),
                        old.sa.localSelectors(), old.sa.remoteSelectors());
        return ChildNegotiation.complete(p, terms, s.keys, pfs, ourSpi, nonceI, nonceR).map(this::newChild).orElse(null);
    }

    private ChildState newChild(ChildSa child) {
        long life = config.childLifetime().toNanos();
        return new ChildState(child, softAt(life), hardAt(life));
    }

    private void install(ChildState c) {
        children.add(c);
        c.installed = true;
        out.add(new Effect.InstallChildSa(c.sa));
    }

    private void removeChild(ChildState c) {
        if (children.remove(c) && c.installed) {
            c.installed = false;
            out.add(new Effect.RemoveChildSa(c.sa));
        }
    }

    private Optional<ChildState> newestActiveChild() {
        for (int i = children.size() - 1; i >= 0; i--) {
            ChildState c = children.get(i);
            if (c.status == ChildState.Status.ACTIVE && !c.rekeyQueued) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- CREATE_CHILD_SA

    private void createChildSa(IkeHeader h, List<Payload> p) {
        Optional<SaPayload> offer = first(p, SaPayload.class);
        if (offer.isPresent() && offer.get().proposals().getFirst().protocolId() == ProtocolId.IKE) {
            ikeRekeyRequest(h, p, offer.get());
            return;
        }
        if (sa.pending != null && sa.pending.request instanceof Request.RekeyIke) {
            // Section 2.25.2: no CHILD SA work on an IKE SA we are replacing; a CHILD SA made
            // now could be orphaned when the old IKE SA is deleted.
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<NotifyPayload> rekeySa = notifyOf(p, NotifyType.REKEY_SA).filter(n -> n.spi().length() == 4);
        if (rekeySa.isEmpty()) {
            // Cipherlane keeps one CHILD SA per tunnel; new ones are not taken (section 1.3.1).
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.NO_ADDITIONAL_SAS)));
            return;
        }
        // Section 1.3.3: the SPI is the one the requester receives on, our outbound SPI.
        int spi = u32(rekeySa.get().spi());
        Optional<ChildState> old = children.stream().filter(c -> c.sa.outboundSpi() == spi).findFirst();
        if (old.isEmpty()) {
            respond(sa, h, List.of(NotifyPayload.aboutChild(ProtocolId.ESP, spi, NotifyType.CHILD_SA_NOT_FOUND)));
            return;
        }
        ChildState o = old.get();
        if (o.status == ChildState.Status.DELETING || o.status == ChildState.Status.REKEYED) {
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        byte[] peerNonce = nonce.map(n -> n.data().toByteArray()).orElse(null);
        List<Payload> answer = new ArrayList<>();
        byte[] nonceR = nonce();
        ChildState created = acceptChild(p, answer, o, peerNonce, nonceR);
        respond(sa, h, answer);
        if (created == null) {
            return;
        }
        install(created);
        if (o.status == ChildState.Status.REKEYING) {
            // Both ends rekey the same SA; settled when our own answer comes (section 2.8.1).
            o.collision = new ChildState.Collision(peerNonce, nonceR, created);
        } else {
            o.status = ChildState.Status.REKEYED;
            counters.add(IkeCounter.CHILD_REKEYS);
        }
    }

    private void childRekeyResponse(IkeSa s, Request.RekeyChild r, List<Payload> p) {
        ChildState old = r.old();
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        ChildState created = nonce.isEmpty() ? null
                : childFromAnswer(s, p, r.newSpi(), old, r.ni(), nonce.get().data().toByteArray(), r.ke());
        if (r.ke() != null) {
            r.ke().destroy();
        }
        if (created == null) {
            counters.add(IkeCounter.REKEY_FAILURES);
            old.rekeyQueued = false;
            old.softAt = Math.max(old.softAt, now + capNanos); // a refused rekey is retried, not hammered
            if (old.status == ChildState.Status.REKEYING) {
                old.status = old.collision != null ? ChildState.Status.REKEYED : ChildState.Status.ACTIVE;
            }
            return;
        }
        if (deletedBeforeAnswer.remove(created.sa.outboundSpi())) {
            // The replacement is already gone at the peer; the old pair carries on.
            counters.add(IkeCounter.REKEY_FAILURES);
            old.rekeyQueued = false;
            if (old.status == ChildState.Status.REKEYING) {
                old.status = old.collision != null ? ChildState.Status.REKEYED : ChildState.Status.ACTIVE;
            }
            return;
        }
        deletedBeforeAnswer.clear();
        ChildState.Collision c = old.collision;
        if (c != null) {
            counters.add(IkeCounter.REKEY_COLLISIONS);
            byte[] oursLowest = lower(r.ni(), nonce.get().data().toByteArray());
            byte[] theirsLowest = lower(c.ni(), c.nr());
            if (compareNonces(oursLowest, theirsLowest) < 0) {
                // Ours holds the lowest nonce: redundant; we delete it, the peer the old one.
                created.status = ChildState.Status.DELETING;
                children.add(created);
                sa.jobs.add(new Job.DeleteChild(created));
                old.status = ChildState.Status.REKEYED;
                return;
            }
        }
        counters.add(IkeCounter.CHILD_REKEYS);
        // Make before break: the new pair is installed before the old one is deleted.
        install(created);
        old.status = ChildState.Status.REKEYED;
        if (children.contains(old)) {
            sa.jobs.add(new Job.DeleteChild(old));
        }
    }

    private boolean childRekeyOutstanding() {
        return (sa.pending != null && sa.pending.request instanceof Request.RekeyChild)
                || others.stream().anyMatch(o -> o.pending != null && o.pending.request instanceof Request.RekeyChild);
    }

    private static byte[] lower(byte[] a, byte[] b) {
        return compareNonces(a, b) <= 0 ? a : b;
    }

    /** Nonces compare as unsigned byte strings, shorter first on a common prefix. */
    static int compareNonces(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    // ---------------------------------------------------------------- IKE SA rekey

    private void ikeRekeyRequest(IkeHeader h, List<Payload> p, SaPayload offer) {
        if (sa.pending != null && (sa.pending.request instanceof Request.RekeyChild
                || sa.pending.request instanceof Request.DeleteChild)) {
            // Section 2.25.2: not while we are rekeying or deleting a CHILD SA of this IKE SA.
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<KePayload> kei = first(p, KePayload.class);
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        if (kei.isEmpty() || nonce.isEmpty()) {
            counters.add(IkeCounter.INVALID_SYNTAX);
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            return;
        }
        Optional<IkeProposals.Choice> choice = IkeProposals.select(offer, config.ikeSuites(), config.groups(), 8);
        if (choice.isEmpty()) {
            counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.NO_PROPOSAL_CHOSEN)));
            return;
        }
        DhGroup group = pickGroup(choice.get().groups(), kei.get().group());
        if (group.transformId() != kei.get().group()) {
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, u16(group.transformId()))));
            return;
        }
        KeyExchange ours = KeyExchange.generate(group, random);
        if (!(ours.agree(kei.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            ours.destroy();
            respond(sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            return;
        }
        long peerSpi = u64(offer.proposals().stream().filter(x -> x.number() == choice.get().number())
                .findFirst().orElseThrow().spi());
        long ourSpi = newIkeSpi();
        byte[] nonceR = nonce();
        IkeKeys keys = sa.keys.rekey(choice.get().suite(), choice.get().prf(), agreed.secret(),
                nonce.get().data().toByteArray(), nonceR, be64(peerSpi), be64(ourSpi));
        agreed.secret().destroy();
        respond(sa, h, List.of(choice.get().answer(Octets.of(be64(ourSpi)), group),
                new NoncePayload(Octets.of(nonceR)), new KePayload(group.transformId(), Octets.of(ours.publicValue()))));
        ours.destroy();
        // The peer started the rekey, so it is the new SA's original initiator (section 2.18).
        IkeSa created = keyedSa(new IkeSa(IkeRole.RESPONDER, peerSpi, ourSpi), keys, group);
        if (sa.pending != null && sa.pending.request instanceof Request.RekeyIke) {
            // Both ends rekey at once: which new SA survives is settled when our answer comes.
            ikeCollision = new IkeCollision(created, nonce.get().data().toByteArray(), nonceR);
            retire(created);
            return;
        }
        switchTo(created);
    }

    private void ikeRekeyResponse(IkeSa s, Request.RekeyIke r, List<Payload> p) {
        Optional<SaPayload> answer = first(p, SaPayload.class).filter(a -> a.proposals().size() == 1);
        Optional<KePayload> ker = first(p, KePayload.class);
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        Optional<IkeProposals.Choice> choice = answer.flatMap(a -> IkeProposals.select(a, config.ikeSuites(),
                List.of(r.ke().group()), 8));
        s.rekeyQueued = false;
        IkeCollision collision = ikeCollision;
        ikeCollision = null;
        if (choice.isEmpty() || ker.isEmpty() || nonce.isEmpty() || ker.get().group() != r.ke().group().transformId()
                || !(r.ke().agree(ker.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            r.ke().destroy();
            counters.add(IkeCounter.REKEY_FAILURES);
            s.softAt = Math.max(s.softAt, now + capNanos);
            if (collision != null) {
                // The peer's rekey, which we answered, is the one that happened.
                others.remove(collision.created());
                switchTo(collision.created());
            }
            return;
        }
        long peerSpi = u64(answer.get().proposals().getFirst().spi());
        // Section 2.18: SKEYSEED from the SK_d of the SA the exchange ran on.
        IkeKeys keys = s.keys.rekey(choice.get().suite(), choice.get().prf(), agreed.secret(), r.ni(),
                nonce.get().data().toByteArray(), be64(r.newSpi()), be64(peerSpi));
        agreed.secret().destroy();
        r.ke().destroy();
        IkeSa ours = keyedSa(new IkeSa(IkeRole.INITIATOR, r.newSpi(), peerSpi), keys, r.ke().group());
        IkeSa old = s;
        if (collision != null) {
            counters.add(IkeCounter.REKEY_COLLISIONS);
            byte[] oursLowest = lower(r.ni(), nonce.get().data().toByteArray());
            if (compareNonces(oursLowest, lower(collision.ni(), collision.nr())) < 0) {
                // Section 2.8.2: ours holds the lowest nonce, so it is redundant and we delete
                // it; the peer, whose SA survives, deletes the old one.
                others.remove(collision.created());
                switchTo(collision.created());
                ours.jobs.add(new Job.DeleteIke("redundant"));
                retire(ours);
                return;
            }
            // Ours survives; the peer deletes its redundant one, and we the old SA.
        }
        switchTo(ours);
        // Section 2.18: the rekey's initiator deletes the old IKE SA.
        old.jobs.add(new Job.DeleteIke("rekeyed"));
    }

    private IkeSa keyedSa(IkeSa next, IkeKeys keys, DhGroup group) {
        next.keyed(keys, group);
        next.lastHeard = now;
        next.softAt = softAt(config.ikeLifetime().toNanos());
        next.hardAt = hardAt(config.ikeLifetime().toNanos());
        return next;
    }

    /** Makes {@code next} current; the old current SA stays among the others until deleted. */
    private void switchTo(IkeSa next) {
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

    // ---------------------------------------------------------------- INFORMATIONAL

    private void informational(IkeSa s, IkeHeader h, List<Payload> p) {
        List<DeletePayload> deletes = all(p, DeletePayload.class);
        if (deletes.stream().anyMatch(d -> d.protocolId() == ProtocolId.IKE)) {
            // Section 1.4.1: acknowledged with an empty INFORMATIONAL.
            respond(s, h, List.of());
            ikeDeleted(s, "deleted by peer");
            return;
        }
        if (notifyOf(p, NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            counters.add(IkeCounter.AUTH_FAILURES);
            respond(s, h, List.of());
            close("peer refused our authentication");
            return;
        }
        List<Integer> ours = new ArrayList<>();
        for (DeletePayload d : deletes) {
            if (d.protocolId() != ProtocolId.ESP || d.spiSize() != ProtocolId.CHILD_SPI_SIZE) {
                continue;
            }
            for (int spi : d.childSpis()) {
                Optional<ChildState> c = children.stream().filter(x -> x.sa.outboundSpi() == spi).findFirst();
                if (c.isEmpty()) {
                    if (childRekeyOutstanding()) {
                        deletedBeforeAnswer.add(spi);
                    }
                    continue;
                }
                // If our own Delete of it crossed this one, it is simply gone (section 1.4.1).
                if (c.get().status != ChildState.Status.DELETING) {
                    ours.add(c.get().sa.inboundSpi());
                }
                removeChild(c.get());
            }
        }
        respond(s, h, ours.isEmpty() ? List.of()
                : List.of(DeletePayload.esp(ours.stream().mapToInt(Integer::intValue).toArray())));
    }

    private void ikeDeleted(IkeSa s, String reason) {
        if (others.contains(s)) {
            dropRetired(s);
        } else if (ikeCollision != null && s == sa) {
            // Section 2.8.2: the peer finished the rekey we answered and deleted the old SA
            // before our own rekey was answered; theirs is the one that happened.
            IkeCollision c = ikeCollision;
            ikeCollision = null;
            if (s.pending != null && s.pending.request instanceof Request.RekeyIke r) {
                r.ke().destroy();
            }
            s.pending = null;
            others.remove(c.created());
            switchTo(c.created());
            dropRetired(s);
        } else {
            close(reason);
        }
    }

    // ---------------------------------------------------------------- timers and jobs

    private void retransmit(IkeSa s) {
        if (s == null || s.pending == null || !s.pending.due(now) || phase == Phase.CLOSED) {
            return;
        }
        Retransmission r = s.pending;
        if (!r.exhausted()) {
            r.resent(now);
            counters.add(IkeCounter.RETRANSMISSIONS);
            out.add(new Effect.Send(r.message));
            return;
        }
        if (s != sa) {
            // An old or redundant IKE SA the peer no longer answers on: the current SA has
            // its own liveness check, so only this one is given up.
            dropRetired(s);
            return;
        }
        s.pending = null;
        switch (r.request) {
            case Request.Liveness l -> close("dead peer");
            case Request.DeleteIke d -> ikeDeleted(s, d.reason());
            default -> close("peer not responding");
        }
    }

    private void lifetimes() {
        if (now - sa.hardAt >= 0) {
            // A last Delete, unanswered, so the peer need not wait for liveness to notice.
            sendOneShot(sa, ExchangeType.INFORMATIONAL, List.of(DeletePayload.ike()));
            close("IKE SA lifetime expired");
            return;
        }
        if (now - sa.softAt >= 0 && !sa.rekeyQueued) {
            sa.rekeyQueued = true;
            sa.jobs.add(new Job.RekeyIke());
        }
        for (ChildState c : List.copyOf(children)) {
            if (now - c.hardAt >= 0) {
                // Past its hard lifetime the SA must not carry traffic: removed now, then deleted.
                removeChild(c);
                children.add(c);
                sa.jobs.add(new Job.DeleteChild(c));
                c.hardAt = Long.MAX_VALUE;
            } else if (now - c.softAt >= 0 && c.status == ChildState.Status.ACTIVE && !c.rekeyQueued) {
                c.rekeyQueued = true;
                sa.jobs.add(new Job.RekeyChild(c));
            }
        }
    }

    /**
     * Puts an IKE SA among the others. One waiting for the peer's Delete is dropped after
     * twice the retransmission time even if none comes: the peer may have given up on its
     * Delete, and an SA nobody uses must not linger.
     */
    private void retire(IkeSa s) {
        s.retireBy = now + 2 * giveUpNanos();
        others.add(s);
    }

    /**
     * Forgets a non-current IKE SA. Work it still carried for a CHILD SA moves to the current
     * SA: a Delete is asked for again there, a rekey is left for the lifetimes to restart.
     */
    private void dropRetired(IkeSa s) {
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

    private void expireRetired() {
        for (IkeSa o : List.copyOf(others)) {
            if (now - o.retireBy >= 0 && o.pending == null && o.jobs.isEmpty()) {
                dropRetired(o);
            }
        }
    }

    private void pumpAll() {
        if (phase == Phase.ESTABLISHED) {
            pump(sa);
            for (IkeSa o : List.copyOf(others)) {
                pump(o);
            }
        }
    }

    /** Starts queued jobs while the window is free. */
    private void pump(IkeSa s) {
        while (s != null && phase == Phase.ESTABLISHED && s.pending == null && !s.jobs.isEmpty()) {
            Job j = s.jobs.poll();
            switch (j) {
                case Job.Liveness l -> {
                    counters.add(IkeCounter.LIVENESS_CHECKS);
                    sendRequest(s, ExchangeType.INFORMATIONAL, List.of(), new Request.Liveness());
                }
                case Job.DeleteIke d -> sendRequest(s, ExchangeType.INFORMATIONAL, List.of(DeletePayload.ike()),
                        new Request.DeleteIke(d.reason()));
                case Job.DeleteChild d -> {
                    if (children.contains(d.child())) {
                        d.child().status = ChildState.Status.DELETING;
                        sendRequest(s, ExchangeType.INFORMATIONAL, List.of(DeletePayload.esp(d.child().sa.inboundSpi())),
                                new Request.DeleteChild(d.child()));
                    }
                }
                case Job.RekeyChild r -> startChildRekey(s, r.child());
                case Job.RekeyIke r -> startIkeRekey(s);
            }
        }
    }

    private void startChildRekey(IkeSa s, ChildState old) {
        if (s != sa || !children.contains(old) || old.status != ChildState.Status.ACTIVE) {
            old.rekeyQueued = false;
            return;
        }
        old.status = ChildState.Status.REKEYING;
        old.collision = null;
        int spi = newChildSpi();
        byte[] nonceI = nonce();
        KeyExchange pfs = config.childPfs().map(g -> KeyExchange.generate(g, random)).orElse(null);
        List<Payload> p = new ArrayList<>();
        p.add(NotifyPayload.aboutChild(ProtocolId.ESP, old.sa.inboundSpi(), NotifyType.REKEY_SA));
        p.add(EspProposals.offer(spi, config.offerEsn(), pfs == null ? null : pfs.group()));
        p.add(new NoncePayload(Octets.of(nonceI)));
        if (pfs != null) {
            p.add(new KePayload(pfs.group().transformId(), Octets.of(pfs.publicValue())));
        }
        p.add(new TrafficSelectorPayload(Side.INITIATOR, old.sa.localSelectors()));
        p.add(new TrafficSelectorPayload(Side.RESPONDER, old.sa.remoteSelectors()));
        sendRequest(s, ExchangeType.CREATE_CHILD_SA, p, new Request.RekeyChild(old, spi, nonceI, pfs));
    }

    private void startIkeRekey(IkeSa s) {
        if (s != sa) {
            return;
        }
        long spi = newIkeSpi();
        byte[] nonceI = nonce();
        KeyExchange k = KeyExchange.generate(sa.group, random);
        List<DhGroup> groups = new ArrayList<>(List.of(sa.group));
        config.groups().stream().filter(g -> g != sa.group).forEach(groups::add);
        List<Payload> p = List.of(IkeProposals.offer(List.of(sa.keys.suite()), groups, Octets.of(be64(spi))),
                new NoncePayload(Octets.of(nonceI)), new KePayload(k.group().transformId(), Octets.of(k.publicValue())));
        sendRequest(s, ExchangeType.CREATE_CHILD_SA, p, new Request.RekeyIke(spi, nonceI, k));
    }

    // ---------------------------------------------------------------- sending

    private void sendRequest(IkeSa s, int exchange, List<Payload> payloads, Request request) {
        long id = s.nextRequestId++;
        byte[] bytes = SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, exchange, s.requestFlags(), id), payloads);
        transmit(s, request, bytes, id);
    }

    /** A request nobody waits for the answer to (an AUTHENTICATION_FAILED report). */
    private void sendOneShot(IkeSa s, int exchange, List<Payload> payloads) {
        long id = s.nextRequestId++;
        out.add(new Effect.Send(SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, exchange, s.requestFlags(), id),
                payloads)));
    }

    private void transmit(IkeSa s, Request request, byte[] bytes, long id) {
        s.pending = new Retransmission(request, bytes, id, now, baseNanos, capNanos, config.retransmitTries());
        counters.add(IkeCounter.REQUESTS_SENT);
        out.add(new Effect.Send(bytes));
    }

    private void respond(IkeSa s, IkeHeader h, List<Payload> payloads) {
        byte[] bytes = SkCodec.seal(s.sk, IkeHeader.of(s.spiI, s.spiR, h.exchangeType(), s.responseFlags(),
                h.messageId()), payloads);
        s.lastResponse = bytes;
        s.lastResponseExchange = h.exchangeType();
        s.peerNextRequestId = h.messageId() + 1;
        out.add(new Effect.Send(bytes));
    }

    /** An unprotected IKE_SA_INIT answer about the request {@code h}; we keep no state. */
    private void sendPlain(IkeHeader h, NotifyPayload n) {
        out.add(new Effect.Send(IkeMessage.of(IkeHeader.of(h.initiatorSpi(), 0, h.exchangeType(),
                IkeHeader.FLAG_RESPONSE, h.messageId()), n).encode()));
    }

    private void close(String reason) {
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
        if (ke != null) {
            ke.destroy();
        }
        out.add(new Effect.Closed(reason));
    }

    private void begin(long now) {
        this.now = now;
        out = new ArrayList<>();
    }

    private List<Effect> done() {
        List<Effect> result = List.copyOf(out);
        out = new ArrayList<>();
        return result;
    }

    // ---------------------------------------------------------------- small things

    private long giveUpNanos() {
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
    private long hardAt(long lifetimeNanos) {
        return now + lifetimeNanos + lifetimeNanos / 10;
    }

    /** The soft lifetime: the configured one, less up to the jitter fraction, at random. */
    private long softAt(long lifetimeNanos) {
        return now + (long) (lifetimeNanos * (1 - config.jitter() * random.nextDouble()));
    }

    private byte[] nonce() {
        byte[] n = new byte[NONCE_LENGTH];
        random.nextBytes(n);
        return n;
    }

    private long newIkeSpi() {
        long spi;
        do {
            spi = random.nextLong();
        } while (spi == 0);
        return spi;
    }

    /** A random SPI outside the reserved 0..255 (RFC 4303 section 2.1), unused by our SAs. */
    private int newChildSpi() {
        while (true) {
            int spi = random.nextInt();
            if (Integer.toUnsignedLong(spi) >= SaKeys.FIRST_USABLE_SPI
                    && children.stream().noneMatch(c -> c.sa.inboundSpi() == spi)) {
                return spi;
            }
        }
    }
}
