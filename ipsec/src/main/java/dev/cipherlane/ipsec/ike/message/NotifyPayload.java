package dev.cipherlane.ipsec.ike.message;

/**
 * The Notify payload (RFC 7296 section 3.10): an error or status, optionally about one SA.
 *
 * @param protocolId {@link ProtocolId}; without SPI it must be sent as 0 and is ignored on
 *                   receipt (section 3.10), so it is kept as it came
 * @param spi        empty unless the notification is about a particular SA
 */
public record NotifyPayload(int protocolId, Octets spi, int notifyType, Octets data) implements Payload {
    public NotifyPayload {
        Wire.checkU8(protocolId, "protocol ID");
        Wire.checkU16(notifyType, "notify type");
        if (spi.length() > 255) {
            throw new IllegalArgumentException("SPI of " + spi.length() + " bytes");
        }
    }

    /** A notification about no particular SA. */
    public static NotifyPayload of(int notifyType, Octets data) {
        return new NotifyPayload(ProtocolId.NONE, Octets.EMPTY, notifyType, data);
    }

    public static NotifyPayload of(int notifyType) {
        return of(notifyType, Octets.EMPTY);
    }

    /** A notification about a CHILD SA (REKEY_SA, CHILD_SA_NOT_FOUND, ...). */
    public static NotifyPayload aboutChild(int protocolId, int spi, int notifyType) {
        return new NotifyPayload(protocolId, Proposal.spi32(spi), notifyType, Octets.EMPTY);
    }

    public boolean isError() {
        return NotifyType.isError(notifyType);
    }

    @Override
    public int type() {
        return PayloadType.NOTIFY;
    }

    static NotifyPayload readBody(WireReader body) {
        int protocol = body.u8("Notify payload protocol ID");
        int spiSize = body.u8("Notify payload SPI size");
        int type = body.u16("Notify payload type");
        Octets spi = body.octets(spiSize, "Notify payload SPI of " + spiSize + " bytes");
        Octets data = body.rest();
        return Malformation.build("Notify payload", () -> new NotifyPayload(protocol, spi, type, data));
    }

    void writeBody(WireWriter out) {
        out.u8(protocolId).u8(spi.length()).u16(notifyType).octets(spi).octets(data);
    }

    @Override
    public String toString() {
        return "N(" + NotifyType.name(notifyType) + (spi.isEmpty() ? "" : " " + ProtocolId.name(protocolId) + " " + spi)
                + (data.isEmpty() ? "" : " " + data) + ")";
    }
}
