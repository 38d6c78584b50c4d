package dev.cipherlane.ipsec.ike.message;

/**
 * One IKEv2 payload (RFC 7296 section 3.2): the part after the generic payload header. The
 * generic header itself (next payload, critical bit, length) is produced and checked by
 * {@link PayloadChain}; a record only knows its own body.
 */
public sealed interface Payload
        permits SaPayload, KePayload, IdPayload, AuthPayload, NoncePayload, NotifyPayload, DeletePayload,
                VendorIdPayload, TrafficSelectorPayload, EncryptedPayload, ConfigurationPayload {
    /** The payload type number, {@link PayloadType}. */
    int type();
}
