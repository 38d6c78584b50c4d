package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * NAT_DETECTION_SOURCE_IP and NAT_DETECTION_DESTINATION_IP (RFC 7296 section 2.23): SHA-1 of
 * SPIi | SPIr | IP address | port, as the sender sees the packet's source and destination. A
 * receiver that computes a different hash from what it sees knows a NAT rewrote that end. SHA-1
 * is what the RFC fixes here; it only has to detect rewriting, not resist forgery.
 */
final class NatDetection {
    private NatDetection() {}

    static Octets hash(long spiI, long spiR, InetSocketAddress endpoint) {
        byte[] ip = endpoint.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(16 + ip.length + 2);
        b.putLong(spiI).putLong(spiR).put(ip).putShort((short) endpoint.getPort());
        try {
            return Octets.of(MessageDigest.getInstance("SHA-1").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /** The two notifies the sender of an IKE_SA_INIT message includes. */
    static List<NotifyPayload> notifies(long spiI, long spiR, InetSocketAddress source, InetSocketAddress destination) {
        return List.of(
                NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, hash(spiI, spiR, source)),
                NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, hash(spiI, spiR, destination)));
    }

    /**
     * What the notifies of a received IKE_SA_INIT message say, or null when the peer sent none
     * (it does not support NAT traversal). {@code seenSource} and {@code seenDestination} are
     * the received datagram's addresses.
     */
    static Effect.NatStatus check(List<NotifyPayload> received, long spiI, long spiR, InetSocketAddress seenSource,
            InetSocketAddress seenDestination) {
        List<Octets> sources = received.stream().filter(n -> n.notifyType() == NotifyType.NAT_DETECTION_SOURCE_IP)
                .map(NotifyPayload::data).toList();
        Octets dest = received.stream().filter(n -> n.notifyType() == NotifyType.NAT_DETECTION_DESTINATION_IP)
                .map(NotifyPayload::data).findFirst().orElse(null);
        if (sources.isEmpty() || dest == null) {
            return null;
        }
        // Several source notifies are allowed for a multihomed sender; any match will do.
        boolean peerBehindNat = !sources.contains(hash(spiI, spiR, seenSource));
        boolean localBehindNat = !dest.equals(hash(spiI, spiR, seenDestination));
        return new Effect.NatStatus(localBehindNat, peerBehindNat);
    }
}
