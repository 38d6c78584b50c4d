package dev.cipherlane.ipsec.ike.session;

import static dev.cipherlane.ipsec.ike.session.Payloads.first;
import static dev.cipherlane.ipsec.ike.session.Payloads.notifyOf;
import static dev.cipherlane.ipsec.ike.session.Payloads.u32;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.message.ExchangeType;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.KePayload;
import dev.cipherlane.ipsec.ike.message.NoncePayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.ProtocolId;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * CREATE_CHILD_SA exchanges that rekey a CHILD SA (RFC 7296 section 1.3.3), both halves:
 * make-before-break (the new pair is installed before the old one is deleted) and the
 * collision of two simultaneous rekeys of one SA, settled by nonce (section 2.8.1).
 */
final class ChildRekey {
    private final SessionState state;
    /**
     * Outbound SPIs the peer deleted before our rekey that made them was answered: the answer
     * was lost and retransmitted, and the peer, which had already installed the SA, deleted it
     * meanwhile. Such a pair is never installed here.
     */
    private final Set<Integer> deletedBeforeAnswer = new HashSet<>();

    ChildRekey(SessionState state) {
        this.state = state;
    }

    /** The peer deleted an SA we do not know (yet): remembered while a rekey of ours is out. */
    void unknownDeleted(int outboundSpi) {
        if (childRekeyOutstanding()) {
            deletedBeforeAnswer.add(outboundSpi);
        }
    }

