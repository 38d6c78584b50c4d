package dev.cipherlane.ipsec.ike.message;

/**
 * The fixed 28-byte IKE header (RFC 7296 section 3.1). Values are kept as they came off the
 * wire (minor version and undefined flag bits included, which a receiver must ignore, not
 * refuse), so that a header read from a bad message can still be used to address an answer.
 *
 * <p>{@code nextPayload} and {@code length} describe the encoding: {@link IkeMessage} sets them
 * from its payloads, so a header built by hand may leave them 0.
 *
 * @param messageId unsigned 32-bit
 * @param length    unsigned 32-bit: the whole message, header included
 */
public record IkeHeader(
        long initiatorSpi,
        long responderSpi,
        int nextPayload,
        int majorVersion,
        int minorVersion,
        int exchangeType,
        int flags,
        long messageId,
        long length) {

    public static final int LENGTH = 28;
    /** The only major version this codec reads (section 3.1). */
    public static final int IKEV2 = 2;

    /** Set by the original initiator of the IKE SA, in requests and responses alike. */
    public static final int FLAG_INITIATOR = 0x08;
    /** "I can speak a higher major version": never set by us (section 3.1). */
    public static final int FLAG_VERSION = 0x10;
    /** Set in responses to a request with the same message ID. */
    public static final int FLAG_RESPONSE = 0x20;

    public IkeHeader {
        Wire.checkU8(nextPayload, "next payload");
        if (majorVersion < 0 || majorVersion > 15 || minorVersion < 0 || minorVersion > 15) {
            throw new IllegalArgumentException("versions are 4-bit: " + majorVersion + "." + minorVersion);
        }
        Wire.checkU8(exchangeType, "exchange type");
        Wire.checkU8(flags, "flags");
        Wire.checkU32(messageId, "message ID");
        Wire.checkU32(length, "length");
    }

    /** An IKEv2.0 header whose chain and length {@link IkeMessage} fills in. */
    public static IkeHeader of(long initiatorSpi, long responderSpi, int exchangeType, int flags, long messageId) {
        return new IkeHeader(initiatorSpi, responderSpi, PayloadType.NONE, IKEV2, 0, exchangeType, flags, messageId, 0);
    }

    public boolean initiator() {
        return (flags & FLAG_INITIATOR) != 0;
    }

    public boolean higherVersionSupported() {
        return (flags & FLAG_VERSION) != 0;
    }

    public boolean response() {
        return (flags & FLAG_RESPONSE) != 0;
    }

    IkeHeader withChain(int firstPayload, long messageLength) {
        return new IkeHeader(initiatorSpi, responderSpi, firstPayload, majorVersion, minorVersion, exchangeType, flags,
                messageId, messageLength);
    }

    /** Reads the 28 bytes; no rule beyond their presence is checked here. */
    static IkeHeader read(WireReader in) {
        long ispi = in.u64("IKE header");
        long rspi = in.u64("IKE header");
        int next = in.u8("IKE header");
        int version = in.u8("IKE header");
        int exchange = in.u8("IKE header");
        int flags = in.u8("IKE header");
        long id = in.u32("IKE header");
        long length = in.u32("IKE header");
        return new IkeHeader(ispi, rspi, next, version >>> 4, version & 0x0F, exchange, flags, id, length);
    }

    void write(WireWriter out) {
        out.u64(initiatorSpi).u64(responderSpi);
        out.u8(nextPayload).u8(majorVersion << 4 | minorVersion).u8(exchangeType).u8(flags);
        out.u32(messageId).u32(length);
    }

    @Override
    public String toString() {
        return String.format("%s %s #%d %016x/%016x v%d.%d flags %s%s%s len %d",
                ExchangeType.name(exchangeType), response() ? "response" : "request", messageId,
                initiatorSpi, responderSpi, majorVersion, minorVersion,
                initiator() ? "I" : "-", higherVersionSupported() ? "V" : "-", response() ? "R" : "-", length);
    }
}
