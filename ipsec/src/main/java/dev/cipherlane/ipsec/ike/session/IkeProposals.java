package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import dev.cipherlane.ipsec.ike.keys.Prf;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Proposal;
import dev.cipherlane.ipsec.ike.message.ProtocolId;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Transform;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The IKE SA proposals we make and accept (RFC 7296 sections 3.3 and 2.7): one proposal per
 * configured suite, each with PRF_HMAC_SHA2_256 and every configured group. A proposal is
 * acceptable when it has one transform of each needed type that we run, no ESN transform and
 * no attribute we do not know (section 3.3.6); the first acceptable proposal in the peer's
 * order wins, and within it our preferred group.
 */
final class IkeProposals {
    private IkeProposals() {}

    /** A chosen IKE proposal; {@code groups} are those of the proposal we accept, ours first. */
    record Choice(int number, IkeSuite suite, Prf prf, List<DhGroup> groups) {
        /** The single-proposal SA payload of a response, with the group the KE payloads use. */
        SaPayload answer(Octets spi, DhGroup group) {
            return SaPayload.of(proposal(number, spi, suite, List.of(group)));
        }
    }

    /** IKE_SA_INIT offers carry no SPI (the header has it); an IKE rekey's carry the new one. */
    static SaPayload offer(List<IkeSuite> suites, List<DhGroup> groups, Octets spi) {
        List<Proposal> proposals = new ArrayList<>();
        for (IkeSuite s : suites) {
            proposals.add(proposal(proposals.size() + 1, spi, s, groups));
        }
        return new SaPayload(proposals);
    }

    private static Proposal proposal(int number, Octets spi, IkeSuite suite, List<DhGroup> groups) {
        List<Transform> t = new ArrayList<>();
        t.add(Transform.of(Transform.ENCR, suite.encryptionId(), suite.keyBits()));
        t.add(Transform.of(Transform.PRF, Prf.HMAC_SHA2_256.transformId()));
        if (!suite.isAead()) {
            t.add(Transform.of(Transform.INTEG, suite.integrityId()));
        }
        for (DhGroup g : groups) {
            t.add(Transform.of(Transform.KE, g.transformId()));
        }
        return new Proposal(number, ProtocolId.IKE, spi, t);
    }

    /**
     * The first of the peer's proposals we accept. {@code spiSize} is 0 in IKE_SA_INIT and 8 in
     * a rekey (section 3.3.1).
     */
    static Optional<Choice> select(SaPayload offer, List<IkeSuite> suites, List<DhGroup> groups, int spiSize) {
        for (Proposal p : offer.proposals()) {
            if (p.protocolId() != ProtocolId.IKE || p.spi().length() != spiSize) {
                continue;
            }
            Optional<Choice> c = accept(p, suites, groups);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    private static Optional<Choice> accept(Proposal p, List<IkeSuite> suites, List<DhGroup> ourGroups) {
        if (p.transforms().stream().anyMatch(t -> t.type() < Transform.ENCR || t.type() > Transform.KE)) {
            return Optional.empty(); // ESN or an unknown type: not an IKE suite we run
        }
        Prf prf = null;
        for (Transform t : p.transforms(Transform.PRF)) {
            if (!t.hasUnknownAttributes() && Prf.byTransformId(t.id()).isPresent()) {
                prf = Prf.byTransformId(t.id()).get();
                break;
            }
        }
        List<Integer> integs = p.transforms(Transform.INTEG).stream().filter(t -> !t.hasUnknownAttributes())
                .map(Transform::id).toList();
        if (integs.isEmpty()) {
            integs = List.of(IkeSuite.INTEG_NONE);
        }
        IkeSuite suite = null;
        for (Transform e : p.transforms(Transform.ENCR)) {
            if (e.hasUnknownAttributes() || e.keyLength().isEmpty()) {
                continue;
            }
            for (int integ : integs) {
                Optional<IkeSuite> s = IkeSuite.find(e.id(), e.keyLength().getAsInt(), integ);
                if (s.isPresent() && suites.contains(s.get())) {
                    suite = s.get();
                    break;
                }
            }
            if (suite != null) {
                break;
            }
        }
        List<DhGroup> groups = new ArrayList<>();
        for (DhGroup g : ourGroups) {
            if (p.transforms(Transform.KE).stream()
                    .anyMatch(t -> t.id() == g.transformId() && !t.hasUnknownAttributes())) {
                groups.add(g);
            }
        }
        if (prf == null || suite == null || groups.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Choice(p.number(), suite, prf, groups));
    }
}
