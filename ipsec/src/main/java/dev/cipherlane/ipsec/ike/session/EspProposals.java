package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.message.Proposal;
import dev.cipherlane.ipsec.ike.message.ProtocolId;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Transform;
import dev.cipherlane.ipsec.ike.message.TransformId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The ESP proposal of a CHILD SA (RFC 7296 section 3.3, DESIGN: AES-GCM-16-256 only): ENCR 20
 * with a 256-bit key (RFC 4106), no integrity transform, ESN only when both ends want it
 * (offering both ESN values lets the responder choose, section 3.3.2), and a KE transform
 * when a rekey brings a fresh Diffie-Hellman exchange (section 1.3.1).
 */
final class EspProposals {
    static final int KEY_BITS = 256;

    private EspProposals() {}

    /** @param group the proposal's KE group, or null */
    record Choice(int number, boolean esn, DhGroup group) {
        SaPayload answer(int spi) {
            return SaPayload.of(proposal(number, spi, List.of(esn), group));
        }
    }

    static SaPayload offer(int spi, boolean wantEsn, DhGroup pfs) {
        return SaPayload.of(proposal(1, spi, wantEsn ? List.of(true, false) : List.of(false), pfs));
    }

    private static Proposal proposal(int number, int spi, List<Boolean> esn, DhGroup group) {
        List<Transform> t = new ArrayList<>();
        t.add(Transform.of(Transform.ENCR, TransformId.ENCR_AES_GCM_16, KEY_BITS));
        if (group != null) {
            t.add(Transform.of(Transform.KE, group.transformId()));
        }
        for (boolean e : esn) {
            t.add(Transform.of(Transform.ESN, e ? TransformId.ESN : TransformId.NO_ESN));
        }
        return Proposal.esp(number, spi, t.toArray(Transform[]::new));
    }

    /**
     * The first acceptable ESP proposal. A KE transform is accepted when its group is one of
     * {@code groups}; a proposal without one means no PFS, which we accept as well. With
     * {@code groups} null KE transforms are ignored, as in IKE_AUTH, whose first CHILD SA takes
     * its keys from IKE_SA_INIT's exchange (section 1.2).
     */
    static Optional<Choice> select(SaPayload offer, boolean wantEsn, List<DhGroup> groups) {
        return select(offer, wantEsn, groups, -1);
    }

    /**
     * As above, preferring the group {@code keGroup} of the request's KE payload when the
     * proposal has it and we accept it, so that no INVALID_KE_PAYLOAD round trip is needed
     * (section 1.3.1), as in IKE_SA_INIT.
     */
    static Optional<Choice> select(SaPayload offer, boolean wantEsn, List<DhGroup> groups, int keGroup) {
        for (Proposal p : offer.proposals()) {
            if (p.protocolId() != ProtocolId.ESP || p.spi().length() != ProtocolId.CHILD_SPI_SIZE) {
                continue;
            }
            Optional<Choice> c = accept(p, wantEsn, groups, keGroup);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    private static Optional<Choice> accept(Proposal p, boolean wantEsn, List<DhGroup> groups, int keGroup) {
        if (p.transforms().stream().anyMatch(t -> t.type() < Transform.ENCR || t.type() > Transform.ESN
                || t.type() == Transform.PRF)) {
            return Optional.empty();
        }
        boolean gcm = p.transforms(Transform.ENCR).stream().anyMatch(t -> t.id() == TransformId.ENCR_AES_GCM_16
                && !t.hasUnknownAttributes() && t.keyLength().orElse(0) == KEY_BITS);
        // RFC 4106 section 8: no integrity transform beside GCM, or only NONE (id 0).
        boolean integOk = p.transforms(Transform.INTEG).stream().allMatch(t -> t.id() == 0);
        List<Transform> esns = p.transforms(Transform.ESN);
        boolean offersEsn = esns.stream().anyMatch(t -> t.id() == TransformId.ESN);
        boolean offersNoEsn = esns.isEmpty() || esns.stream().anyMatch(t -> t.id() == TransformId.NO_ESN);
        Boolean esn = wantEsn && offersEsn ? Boolean.TRUE : offersNoEsn ? Boolean.FALSE : null;
        List<Transform> kes = groups == null ? List.of() : p.transforms(Transform.KE);
        DhGroup group = null;
        if (!kes.isEmpty()) {
            List<DhGroup> order = new ArrayList<>(groups);
            order.sort(Comparator.comparing(g -> g.transformId() != keGroup));
            for (DhGroup g : order) {
                if (kes.stream().anyMatch(t -> t.id() == g.transformId())) {
                    group = g;
                    break;
                }
            }
            if (group == null && kes.stream().noneMatch(t -> t.id() == 0)) {
                return Optional.empty();
            }
        }
        if (!gcm || !integOk || esn == null) {
            return Optional.empty();
        }
        return Optional.of(new Choice(p.number(), esn, group));
    }

    /** The SPI of a single-proposal ESP answer. */
    static int spi(SaPayload answer) {
        var s = answer.proposals().getFirst().spi();
        return (s.get(0) & 0xFF) << 24 | (s.get(1) & 0xFF) << 16 | (s.get(2) & 0xFF) << 8 | s.get(3) & 0xFF;
    }
}
