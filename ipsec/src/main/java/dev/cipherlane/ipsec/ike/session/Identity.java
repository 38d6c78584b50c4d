package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.IdPayload;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Side;
import java.net.InetAddress;

/**
 * An IKE identity (RFC 7296 section 3.5) without a side: the same value goes in IDi or IDr
 * depending on who starts. Cipherlane's nodes use their addresses (ID_IPV4_ADDR, ID_IPV6_ADDR).
 */
public record Identity(int idType, Octets data) {
    public Identity {
        // Let the payload record check type and length once, here.
        new IdPayload(Side.INITIATOR, idType, data);
    }

    public static Identity of(InetAddress address) {
        IdPayload p = IdPayload.address(Side.INITIATOR, address);
        return new Identity(p.idType(), p.data());
    }

    public static Identity of(IdPayload payload) {
        return new Identity(payload.idType(), payload.data());
    }

    IdPayload payload(Side side) {
        return new IdPayload(side, idType, data);
    }
}
