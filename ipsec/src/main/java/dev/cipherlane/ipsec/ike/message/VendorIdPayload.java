package dev.cipherlane.ipsec.ike.message;

/**
 * The Vendor ID payload (RFC 7296 section 3.12): an opaque constant a peer may recognise and
 * otherwise must ignore. Not interpreted here.
 */
public record VendorIdPayload(Octets id) implements Payload {
    @Override
    public int type() {
        return PayloadType.VENDOR_ID;
    }

    static VendorIdPayload readBody(WireReader body) {
        return new VendorIdPayload(body.rest());
    }

    void writeBody(WireWriter out) {
        out.octets(id);
    }
}
