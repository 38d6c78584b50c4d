package dev.cipherlane.ipsec.ike.message;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * An Identification payload, IDi or IDr (RFC 7296 section 3.5). The address types must hold
 * an address of their size; the others must not be empty. Names are kept as bytes, as the
 * RFC compares them; {@link #text} reads them for logs and matching.
 */
public record IdPayload(Side side, int idType, Octets data) implements Payload {
    public static final int ID_IPV4_ADDR = 1;
    public static final int ID_FQDN = 2;
    public static final int ID_RFC822_ADDR = 3;
    public static final int ID_IPV6_ADDR = 5;
    public static final int ID_DER_ASN1_DN = 9;
    public static final int ID_DER_ASN1_GN = 10;
    public static final int ID_KEY_ID = 11;

    public IdPayload {
        if (side == null) {
            throw new IllegalArgumentException("side is required");
        }
        Wire.checkU8(idType, "ID type");
        int need = switch (idType) {
            case ID_IPV4_ADDR -> 4;
            case ID_IPV6_ADDR -> 16;
            default -> -1;
        };
        if (need > 0 && data.length() != need) {
            throw new IllegalArgumentException(typeName(idType) + " of " + data.length() + " bytes, must be " + need);
        }
        if (data.isEmpty()) {
            throw new IllegalArgumentException(typeName(idType) + " identity is empty");
        }
    }

    public static IdPayload address(Side side, InetAddress address) {
        return new IdPayload(side, address instanceof Inet4Address ? ID_IPV4_ADDR : ID_IPV6_ADDR,
                Octets.of(address.getAddress()));
    }

    /** A host name, ASCII only and without terminator (section 3.5). */
    public static IdPayload fqdn(Side side, String name) {
        return new IdPayload(side, ID_FQDN, ascii(name));
    }

    /** An email-style name, user@domain. */
    public static IdPayload rfc822(Side side, String name) {
        return new IdPayload(side, ID_RFC822_ADDR, ascii(name));
    }

    /** Opaque bytes a peer is configured to expect, often used with pre-shared keys. */
    public static IdPayload keyId(Side side, Octets keyId) {
        return new IdPayload(side, ID_KEY_ID, keyId);
    }

    private static Octets ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new IllegalArgumentException("identity must be printable ASCII without spaces or terminators: "
                        + s);
            }
        }
        return Octets.of(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public int type() {
        return side == Side.INITIATOR ? PayloadType.IDI : PayloadType.IDR;
    }

    /** The address of an ID_IPV4_ADDR or ID_IPV6_ADDR identity. */
    public InetAddress address() {
        try {
            return switch (idType) {
                case ID_IPV4_ADDR -> InetAddress.getByAddress(data.toByteArray());
                // Built as Inet6Address so a mapped IPv4 address stays IPv6, as it came.
                case ID_IPV6_ADDR -> Inet6Address.getByAddress(null, data.toByteArray(), -1);
                default -> throw new IllegalStateException(typeName(idType) + " is not an address");
            };
        } catch (UnknownHostException e) {
            throw new IllegalStateException("sizes are checked at construction", e);
        }
    }

    /** The name of an ID_FQDN or ID_RFC822_ADDR identity. */
    public String text() {
        if (idType != ID_FQDN && idType != ID_RFC822_ADDR) {
            throw new IllegalStateException(typeName(idType) + " is not a name");
        }
        return new String(data.toByteArray(), StandardCharsets.US_ASCII);
    }

    static String typeName(int idType) {
        return switch (idType) {
            case ID_IPV4_ADDR -> "ID_IPV4_ADDR";
            case ID_FQDN -> "ID_FQDN";
            case ID_RFC822_ADDR -> "ID_RFC822_ADDR";
            case ID_IPV6_ADDR -> "ID_IPV6_ADDR";
            case ID_DER_ASN1_DN -> "ID_DER_ASN1_DN";
            case ID_DER_ASN1_GN -> "ID_DER_ASN1_GN";
            case ID_KEY_ID -> "ID_KEY_ID";
            default -> "ID type " + idType;
        };
    }

    static IdPayload readBody(Side side, WireReader body) {
        String where = side == Side.INITIATOR ? "IDi payload" : "IDr payload";
        int idType = body.u8(where + " ID type");
        body.skip(3, where + " reserved field");
        Octets data = body.rest();
        return Malformation.build(where, () -> new IdPayload(side, idType, data));
    }

    void writeBody(WireWriter out) {
        out.u8(idType).zeros(3).octets(data);
    }

    @Override
    public String toString() {
        String value = switch (idType) {
            case ID_IPV4_ADDR, ID_IPV6_ADDR -> address().getHostAddress();
            case ID_FQDN, ID_RFC822_ADDR -> text();
            default -> data.toString();
        };
        return (side == Side.INITIATOR ? "IDi " : "IDr ") + typeName(idType) + " " + value;
    }
}
