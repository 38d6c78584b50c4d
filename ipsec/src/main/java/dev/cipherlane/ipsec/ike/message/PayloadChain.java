package dev.cipherlane.ipsec.ike.message;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A chain of payloads (RFC 7296 section 3.2): each generic payload header names the type of
 * the next one, the first type comes from outside (the IKE header, or the Encrypted payload's
 * header for the chain inside it), and 0 ends it. Used for whole messages by
 * {@link IkeMessage} and directly by the crypto layer for decrypted SK contents.
 *
 * <p>Decoding checks every length against what is left, requires the bytes to end exactly
 * where the chain does, caps the number of payloads, and applies section 2.5 to unknown
 * types: skipped when the critical bit is clear, reported when it is set. A critical unknown
 * payload is only reported once the rest of the chain has been found well formed, so that a
 * message both broken and unsupported counts as broken.
 */
public final class PayloadChain {
    /**
     * More payloads than any exchange needs (an IKE_AUTH request carries about a dozen), a
     * bound on the work one datagram can cause.
     */
    public static final int MAX_PAYLOADS = 64;

    static final int GENERIC_HEADER = 4;
    static final int CRITICAL = 0x80;

    private PayloadChain() {}

    /** What decoding a chain of decrypted payloads gives. */
    public sealed interface Result {
        /** A well formed chain; unknown non-critical payloads are left out. */
        record Parsed(List<Payload> payloads) implements Result {
            public Parsed {
                payloads = List.copyOf(payloads);
            }
        }

        /** The bytes break a rule: the engine answers INVALID_SYNTAX (section 2.21). */
        record Malformed(String reason) implements Result {}

        /** A payload of an unknown type with the critical bit set (section 2.5). */
        record UnsupportedCriticalPayload(int payloadType) implements Result {}
    }

    /**
     * Decodes the plaintext of an Encrypted payload (padding and pad length already removed).
     * An Encrypted payload inside is malformed.
     */
    public static Result decode(int firstType, byte[] plaintext) {
        return decode(firstType, ByteBuffer.wrap(plaintext));
    }

    /** As {@link #decode(int, byte[])}, for the bytes between position and limit, which stay put. */
    public static Result decode(int firstType, ByteBuffer plaintext) {
        try {
            Chain chain = read(firstType, WireReader.of(plaintext), false);
            if (chain.unsupportedCritical() != 0) {
                return new Result.UnsupportedCriticalPayload(chain.unsupportedCritical());
            }
            return new Result.Parsed(chain.payloads());
        } catch (Malformation m) {
            return new Result.Malformed(m.getMessage());
        }
    }

    /** The inner chain of an Encrypted payload, ready for padding and encryption. */
    public static byte[] encode(List<Payload> payloads) {
        WireWriter out = new WireWriter();
        write(payloads, out, false);
        return out.toByteArray();
    }

    /** The type to put in the Next Payload field in front of {@code payloads}. */
    public static int firstType(List<Payload> payloads) {
        return payloads.isEmpty() ? PayloadType.NONE : payloads.getFirst().type();
    }

    /**
     * @param unsupportedCritical the first unknown critical payload type, 0 if none (0 is
     *                            never a payload type)
     */
    record Chain(List<Payload> payloads, int unsupportedCritical) {}

