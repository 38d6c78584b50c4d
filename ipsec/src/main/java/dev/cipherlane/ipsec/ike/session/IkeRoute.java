package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.ExchangeType;
import java.nio.ByteBuffer;

/**
 * Where an owner with several sessions sends a received IKE message, read from the IKE header
 * alone (RFC 7296 section 2.6: the SPIs name the IKE SA). An IKE_SA_INIT request with a zero
 * responder SPI starts a new IKE SA, so it goes to a new responder session unless one already
 * holds that initiator SPI (a retransmission); everything else goes to the session holding the
 * SPI pair, or nowhere. Nothing past the header is trusted or parsed here.
 */
public sealed interface IkeRoute {
    /** A request to create an IKE SA: {@code initiatorSpi} tells a retransmission from a new one. */
    record NewSa(long initiatorSpi) implements IkeRoute {}

    /** A message for an existing IKE SA (or an IKE_SA_INIT answer to our request). */
    record ExistingSa(long initiatorSpi, long responderSpi) implements IkeRoute {}

    /** Too short for an IKE header: drop. */
    record Invalid() implements IkeRoute {}

    /** Classifies one IKE message (no Non-ESP marker). */
    public static IkeRoute of(byte[] message) {
        if (message == null || message.length < 28) {
            return new Invalid();
        }
        ByteBuffer b = ByteBuffer.wrap(message);
        long spiI = b.getLong(0);
        long spiR = b.getLong(8);
        int exchange = message[18] & 0xFF;
        boolean response = (message[19] & 0x20) != 0;
        if (exchange == ExchangeType.IKE_SA_INIT && !response && spiR == 0) {
            return new NewSa(spiI);
        }
        return new ExistingSa(spiI, spiR);
    }
}
