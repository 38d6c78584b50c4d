package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.all;
import static dev.cipherlane.ipsec.ike.session.Payloads.be64;
import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.firstError;
import static dev.cipherlane.ipsec.ike.session.Payloads.notifyOf;
import static dev.cipherlane.ipsec.ike.session.Payloads.restOfId;
import static dev.cipherlane.ipsec.ike.session.Payloads.u16;
import dev.cipherlane.ipsec.ike.keys.Agreement;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeRole;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.keys.PskAuth;
import dev.cipherlane.ipsec.ike.keys.SharedSecret;
import dev.cipherlane.ipsec.ike.message.AuthPayload;
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
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import dev.cipherlane.ipsec.ike.session.IkeSession.Phase;

/**
 * The initial exchanges, IKE_SA_INIT and IKE_AUTH (RFC 7296 section 1.2), in both roles: the
 * proposals and Diffie-Hellman, the COOKIE and INVALID_KE_PAYLOAD retries (sections 2.6 and
 * 1.2), NAT detection (section 2.23), PSK authentication (section 2.15) and the first CHILD
 * SA. It keeps what AUTH signs, the IKE_SA_INIT messages and nonces, until the SA is up.
 */
final class Handshake {
    /** COOKIE and INVALID_KE_PAYLOAD retries of one IKE_SA_INIT, a bound against ping-pong. */
    static final int MAX_INIT_RETRIES = 4;

    private final SessionState state;
    private KeyExchange ke;
    private byte[] ni;
    private byte[] nr;
    /** RealMessage1 and RealMessage2 of section 2.15, as sent and received. */
    private byte[] initRequest;
    private byte[] initResponse;
    private Octets cookie;
    private int initRetries;
    /** When a responder waiting for IKE_AUTH gives up. */
    long halfOpenDeadline;

    Handshake(SessionState state) {
        this.state = state;
    }

    /** Initiates: a new IKE SA and its IKE_SA_INIT request. */
    void start() {
        state.sa = new IkeSa(IkeRole.INITIATOR, state.newIkeSpi(), 0);
        ni = state.nonce();
        ke = KeyExchange.generate(state.config.groups().getFirst(), state.random);
        sendInitRequest();
        state.phase = Phase.INIT_SENT;
    }

    /**
     * Both ends of a tunnel started at once, so each has an IKE_SA_INIT request of the other's
     * while waiting for the answer to its own; left alone, neither would ever answer. The end
     * whose nonce is the lower yields: it forgets its own attempt and answers the peer's, while
     * the other ignores the request it got. Both compare the same two nonces, so exactly one
     * yields (the rule of section 2.8.1, applied to the creation of the IKE SA).
     */
    private boolean yieldsTo(IkeMessage m) {
        IkeHeader h = m.header();
        Optional<NoncePayload> theirs = m.first(NoncePayload.class);
        return h.responderSpi() == 0 && h.messageId() == 0 && h.initiator() && theirs.isPresent()
                && Nonces.compare(ni, theirs.get().data().toByteArray()) < 0;
    }

    private void abandonInitiation() {
        state.counters.add(IkeCounter.INIT_COLLISIONS);
        ke.destroy();
        ke = null;
        ni = null;
        cookie = null;
        initRetries = 0;
        state.sa = null;
        state.phase = Phase.IDLE;
    }

    /** Drops the key pair if a closed session still holds it. */
    void forget() {
        if (ke != null) {
            ke.destroy();
        }
    }

    private void sendInitRequest() {
        List<Payload> p = new ArrayList<>();
        if (cookie != null) {
            // Section 2.6: the COOKIE goes first, the rest of the request repeated as it was.
            p.add(NotifyPayload.of(NotifyType.COOKIE, cookie));
        }
        p.add(IkeProposals.offer(state.config.ikeSuites(), state.config.groups(), Octets.EMPTY));
        p.add(new KePayload(ke.group().transformId(), Octets.of(ke.publicValue())));
        p.add(new NoncePayload(Octets.of(ni)));
        p.addAll(NatDetection.notifies(state.sa.spiI, 0, state.config.local(), state.config.peer()));
        IkeHeader header = IkeHeader.of(state.sa.spiI, 0, ExchangeType.IKE_SA_INIT, IkeHeader.FLAG_INITIATOR, 0);
        IkeMessage m = new IkeMessage(header, p);
        initRequest = m.encode();
        state.sa.nextRequestId = 1;
        state.transmit(state.sa, new Request.SaInit(), initRequest, 0);
    }