    /** Reads payloads until type 0; {@code outer}: a message's chain, where SK may end it. */
    static Chain read(int firstType, WireReader in, boolean outer) {
        List<Payload> payloads = new ArrayList<>();
        int unsupportedCritical = 0;
        int next = firstType;
        int count = 0;
        while (next != PayloadType.NONE) {
            count++;
            String where = "payload " + count + " (" + PayloadType.name(next) + ")";
            if (count > MAX_PAYLOADS) {
                throw new Malformation("more than " + MAX_PAYLOADS + " payloads");
            }
            if (in.remaining() < GENERIC_HEADER) {
                throw new Malformation(where + ": the chain names it but only " + in.remaining()
                        + " bytes are left for its 4-byte generic header");
            }
            int following = in.u8(where);
            boolean critical = (in.u8(where) & CRITICAL) != 0;
            int length = in.u16(where);
            if (length < GENERIC_HEADER) {
                throw new Malformation(where + ": payload length " + length + " is below the 4-byte generic header");
            }
            if (length - GENERIC_HEADER > in.remaining()) {
                throw new Malformation(where + ": payload length " + length + " runs past the end ("
                        + (in.remaining() + GENERIC_HEADER) + " bytes left)");
            }
            WireReader body = in.take(length - GENERIC_HEADER, where);
            if (next == PayloadType.ENCRYPTED) {
                if (!outer) {
                    throw new Malformation(where + ": an Encrypted payload inside an Encrypted payload");
                }
                // Section 3.14: SK is the last payload; its Next Payload names the first inner one.
                if (!in.atEnd()) {
                    throw new Malformation(where + ": the Encrypted payload is not last, " + in.remaining()
                            + " bytes follow it (section 3.14)");
                }
                payloads.add(new EncryptedPayload(following, body.rest()));
                break;
            }
            Payload p = readBody(next, body);
            if (p == null) {
                if (critical && unsupportedCritical == 0) {
                    unsupportedCritical = next;
                }
            } else {
                if (!body.atEnd()) {
                    throw new Malformation(where + ": " + body.remaining() + " bytes left over in the payload");
                }
                payloads.add(p);
            }
            next = following;
        }
        if (!in.atEnd()) {
            throw new Malformation(in.remaining() + " bytes follow the last payload");
        }
        return new Chain(payloads, unsupportedCritical);
    }

    /** The body of a known payload type, or null for an unknown one (left unread). */
    private static Payload readBody(int type, WireReader body) {
        return switch (type) {
            case PayloadType.SA -> SaPayload.readBody(body);
            case PayloadType.KE -> KePayload.readBody(body);
            case PayloadType.IDI -> IdPayload.readBody(Side.INITIATOR, body);
            case PayloadType.IDR -> IdPayload.readBody(Side.RESPONDER, body);
            case PayloadType.AUTH -> AuthPayload.readBody(body);
            case PayloadType.NONCE -> NoncePayload.readBody(body);
            case PayloadType.NOTIFY -> NotifyPayload.readBody(body);
            case PayloadType.DELETE -> DeletePayload.readBody(body);
            case PayloadType.VENDOR_ID -> VendorIdPayload.readBody(body);
            case PayloadType.TSI -> TrafficSelectorPayload.readBody(Side.INITIATOR, body);
            case PayloadType.TSR -> TrafficSelectorPayload.readBody(Side.RESPONDER, body);
            case PayloadType.CONFIGURATION -> ConfigurationPayload.readBody(body);
            default -> null;
        };
    }

    /**
     * Writes the generic header and body of each payload. The critical bit is always clear:
     * section 2.5 reserves it for types a receiver may not know, and we send none.
     */
    static void write(List<Payload> payloads, WireWriter out, boolean outer) {
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            boolean last = i == payloads.size() - 1;
            int next;
            if (p instanceof EncryptedPayload sk) {
                if (!outer || !last) {
                    throw new IllegalArgumentException(outer ? "the Encrypted payload must be the last one"
                            : "an Encrypted payload cannot be inside another");
                }
                next = sk.firstInnerType();
            } else {
                next = last ? PayloadType.NONE : payloads.get(i + 1).type();
            }
            int start = out.position();
            out.u8(next).u8(0).u16(0);
            switch (p) {
                case SaPayload x -> x.writeBody(out);
                case KePayload x -> x.writeBody(out);
                case IdPayload x -> x.writeBody(out);
                case AuthPayload x -> x.writeBody(out);
                case NoncePayload x -> x.writeBody(out);
                case NotifyPayload x -> x.writeBody(out);
                case DeletePayload x -> x.writeBody(out);
                case VendorIdPayload x -> x.writeBody(out);
                case TrafficSelectorPayload x -> x.writeBody(out);
                case EncryptedPayload x -> x.writeBody(out);
                case ConfigurationPayload x -> x.writeBody(out);
            }
            out.patchLength(start + 2, start, PayloadType.name(p.type()) + " payload");
        }
    }
}
