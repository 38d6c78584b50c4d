package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.keys.SaKeys;
import java.util.List;

/**
 * One negotiated ESP SA pair (RFC 7296 section 2.17): what we decrypt with under our SPI,
 * what we encrypt with under the peer's, whether 64-bit extended sequence numbers were agreed
 * (transform type 5), and the traffic selectors from our point of view. Printing shows SPIs
 * and key fingerprints only.
 */
public record ChildSa(SaKeys inbound, SaKeys outbound, boolean esn, List<TrafficSelector> localSelectors,
        List<TrafficSelector> remoteSelectors) {
    public ChildSa {
        localSelectors = List.copyOf(localSelectors);
        remoteSelectors = List.copyOf(remoteSelectors);
    }

    public int inboundSpi() {
        return inbound.spi();
    }

    public int outboundSpi() {
        return outbound.spi();
    }
}
