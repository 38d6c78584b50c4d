package dev.cipherlane.ipsec.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * A proposal substructure (RFC 7296 section 3.3.1): one complete suite of transforms for one
 * protocol, with the sender's SPI for the SA it would create.
 *
 * @param spi empty for IKE in IKE_SA_INIT, 8 bytes for an IKE rekey, 4 for AH and ESP
 */
public record Proposal(int number, int protocolId, Octets spi, List<Transform> transforms) {
    /** Fixed part: last/more, reserved, length, number, protocol, SPI size, transform count. */
    static final int HEADER = 8;
    /** Section 3.3.1: "more proposals follow". */
    static final int MORE = 2;

    public Proposal {
        if (number < 1 || number > 255) {
            throw new IllegalArgumentException("proposal number " + number + ", must be 1..255");
        }
        Wire.checkU8(protocolId, "protocol ID");
        int size = spi.length();
        if (protocolId == ProtocolId.IKE && size != 0 && size != ProtocolId.IKE_SPI_SIZE) {
            throw new IllegalArgumentException("IKE proposal SPI size " + size + ", must be 0 or 8");
        }
        if ((protocolId == ProtocolId.AH || protocolId == ProtocolId.ESP) && size != ProtocolId.CHILD_SPI_SIZE) {
            throw new IllegalArgumentException(ProtocolId.name(protocolId) + " proposal SPI size " + size + ", must be 4");
        }
        if (size > 255) {
            throw new IllegalArgumentException("SPI of " + size + " bytes");
        }
        transforms = List.copyOf(transforms);
        if (transforms.isEmpty() || transforms.size() > 255) {
            throw new IllegalArgumentException("proposal with " + transforms.size() + " transforms, must be 1..255");
        }
    }

    /** An IKE proposal without SPI, as in IKE_SA_INIT (section 3.3.1). */
    public static Proposal ike(int number, Transform... transforms) {
        return new Proposal(number, ProtocolId.IKE, Octets.EMPTY, List.of(transforms));
    }

    public static Proposal esp(int number, int spi, Transform... transforms) {
        return new Proposal(number, ProtocolId.ESP, spi32(spi), List.of(transforms));
    }

    static Octets spi32(int spi) {
        return Octets.of((byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi);
    }

    public List<Transform> transforms(int type) {
        return transforms.stream().filter(t -> t.type() == type).toList();
    }

    /**
     * Reads one proposal substructure. Its length, not its marker, says where it ends; the
     * marker must then agree with whether another proposal follows in the SA payload.
     */
    static Proposal read(WireReader in, String where) {
        Substructure sub = Substructure.read(in, HEADER, where);
        WireReader body = sub.body();
        int number = body.u8(where);
        int protocol = body.u8(where);
        int spiSize = body.u8(where);
        int count = body.u8(where);
        Octets spi = body.octets(spiSize, where + " SPI of " + spiSize + " bytes");
        if (count == 0) {
            throw new Malformation(where + " has no transforms");
        }
        List<Transform> transforms = new ArrayList<>(count);
        List<Substructure> heads = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            if (body.atEnd()) {
                throw new Malformation(where + " declares " + count + " transforms but holds " + (i - 1));
            }
            String at = where + " transform " + i;
            Substructure head = Substructure.read(body, Transform.HEADER, at);
            heads.add(head);
            transforms.add(Transform.readBody(head.body(), at));
        }
        if (!body.atEnd()) {
            throw new Malformation(where + " has " + body.remaining() + " bytes after its " + count + " transforms");
        }
        // Markers are checked after the count so that a wrong count is reported as such.
        for (int i = 0; i < count; i++) {
            heads.get(i).checkMarker(Transform.MORE, i == count - 1, where + " transform " + (i + 1));
        }
        sub.checkMarker(MORE, in.atEnd(), where);
        return Malformation.build(where, () -> new Proposal(number, protocol, spi, transforms));
    }

    void write(WireWriter out, boolean last) {
        int start = out.position();
        out.u8(last ? Substructure.LAST : MORE).u8(0);
        int lengthAt = out.position();
        out.u16(0).u8(number).u8(protocolId).u8(spi.length()).u8(transforms.size()).octets(spi);
        for (int i = 0; i < transforms.size(); i++) {
            transforms.get(i).write(out, i == transforms.size() - 1);
        }
        out.patchLength(lengthAt, start, "proposal");
    }

    @Override
    public String toString() {
        return "#" + number + " " + ProtocolId.name(protocolId) + (spi.isEmpty() ? "" : " spi " + spi) + " " + transforms;
    }
}