    /** The responder's side of IKE_SA_INIT (section 1.2); stateless until it accepts. */
    void initRequest(IkeMessage m, byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        IkeHeader h = m.header();
        if (state.phase == Phase.INIT_ANSWERED && h.initiatorSpi() == state.sa.spiI) {
            if (Arrays.equals(datagram, initRequest)) {
                state.counters.add(IkeCounter.DUPLICATE_REQUESTS);
                state.out.add(new Effect.Send(initResponse));
            } else {
                state.counters.add(IkeCounter.REPLAYS);
            }
            return;
        }
        if (state.phase == Phase.INIT_SENT && yieldsTo(m)) {
            abandonInitiation();
        }
        if (state.phase != Phase.IDLE || h.responderSpi() != 0 || h.messageId() != 0 || !h.initiator()) {
            state.counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        Optional<SaPayload> offer = m.first(SaPayload.class);
        Optional<KePayload> kei = m.first(KePayload.class);
        Optional<NoncePayload> nonce = m.first(NoncePayload.class);
        if (offer.isEmpty() || kei.isEmpty() || nonce.isEmpty()) {
            state.counters.add(IkeCounter.MALFORMED);
            state.sendPlain(h, NotifyPayload.of(NotifyType.INVALID_SYNTAX));
            return;
        }
        Octets peerNonce = nonce.get().data();
        if (state.cookies != null && state.cookies.underLoad()) {
            Optional<NotifyPayload> c = m.notify(NotifyType.COOKIE);
            if (c.isEmpty() || !state.cookies.valid(c.get().data(), peerNonce, source.getAddress(), h.initiatorSpi())) {
                state.counters.add(IkeCounter.COOKIES_SENT);
                state.sendPlain(h, NotifyPayload.of(NotifyType.COOKIE,
                        state.cookies.issue(peerNonce, source.getAddress(), h.initiatorSpi())));
                return;
            }
        }
        Optional<IkeProposals.Choice> choice =
                IkeProposals.select(offer.get(), state.config.ikeSuites(), state.config.groups(), 0);
        if (choice.isEmpty()) {
            state.counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            state.sendPlain(h, NotifyPayload.of(NotifyType.NO_PROPOSAL_CHOSEN));
            return;
        }
        DhGroup group = pickGroup(choice.get().groups(), kei.get().group());
        if (group.transformId() != kei.get().group()) {
            // Section 1.2: tell the initiator which group we want; it retries with it.
            state.counters.add(IkeCounter.INVALID_KE_SENT);
            state.sendPlain(h, NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, u16(group.transformId())));
            return;
        }
        KeyExchange ours = KeyExchange.generate(group, state.random);
        if (!(ours.agree(kei.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            ours.destroy();
            state.counters.add(IkeCounter.MALFORMED);
            state.sendPlain(h, NotifyPayload.of(NotifyType.INVALID_SYNTAX));
            return;
        }
        ni = peerNonce.toByteArray();
        nr = state.nonce();
        state.sa = new IkeSa(IkeRole.RESPONDER, h.initiatorSpi(), state.newIkeSpi());
        state.sa.keyed(deriveKeys(choice.get(), agreed.secret()), group);
        ours.destroy();
        reportNat(m, source, destination);
        List<Payload> p = new ArrayList<>();
        p.add(choice.get().answer(Octets.EMPTY, group));
        p.add(new KePayload(group.transformId(), Octets.of(ours.publicValue())));
        p.add(new NoncePayload(Octets.of(nr)));
        // Our view: we send from our address to where the request came from.
        p.addAll(NatDetection.notifies(state.sa.spiI, state.sa.spiR, destination, source));
        initRequest = datagram.clone();
        initResponse = new IkeMessage(IkeHeader.of(state.sa.spiI, state.sa.spiR, ExchangeType.IKE_SA_INIT,
                IkeHeader.FLAG_RESPONSE, 0), p).encode();
        state.sa.peerNextRequestId = 1;
        state.sa.lastResponse = initResponse;
        state.sa.lastResponseExchange = ExchangeType.IKE_SA_INIT;
        state.sa.lastHeard = state.now;
        state.out.add(new Effect.Send(initResponse));
        state.phase = Phase.INIT_ANSWERED;
        halfOpenDeadline = state.now + state.giveUpNanos();
    }

    /** The peer's KE group if we accept it in this proposal, else our preferred one there. */
    static DhGroup pickGroup(List<DhGroup> acceptable, int keGroup) {
        return acceptable.stream().filter(g -> g.transformId() == keGroup).findFirst().orElse(acceptable.getFirst());
    }

    private IkeKeys deriveKeys(IkeProposals.Choice c, SharedSecret gir) {
        try {
            return IkeKeys.derive(c.suite(), c.prf(), gir, ni, nr, be64(state.sa.spiI), be64(state.sa.spiR));
        } finally {
            gir.destroy();
        }
    }

    /** The initiator's side: retry on COOKIE or INVALID_KE_PAYLOAD, else key the SA and authenticate. */
    void initResponse(IkeMessage m, byte[] datagram, InetSocketAddress source, InetSocketAddress destination) {
        IkeHeader h = m.header();
        if (state.phase != Phase.INIT_SENT || h.initiatorSpi() != state.sa.spiI || h.messageId() != 0
                || h.initiator()) {
            boolean ours = state.sa != null && h.initiatorSpi() == state.sa.spiI;
            state.counters.add(ours ? IkeCounter.REPLAYS : IkeCounter.UNKNOWN_SPI);
            return;
        }
        Optional<NotifyPayload> c = m.notify(NotifyType.COOKIE);
        if (c.isPresent() && h.responderSpi() == 0) {
            if (initRetries++ >= MAX_INIT_RETRIES) {
                state.close("IKE_SA_INIT retried too often");
                return;
            }
            state.counters.add(IkeCounter.COOKIE_RETRIES);
            cookie = c.get().data();
            sendInitRequest();
            return;
        }
        Optional<NotifyPayload> invalidKe = m.notify(NotifyType.INVALID_KE_PAYLOAD);
        if (invalidKe.isPresent()) {
            Optional<DhGroup> wanted = invalidKe.get().data().length() == 2
                    ? DhGroup.byTransformId(u16(invalidKe.get().data())) : Optional.empty();
            // Section 1.2: retry in the group asked for, if we offered it; never the same one again.
            if (wanted.isEmpty() || !state.config.groups().contains(wanted.get()) || wanted.get() == ke.group()
                    || initRetries++ >= MAX_INIT_RETRIES) {
                state.counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
                state.close("no Diffie-Hellman group acceptable to both");
                return;
            }
            state.counters.add(IkeCounter.INVALID_KE_RETRIES);
            ke.destroy();
            ke = KeyExchange.generate(wanted.get(), state.random);
            sendInitRequest();
            return;
        }
        if (m.notify(NotifyType.NO_PROPOSAL_CHOSEN).isPresent()) {
            state.counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            state.close("peer chose no IKE proposal");
            return;
        }
        Optional<SaPayload> answer = m.first(SaPayload.class);
        Optional<KePayload> ker = m.first(KePayload.class);
        Optional<NoncePayload> nonce = m.first(NoncePayload.class);
        Optional<IkeProposals.Choice> choice = answer.filter(a -> a.proposals().size() == 1)
                .flatMap(a -> IkeProposals.select(a, state.config.ikeSuites(), List.of(ke.group()), 0));
        // An unauthenticated answer that makes no sense is dropped, not believed: the real
        // one may still come (section 2.4).
        if (h.responderSpi() == 0 || choice.isEmpty() || ker.isEmpty() || nonce.isEmpty()
                || ker.get().group() != ke.group().transformId()) {
            state.counters.add(IkeCounter.UNEXPECTED);
            return;
        }
        if (!(ke.agree(ker.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            state.counters.add(IkeCounter.MALFORMED);
            return;
        }
        state.sa.spiR = h.responderSpi();
        nr = nonce.get().data().toByteArray();
        state.sa.keyed(deriveKeys(choice.get(), agreed.secret()), ke.group());
        ke.destroy();
        state.sa.pending = null;
        state.sa.lastHeard = state.now;
        initResponse = datagram.clone();
        reportNat(m, source, destination);
        sendAuthRequest();
        state.phase = Phase.AUTH_SENT;
    }

    private void reportNat(IkeMessage m, InetSocketAddress source, InetSocketAddress destination) {
        Effect.NatStatus nat = NatDetection.check(m.all(NotifyPayload.class), m.header().initiatorSpi(),
                m.header().responderSpi(), source, destination);
        if (nat != null) {
            state.out.add(nat);
        }
    }

    private void sendAuthRequest() {
        int childSpi = state.newChildSpi();
        IdPayload idi = state.config.localId().payload(Side.INITIATOR);
        byte[] octets = PskAuth.initiatorSignedOctets(state.sa.keys, initRequest, nr, restOfId(idi));
        List<Payload> p = new ArrayList<>();
        p.add(idi);
        state.config.remoteId().ifPresent(id -> p.add(id.payload(Side.RESPONDER)));
        p.add(new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.of(state.pskAuth.authData(octets))));
        if (state.config.initialContact()) {
            // Section 2.4: we hold no other IKE SA with this peer, so it may drop any it has.
            p.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        }
        p.add(EspProposals.offer(childSpi, state.config.offerEsn(), null));
        p.add(new TrafficSelectorPayload(Side.INITIATOR, state.config.localSelectors()));
        p.add(new TrafficSelectorPayload(Side.RESPONDER, state.config.remoteSelectors()));
        state.sendRequest(state.sa, ExchangeType.IKE_AUTH, p, new Request.Auth(childSpi));
    }

    /** Section 2.15: AUTH is over the IKE_SA_INIT message as sent, the peer's nonce and our ID. */
    void authRequest(IkeHeader h, List<Payload> p) {
        Optional<IdPayload> idi = first(p, IdPayload.class).filter(i -> i.side() == Side.INITIATOR);
        Optional<AuthPayload> auth = first(p, AuthPayload.class);
        if (idi.isEmpty() || auth.isEmpty()) {
            state.counters.add(IkeCounter.INVALID_SYNTAX);
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            state.close("IKE_AUTH request without IDi or AUTH");
            return;
        }
        byte[] octets = PskAuth.initiatorSignedOctets(state.sa.keys, initRequest, nr, restOfId(idi.get()));
        boolean idOk = state.config.remoteId().map(id -> id.equals(Identity.of(idi.get()))).orElse(true);
        if (!idOk || auth.get().method() != AuthPayload.SHARED_KEY_MIC
                || !state.pskAuth.verify(octets, auth.get().data().toByteArray())) {
            // Section 2.21.2: the response says so, and the IKE SA is no more.
            state.counters.add(IkeCounter.AUTH_FAILURES);
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.AUTHENTICATION_FAILED)));
            state.close("authentication failed");
            return;
        }
        IdPayload idr = state.config.localId().payload(Side.RESPONDER);
        byte[] ours = PskAuth.responderSignedOctets(state.sa.keys, initResponse, ni, restOfId(idr));
        List<Payload> answer = new ArrayList<>();
        answer.add(idr);
        answer.add(new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.of(state.pskAuth.authData(ours))));
        ChildState child = state.acceptChild(p, answer, null, ni, nr);
        state.respond(state.sa, h, answer);
        state.becomeEstablished();
        if (notifyOf(p, NotifyType.INITIAL_CONTACT).isPresent()) {
            state.out.add(new Effect.PeerInitialContact());
        }
        if (child != null) {
            state.install(child);
        }
    }

    void authResponse(Request.Auth a, List<Payload> p) {
        if (notifyOf(p, NotifyType.AUTHENTICATION_FAILED).isPresent()) {
            state.counters.add(IkeCounter.AUTH_FAILURES);
            state.close("peer refused our authentication");
            return;
        }
        Optional<IdPayload> idr = first(p, IdPayload.class).filter(i -> i.side() == Side.RESPONDER);
        Optional<AuthPayload> auth = first(p, AuthPayload.class);
        if (idr.isEmpty() || auth.isEmpty()) {
            state.counters.add(IkeCounter.INVALID_SYNTAX);
            state.close("IKE_AUTH refused: "
                    + firstError(p).map(n -> NotifyType.name(n.notifyType())).orElse("no AUTH"));
            return;
        }
        byte[] octets = PskAuth.responderSignedOctets(state.sa.keys, initResponse, ni, restOfId(idr.get()));
        boolean idOk = state.config.remoteId().map(id -> id.equals(Identity.of(idr.get()))).orElse(true);
        if (!idOk || auth.get().method() != AuthPayload.SHARED_KEY_MIC
                || !state.pskAuth.verify(octets, auth.get().data().toByteArray())) {
            state.counters.add(IkeCounter.AUTH_FAILURES);
            // Section 2.21.2: tell the peer in a separate INFORMATIONAL; no answer awaited.
            state.sendOneShot(state.sa, ExchangeType.INFORMATIONAL,
                    List.of(NotifyPayload.of(NotifyType.AUTHENTICATION_FAILED)));
            state.close("peer failed authentication");
            return;
        }
        state.becomeEstablished();
        ChildState child = state.childFromAnswer(state.sa, p, a.childSpi(), null, ni, nr, null);
        if (child == null) {
            // A tunnel without its CHILD SA carries nothing: end the IKE SA too.
            state.counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            state.sa.jobs.add(new Job.DeleteIke("CHILD SA refused: "
                    + firstError(p).map(n -> NotifyType.name(n.notifyType())).orElse("unacceptable answer")));
            return;
        }
        state.install(child);
    }
}
