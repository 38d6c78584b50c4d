package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.be64;
import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.u16;
import static dev.cipherlane.ipsec.ike.session.Payloads.u64;
import dev.cipherlane.ipsec.ike.keys.Agreement;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeRole;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.message.ExchangeType;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.KePayload;
import dev.cipherlane.ipsec.ike.message.NoncePayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CREATE_CHILD_SA exchanges that rekey the IKE SA (RFC 7296 sections 1.3.2 and 2.18), both
 * halves, with new SPIs and keys from the old SA's SK_d; the CHILD SAs stay with the session
 * and so move by themselves. Simultaneous rekeys are settled by nonce (section 2.8.2).
 */
final class IkeRekey {
    private final SessionState state;
    /** The peer's IKE rekey we answered while ours was outstanding (section 2.8.2). */
    private IkeCollision ikeCollision;

    private record IkeCollision(IkeSa created, byte[] ni, byte[] nr) {}

    IkeRekey(SessionState state) {
        this.state = state;
    }

    /** The peer's CREATE_CHILD_SA whose SA payload proposes an IKE SA. */
    void request(IkeHeader h, List<Payload> p, SaPayload offer) {
        if (state.sa.pending != null && (state.sa.pending.request instanceof Request.RekeyChild
                || state.sa.pending.request instanceof Request.DeleteChild)) {
            // Section 2.25.2: not while we are rekeying or deleting a CHILD SA of this IKE SA.
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<KePayload> kei = first(p, KePayload.class);
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        if (kei.isEmpty() || nonce.isEmpty()) {
            state.counters.add(IkeCounter.INVALID_SYNTAX);
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            return;
        }
        Optional<IkeProposals.Choice> choice =
                IkeProposals.select(offer, state.config.ikeSuites(), state.config.groups(), 8);
        if (choice.isEmpty()) {
            state.counters.add(IkeCounter.NO_PROPOSAL_CHOSEN);
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.NO_PROPOSAL_CHOSEN)));
            return;
        }
        DhGroup group = Handshake.pickGroup(choice.get().groups(), kei.get().group());
        if (group.transformId() != kei.get().group()) {
            state.respond(state.sa, h,
                    List.of(NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, u16(group.transformId()))));
            return;
        }
        KeyExchange ours = KeyExchange.generate(group, state.random);
        if (!(ours.agree(kei.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            ours.destroy();
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.INVALID_SYNTAX)));
            return;
        }
        long peerSpi = u64(offer.proposals().stream().filter(x -> x.number() == choice.get().number())
                .findFirst().orElseThrow().spi());
        long ourSpi = state.newIkeSpi();
        byte[] nonceR = state.nonce();
        IkeKeys keys = state.sa.keys.rekey(choice.get().suite(), choice.get().prf(), agreed.secret(),
                nonce.get().data().toByteArray(), nonceR, be64(peerSpi), be64(ourSpi));
        agreed.secret().destroy();
        state.respond(state.sa, h, List.of(choice.get().answer(Octets.of(be64(ourSpi)), group),
                new NoncePayload(Octets.of(nonceR)),
                new KePayload(group.transformId(), Octets.of(ours.publicValue()))));
        ours.destroy();
        // The peer started the rekey, so it is the new SA's original initiator (section 2.18).
        IkeSa created = state.keyedSa(new IkeSa(IkeRole.RESPONDER, peerSpi, ourSpi), keys, group);
        if (state.sa.pending != null && state.sa.pending.request instanceof Request.RekeyIke) {
            // Both ends rekey at once: which new SA survives is settled when our answer comes.
            ikeCollision = new IkeCollision(created, nonce.get().data().toByteArray(), nonceR);
            state.retire(created);
            return;
        }
        state.switchTo(created);
    }

    /** The answer to our rekey of IKE SA {@code s}. */
    void response(IkeSa s, Request.RekeyIke r, List<Payload> p) {
        Optional<SaPayload> answer = first(p, SaPayload.class).filter(a -> a.proposals().size() == 1);
        Optional<KePayload> ker = first(p, KePayload.class);
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        Optional<IkeProposals.Choice> choice = answer.flatMap(a -> IkeProposals.select(a, state.config.ikeSuites(),
                List.of(r.ke().group()), 8));
        s.rekeyQueued = false;
        IkeCollision collision = ikeCollision;
        ikeCollision = null;
        if (choice.isEmpty() || ker.isEmpty() || nonce.isEmpty() || ker.get().group() != r.ke().group().transformId()
                || !(r.ke().agree(ker.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
            r.ke().destroy();
            state.counters.add(IkeCounter.REKEY_FAILURES);
            s.softAt = Math.max(s.softAt, state.now + state.capNanos);
            if (collision != null) {
                // The peer's rekey, which we answered, is the one that happened.
                state.others.remove(collision.created());
                state.switchTo(collision.created());
            }
            return;
        }
        long peerSpi = u64(answer.get().proposals().getFirst().spi());
        // Section 2.18: SKEYSEED from the SK_d of the SA the exchange ran on.
        IkeKeys keys = s.keys.rekey(choice.get().suite(), choice.get().prf(), agreed.secret(), r.ni(),
                nonce.get().data().toByteArray(), be64(r.newSpi()), be64(peerSpi));
        agreed.secret().destroy();
        r.ke().destroy();
        IkeSa ours = state.keyedSa(new IkeSa(IkeRole.INITIATOR, r.newSpi(), peerSpi), keys, r.ke().group());
        IkeSa old = s;
        if (collision != null) {
            state.counters.add(IkeCounter.REKEY_COLLISIONS);
            byte[] oursLowest = Nonces.lower(r.ni(), nonce.get().data().toByteArray());
            if (Nonces.compare(oursLowest, Nonces.lower(collision.ni(), collision.nr())) < 0) {
                // Section 2.8.2: ours holds the lowest nonce, so it is redundant and we delete
                // it; the peer, whose SA survives, deletes the old one.
                state.others.remove(collision.created());
                state.switchTo(collision.created());
                ours.jobs.add(new Job.DeleteIke("redundant"));
                state.retire(ours);
                return;
            }
            // Ours survives; the peer deletes its redundant one, and we the old SA.
        }
        state.switchTo(ours);
        // Section 2.18: the rekey's initiator deletes the old IKE SA.
        old.jobs.add(new Job.DeleteIke("rekeyed"));
    }

    /** Sends our CREATE_CHILD_SA replacing the current IKE SA. */
    void start(IkeSa s) {
        if (s != state.sa) {
            return;
        }
        long spi = state.newIkeSpi();
        byte[] nonceI = state.nonce();
        KeyExchange k = KeyExchange.generate(state.sa.group, state.random);
        List<DhGroup> groups = new ArrayList<>(List.of(state.sa.group));
        state.config.groups().stream().filter(g -> g != state.sa.group).forEach(groups::add);
        List<Payload> p = List.of(IkeProposals.offer(List.of(state.sa.keys.suite()), groups, Octets.of(be64(spi))),
                new NoncePayload(Octets.of(nonceI)),
                new KePayload(k.group().transformId(), Octets.of(k.publicValue())));
        state.sendRequest(s, ExchangeType.CREATE_CHILD_SA, p, new Request.RekeyIke(spi, nonceI, k));
    }

    /**
     * IKE SA {@code s} is gone, by a Delete either way: a retired one is forgotten, the current
     * one ends the session unless the peer's rekey, which we answered, replaces it.
     */
    void deleted(IkeSa s, String reason) {
        if (state.others.contains(s)) {
            state.dropRetired(s);
        } else if (ikeCollision != null && s == state.sa) {
            // Section 2.8.2: the peer finished the rekey we answered and deleted the old SA
            // before our own rekey was answered; theirs is the one that happened.
            IkeCollision c = ikeCollision;
            ikeCollision = null;
            if (s.pending != null && s.pending.request instanceof Request.RekeyIke r) {
                r.ke().destroy();
            }
            s.pending = null;
            state.others.remove(c.created());
            state.switchTo(c.created());
            state.dropRetired(s);
        } else {
            state.close(reason);
        }
    }
}