    /** A CREATE_CHILD_SA request that is not an IKE rekey. */
    void request(IkeHeader h, List<Payload> p) {
        if (state.sa.pending != null && state.sa.pending.request instanceof Request.RekeyIke) {
            // Section 2.25.2: no CHILD SA work on an IKE SA we are replacing; a CHILD SA made
            // now could be orphaned when the old IKE SA is deleted.
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<NotifyPayload> rekeySa = notifyOf(p, NotifyType.REKEY_SA).filter(n -> n.spi().length() == 4);
        if (rekeySa.isEmpty()) {
            // Cipherlane keeps one CHILD SA per tunnel; new ones are not taken (section 1.3.1).
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.NO_ADDITIONAL_SAS)));
            return;
        }
        // Section 1.3.3: the SPI is the one the requester receives on, our outbound SPI.
        int spi = u32(rekeySa.get().spi());
        Optional<ChildState> old = state.children.stream().filter(c -> c.sa.outboundSpi() == spi).findFirst();
        if (old.isEmpty()) {
            state.respond(state.sa, h,
                    List.of(NotifyPayload.aboutChild(ProtocolId.ESP, spi, NotifyType.CHILD_SA_NOT_FOUND)));
            return;
        }
        ChildState o = old.get();
        if (o.status == ChildState.Status.DELETING || o.status == ChildState.Status.REKEYED) {
            state.respond(state.sa, h, List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE)));
            return;
        }
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        byte[] peerNonce = nonce.map(n -> n.data().toByteArray()).orElse(null);
        List<Payload> answer = new ArrayList<>();
        byte[] nonceR = state.nonce();
        ChildState created = state.acceptChild(p, answer, o, peerNonce, nonceR);
        state.respond(state.sa, h, answer);
        if (created == null) {
            return;
        }
        state.install(created);
        if (o.status == ChildState.Status.REKEYING) {
            // Both ends rekey the same SA; settled when our own answer comes (section 2.8.1).
            o.collision = new ChildState.Collision(peerNonce, nonceR, created);
        } else {
            o.status = ChildState.Status.REKEYED;
            state.counters.add(IkeCounter.CHILD_REKEYS);
        }
    }

    /** The answer to our rekey of {@code r.old()}, which ran on IKE SA {@code s}. */
    void response(IkeSa s, Request.RekeyChild r, List<Payload> p) {
        ChildState old = r.old();
        Optional<NoncePayload> nonce = first(p, NoncePayload.class);
        ChildState created = nonce.isEmpty() ? null
                : state.childFromAnswer(s, p, r.newSpi(), old, r.ni(), nonce.get().data().toByteArray(), r.ke());
        if (r.ke() != null) {
            r.ke().destroy();
        }
        if (created == null) {
            state.counters.add(IkeCounter.REKEY_FAILURES);
            old.rekeyQueued = false;
            old.softAt = Math.max(old.softAt, state.now + state.capNanos); // a refused rekey is retried, not hammered
            if (old.status == ChildState.Status.REKEYING) {
                old.status = old.collision != null ? ChildState.Status.REKEYED : ChildState.Status.ACTIVE;
            }
            return;
        }
        if (deletedBeforeAnswer.remove(created.sa.outboundSpi())) {
            // The replacement is already gone at the peer; the old pair carries on.
            state.counters.add(IkeCounter.REKEY_FAILURES);
            old.rekeyQueued = false;
            if (old.status == ChildState.Status.REKEYING) {
                old.status = old.collision != null ? ChildState.Status.REKEYED : ChildState.Status.ACTIVE;
            }
            return;
        }
        deletedBeforeAnswer.clear();
        ChildState.Collision c = old.collision;
        if (c != null) {
            state.counters.add(IkeCounter.REKEY_COLLISIONS);
            byte[] oursLowest = Nonces.lower(r.ni(), nonce.get().data().toByteArray());
            byte[] theirsLowest = Nonces.lower(c.ni(), c.nr());
            if (Nonces.compare(oursLowest, theirsLowest) < 0) {
                // Ours holds the lowest nonce: redundant; we delete it, the peer the old one.
                created.status = ChildState.Status.DELETING;
                state.children.add(created);
                state.sa.jobs.add(new Job.DeleteChild(created));
                old.status = ChildState.Status.REKEYED;
                return;
            }
        }
        state.counters.add(IkeCounter.CHILD_REKEYS);
        // Make before break: the new pair is installed before the old one is deleted.
        state.install(created);
        old.status = ChildState.Status.REKEYED;
        if (state.children.contains(old)) {
            state.sa.jobs.add(new Job.DeleteChild(old));
        }
    }

    private boolean childRekeyOutstanding() {
        return (state.sa.pending != null && state.sa.pending.request instanceof Request.RekeyChild)
                || state.others.stream()
                        .anyMatch(o -> o.pending != null && o.pending.request instanceof Request.RekeyChild);
    }

    /** Sends our CREATE_CHILD_SA replacing {@code old}, if it still makes sense. */
    void start(IkeSa s, ChildState old) {
        if (s != state.sa || !state.children.contains(old) || old.status != ChildState.Status.ACTIVE) {
            old.rekeyQueued = false;
            return;
        }
        old.status = ChildState.Status.REKEYING;
        old.collision = null;
        int spi = state.newChildSpi();
        byte[] nonceI = state.nonce();
        KeyExchange pfs = state.config.childPfs().map(g -> KeyExchange.generate(g, state.random)).orElse(null);
        List<Payload> p = new ArrayList<>();
        p.add(NotifyPayload.aboutChild(ProtocolId.ESP, old.sa.inboundSpi(), NotifyType.REKEY_SA));
        p.add(EspProposals.offer(spi, state.config.offerEsn(), pfs == null ? null : pfs.group()));
        p.add(new NoncePayload(Octets.of(nonceI)));
        if (pfs != null) {
            p.add(new KePayload(pfs.group().transformId(), Octets.of(pfs.publicValue())));
        }
        p.add(new TrafficSelectorPayload(Side.INITIATOR, old.sa.localSelectors()));
        p.add(new TrafficSelectorPayload(Side.RESPONDER, old.sa.remoteSelectors()));
        state.sendRequest(s, ExchangeType.CREATE_CHILD_SA, p, new Request.RekeyChild(old, spi, nonceI, pfs));
    }
}
