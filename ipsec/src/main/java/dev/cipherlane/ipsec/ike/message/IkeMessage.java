package dev.cipherlane.ipsec.ike.message;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * An IKEv2 message (RFC 7296 section 3): the header and the payloads in wire order.
 *
 * <p>The header always describes this message's own encoding: the constructor sets its Next
 * Payload and Length from the payloads, so {@code decode(m.encode())} gives {@code m} back.
 * A decoded message may therefore differ from its datagram where unknown non-critical
 * payloads were skipped; AUTH (section 2.15) must be computed over the bytes received, never
 * over a re-encoding.
 */
public record IkeMessage(IkeHeader header, List<Payload> payloads) {
    public IkeMessage {
        payloads = List.copyOf(payloads);
        WireWriter sized = new WireWriter();
        PayloadChain.write(payloads, sized, true);
        header = header.withChain(PayloadChain.firstType(payloads), IkeHeader.LENGTH + sized.position());
    }

    public static IkeMessage of(IkeHeader header, Payload... payloads) {
        return new IkeMessage(header, List.of(payloads));
    }

    /** The exact wire bytes: header, then each payload with its generic header. */
    public byte[] encode() {
        WireWriter out = new WireWriter();
        header.write(out);
        PayloadChain.write(payloads, out, true);
        return out.toByteArray();
    }

    /** The payloads of one kind, in order. */
    public <T extends Payload> List<T> all(Class<T> kind) {
        return payloads.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    public <T extends Payload> Optional<T> first(Class<T> kind) {
        return payloads.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    public Optional<NotifyPayload> notify(int notifyType) {
        return all(NotifyPayload.class).stream().filter(n -> n.notifyType() == notifyType).findFirst();
    }

    public static DecodeResult decode(byte[] datagram, int maxLength) {
        return decode(ByteBuffer.wrap(datagram), maxLength);
    }

    /**
     * Decodes the bytes between the buffer's position and limit (which stay put), one UDP
     * payload without Non-ESP marker. Never throws for any content of the bytes.
     *
     * @param maxLength the longest message accepted, at least the 28-byte header
     */
    public static DecodeResult decode(ByteBuffer datagram, int maxLength) {
        if (maxLength < IkeHeader.LENGTH) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is below the IKE header");
        }
        WireReader in = WireReader.of(datagram);
        int size = in.remaining();
        if (size < IkeHeader.LENGTH) {
            return new DecodeResult.Malformed("datagram of " + size + " bytes is shorter than the 28-byte IKE header",
                    Optional.empty());
        }
        IkeHeader header = IkeHeader.read(in);
        if (header.majorVersion() > IkeHeader.IKEV2) {
            return new DecodeResult.UnsupportedMajorVersion(header);
        }
        String reason = checkHeader(header, size, maxLength);
        if (reason != null) {
            return new DecodeResult.Malformed(reason, Optional.of(header));
        }
        try {
            PayloadChain.Chain chain = PayloadChain.read(header.nextPayload(), in, true);
            if (chain.unsupportedCritical() != 0) {
                return new DecodeResult.UnsupportedCriticalPayload(header, chain.unsupportedCritical());
            }
            return new DecodeResult.Decoded(new IkeMessage(header, chain.payloads()));
        } catch (Malformation m) {
            return new DecodeResult.Malformed(m.getMessage(), Optional.of(header));
        }
    }

    /** The rules of section 3.1 the header alone can break, or null. */
    private static String checkHeader(IkeHeader h, int size, int maxLength) {
        if (h.majorVersion() < IkeHeader.IKEV2) {
            return "major version " + h.majorVersion() + " is not IKEv2";
        }
        if (h.initiatorSpi() == 0) {
            return "initiator SPI is zero (section 3.1)";
        }
        if (size > maxLength) {
            return "datagram of " + size + " bytes exceeds the limit of " + maxLength;
        }
        if (h.length() < IkeHeader.LENGTH) {
            return "header length " + h.length() + " is below the 28-byte IKE header";
        }
        if (h.length() > size) {
            return "header length " + h.length() + " exceeds the datagram's " + size + " bytes";
        }
        // Section 3.1: bytes beyond the header's length make the datagram malformed too.
        if (h.length() < size) {
            return "datagram of " + size + " bytes is longer than the header length " + h.length();
        }
        return null;
    }

    @Override
    public String toString() {
        return header + " " + payloads;
    }
}
