package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.firstError;
import static dev.cipherlane.ipsec.ike.session.Payloads.selectors;
import static dev.cipherlane.ipsec.ike.session.Payloads.u16;

import dev.cipherlane.ipsec.ike.keys.Agreement;
import dev.cipherlane.ipsec.ike.keys.ChildSaKeys;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeRole;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.keys.SharedSecret;
import dev.cipherlane.ipsec.ike.message.KePayload;
import dev.cipherlane.ipsec.ike.message.NoncePayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import dev.cipherlane.ipsec.keys.SaKeys;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Negotiating one CHILD SA pair, both halves, in IKE_AUTH (RFC 7296 section 1.2) and in a
 * CREATE_CHILD_SA rekey (section 1.3.3): the ESP proposal, the traffic selectors, the optional
 * fresh Diffie-Hellman exchange and KEYMAT (section 2.17). "Initiator" is the exchange's,
 * which after IKE_AUTH may be either end of the IKE SA.
 */
final class ChildNegotiation {
    private ChildNegotiation() {}

    /**
     * What we want of a CHILD SA.
     *
     * @param groups acceptable PFS groups; null in IKE_AUTH, whose KE transforms are ignored
     * @param local  our selectors, which the peer's TSr (as responder) must cover
     */
    record Terms(boolean esn, List<DhGroup> groups, List<TrafficSelector> local, List<TrafficSelector> remote) {}

    /** The responder's outcome. */
    sealed interface Answer {
        /** {@code payloads} are SA, [Nr, KEr,] TSi, TSr of the response. */
        record Accepted(ChildSa sa, List<Payload> payloads) implements Answer {}

        /** {@code counted} is the counter to bump, or null. */
        record Refused(NotifyPayload error, IkeCounter counted) implements Answer {}
    }

