package dev.cipherlane.ipsec.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * The Delete payload (RFC 7296 section 3.11): the IKE SA the message travels on (protocol IKE,
 * no SPIs: the header names it), or the inbound SPIs of AH or ESP SAs.
 */
public record DeletePayload(int protocolId, int spiSize, List<Octets> spis) implements Payload {
    public DeletePayload {
        Wire.checkU8(protocolId, "protocol ID");
        Wire.checkU8(spiSize, "SPI size");
        spis = List.copyOf(spis);
        if (spis.size() > 0xFFFF) {
            throw new IllegalArgumentException(spis.size() + " SPIs do not fit the 16-bit count");
        }
        for (Octets spi : spis) {
            if (spi.length() != spiSize) {
                throw new IllegalArgumentException("SPI of " + spi.length() + " bytes in a Delete of SPI size "
                        + spiSize);
            }
        }
        if (protocolId == ProtocolId.IKE && (spiSize != 0 || !spis.isEmpty())) {
            throw new IllegalArgumentException("an IKE SA Delete has SPI size 0 and no SPIs, got size " + spiSize
                    + " and " + spis.size() + " SPIs (section 3.11)");
        }
        if ((protocolId == ProtocolId.AH || protocolId == ProtocolId.ESP)
                && (spiSize != ProtocolId.CHILD_SPI_SIZE || spis.isEmpty())) {
            throw new IllegalArgumentException("an " + ProtocolId.name(protocolId) + " Delete has SPI size 4 and at "
                    + "least one SPI, got size " + spiSize + " and " + spis.size() + " SPIs (section 3.11)");
        }
    }

    public static DeletePayload ike() {
        return new DeletePayload(ProtocolId.IKE, 0, List.of());
    }

    public static DeletePayload esp(int... spis) {
        List<Octets> list = new ArrayList<>(spis.length);
        for (int spi : spis) {
            list.add(Proposal.spi32(spi));
        }
        return new DeletePayload(ProtocolId.ESP, ProtocolId.CHILD_SPI_SIZE, list);
    }

    /** The SPIs of an AH or ESP Delete as numbers. */
    public int[] childSpis() {
        if (spiSize != ProtocolId.CHILD_SPI_SIZE) {
            throw new IllegalStateException("SPIs are " + spiSize + " bytes");
        }
        int[] out = new int[spis.size()];
        for (int i = 0; i < out.length; i++) {
            Octets s = spis.get(i);
            out[i] = (s.get(0) & 0xFF) << 24 | (s.get(1) & 0xFF) << 16 | (s.get(2) & 0xFF) << 8 | s.get(3) & 0xFF;
        }
        return out;
    }

    @Override
    public int type() {
        return PayloadType.DELETE;
    }

    static DeletePayload readBody(WireReader body) {
        int protocol = body.u8("Delete payload protocol ID");
        int spiSize = body.u8("Delete payload SPI size");
        int count = body.u16("Delete payload SPI count");
        // Checked before reading, and as a long: count times size is exactly the rest (section 3.11).
        if ((long) count * spiSize != body.remaining()) {
            throw new Malformation("Delete payload declares " + count + " SPIs of " + spiSize + " bytes but holds "
                    + body.remaining() + " bytes of SPIs");
        }
        List<Octets> spis = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            spis.add(body.octets(spiSize, "Delete payload SPI"));
        }
        return Malformation.build("Delete payload", () -> new DeletePayload(protocol, spiSize, spis));
    }

    void writeBody(WireWriter out) {
        out.u8(protocolId).u8(spiSize).u16(spis.size());
        for (Octets spi : spis) {
            out.octets(spi);
        }
    }
}
