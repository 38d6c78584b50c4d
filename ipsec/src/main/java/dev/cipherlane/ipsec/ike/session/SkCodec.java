package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.SkFailure;
import dev.cipherlane.ipsec.ike.keys.SkOpening;
import dev.cipherlane.ipsec.ike.keys.SkProtection;
import dev.cipherlane.ipsec.ike.message.EncryptedPayload;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.PayloadChain;
import java.util.Arrays;
import java.util.List;

/**
 * Messages whose payloads travel inside SK (RFC 7296 section 3.14), everything after
 * IKE_SA_INIT. Sealing encodes the message with a placeholder body of the right length, so
 * every length field is final, then lets {@link SkProtection} fill in IV, ciphertext and ICV
 * over exactly those header bytes. Opening authenticates the datagram as received.
 */
final class SkCodec {
    private SkCodec() {}

    static byte[] seal(SkProtection sk, IkeHeader header, List<Payload> inner) {
        return seal(sk, header, PayloadChain.firstType(inner), PayloadChain.encode(inner));
    }

    /** Seals an already encoded inner chain whose first payload is of {@code firstType}. */
    static byte[] seal(SkProtection sk, IkeHeader header, int firstType, byte[] plaintext) {
        int body = sk.protectedLength(plaintext.length);
        byte[] skeleton = IkeMessage.of(header, new EncryptedPayload(firstType, Octets.of(new byte[body]))).encode();
        return sk.seal(Arrays.copyOf(skeleton, skeleton.length - body), plaintext);
    }

    /** What a protected message held. */
    sealed interface Opened {
        record Payloads(List<Payload> payloads) implements Opened {}

        /** No SK payload at all: nothing authenticated, so nothing to act on. */
        record Unprotected() implements Opened {}

        record Refused(SkFailure failure) implements Opened {}

        /** Authentic, but the inner chain is broken: INVALID_SYNTAX for a request (section 2.21.1). */
        record Malformed(String reason) implements Opened {}

        /** Authentic, with an unknown critical inner payload (section 2.5). */
        record UnsupportedCritical(int payloadType) implements Opened {}
    }

    static Opened open(SkProtection sk, IkeMessage message, byte[] datagram) {
        if (message.payloads().isEmpty() || !(message.payloads().getLast() instanceof EncryptedPayload skp)) {
            return new Opened.Unprotected();
        }
        int bodyOffset = datagram.length - skp.body().length();
        return switch (sk.open(datagram, bodyOffset)) {
            case SkOpening.Refused r -> new Opened.Refused(r.failure());
            case SkOpening.Opened o -> switch (PayloadChain.decode(skp.firstInnerType(), o.innerPayloads())) {
                case PayloadChain.Result.Parsed p -> new Opened.Payloads(p.payloads());
                case PayloadChain.Result.Malformed m -> new Opened.Malformed(m.reason());
                case PayloadChain.Result.UnsupportedCriticalPayload u ->
                        new Opened.UnsupportedCritical(u.payloadType());
            };
        };
    }
}