    /**
     * Answers a request's SA, TSi, TSr [and KEi]; in a rekey the answer carries our nonce.
     *
     * @param nonceI the exchange's Ni (IKE_SA_INIT's in IKE_AUTH), null if the request had none
     * @param nonceR ours, sent in the answer only when {@code rekey}
     * @param spi    our inbound SPI for the new SA
     */
    static Answer answer(List<Payload> request, Terms terms, boolean rekey, IkeKeys keys, byte[] nonceI,
            byte[] nonceR, int spi, SecureRandom random) {
        Optional<SaPayload> offer = first(request, SaPayload.class);
        Optional<TrafficSelectorPayload> tsi = selectors(request, Side.INITIATOR);
        Optional<TrafficSelectorPayload> tsr = selectors(request, Side.RESPONDER);
        if (offer.isEmpty() || tsi.isEmpty() || tsr.isEmpty() || nonceI == null) {
            return new Answer.Refused(NotifyPayload.of(NotifyType.INVALID_SYNTAX), IkeCounter.INVALID_SYNTAX);
        }
        int keGroup = first(request, KePayload.class).map(KePayload::group).orElse(-1);
        Optional<EspProposals.Choice> found = EspProposals.select(offer.get(), terms.esn(), terms.groups(), keGroup);
        if (found.isEmpty()) {
            return new Answer.Refused(NotifyPayload.of(NotifyType.NO_PROPOSAL_CHOSEN), IkeCounter.NO_PROPOSAL_CHOSEN);
        }
        EspProposals.Choice choice = found.get();
        // TSi is the exchange initiator's side, the peer's; TSr ours (section 2.9).
        if (!Selectors.covers(tsi.get().selectors(), terms.remote())
                || !Selectors.covers(tsr.get().selectors(), terms.local())) {
            return new Answer.Refused(NotifyPayload.of(NotifyType.TS_UNACCEPTABLE), null);
        }
        SharedSecret gir = null;
        KePayload ker = null;
        if (choice.group() != null) {
            Optional<KePayload> kei = first(request, KePayload.class);
            if (kei.isEmpty() || kei.get().group() != choice.group().transformId()) {
                // Section 1.3.1: the KE must be in the group chosen; say which.
                return new Answer.Refused(NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD,
                        u16(choice.group().transformId())), null);
            }
            KeyExchange ours = KeyExchange.generate(choice.group(), random);
            try {
                if (!(ours.agree(kei.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
                    return new Answer.Refused(NotifyPayload.of(NotifyType.INVALID_SYNTAX), IkeCounter.INVALID_SYNTAX);
                }
                gir = agreed.secret();
                ker = new KePayload(choice.group().transformId(), Octets.of(ours.publicValue()));
            } finally {
                ours.destroy();
            }
        }
        int peerSpi = EspProposals.spi(SaPayload.of(offer.get().proposals().stream()
                .filter(x -> x.number() == choice.number()).findFirst().orElseThrow()));
        ChildSaKeys material = derive(keys, gir, nonceI, nonceR);
        ChildSa sa = new ChildSa(new SaKeys(spi, material.inbound(IkeRole.RESPONDER)),
                new SaKeys(peerSpi, material.outbound(IkeRole.RESPONDER)), choice.esn(), terms.local(), terms.remote());
        List<Payload> payloads = new ArrayList<>();
        payloads.add(choice.answer(spi));
        if (rekey) {
            payloads.add(new NoncePayload(Octets.of(nonceR)));
            if (ker != null) {
                payloads.add(ker);
            }
        }
        payloads.add(new TrafficSelectorPayload(Side.INITIATOR, terms.remote()));
        payloads.add(new TrafficSelectorPayload(Side.RESPONDER, terms.local()));
        return new Answer.Accepted(sa, payloads);
    }

    /**
     * The initiator's half: the response's SA, TSi and TSr [and KEr] made into the new SA, or
     * empty if the peer refused or answered with something we did not offer.
     *
     * @param pfs our key pair if the request carried KEi, else null
     */
    static Optional<ChildSa> complete(List<Payload> response, Terms terms, IkeKeys keys, KeyExchange pfs, int ourSpi,
            byte[] nonceI, byte[] nonceR) {
        Optional<SaPayload> answer = first(response, SaPayload.class).filter(a -> a.proposals().size() == 1);
        Optional<TrafficSelectorPayload> tsi = selectors(response, Side.INITIATOR);
        Optional<TrafficSelectorPayload> tsr = selectors(response, Side.RESPONDER);
        Optional<EspProposals.Choice> choice = answer.flatMap(a -> EspProposals.select(a, terms.esn(), terms.groups()));
        if (choice.isEmpty() || tsi.isEmpty() || tsr.isEmpty() || nonceR == null || firstError(response).isPresent()) {
            return Optional.empty();
        }
        // The responder may narrow our selectors, never widen them (section 2.9).
        if (!Selectors.covers(terms.local(), tsi.get().selectors())
                || !Selectors.covers(terms.remote(), tsr.get().selectors())) {
            return Optional.empty();
        }
        SharedSecret gir = null;
        if (pfs != null) {
            Optional<KePayload> ker = first(response, KePayload.class);
            if (choice.get().group() != pfs.group() || ker.isEmpty() || ker.get().group() != pfs.group().transformId()
                    || !(pfs.agree(ker.get().data().toByteArray()) instanceof Agreement.Agreed agreed)) {
                return Optional.empty();
            }
            gir = agreed.secret();
        } else if (choice.get().group() != null) {
            return Optional.empty();
        }
        ChildSaKeys material = derive(keys, gir, nonceI, nonceR);
        return Optional.of(new ChildSa(new SaKeys(ourSpi, material.inbound(IkeRole.INITIATOR)),
                new SaKeys(EspProposals.spi(answer.get()), material.outbound(IkeRole.INITIATOR)), choice.get().esn(),
                tsi.get().selectors(), tsr.get().selectors()));
    }

    /** KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) (section 2.17); g^ir is destroyed after. */
    private static ChildSaKeys derive(IkeKeys keys, SharedSecret gir, byte[] nonceI, byte[] nonceR) {
        if (gir == null) {
            return ChildSaKeys.derive(keys, nonceI, nonceR);
        }
        try {
            return ChildSaKeys.derive(keys, gir, nonceI, nonceR);
        } finally {
            gir.destroy();
        }
    }
}
