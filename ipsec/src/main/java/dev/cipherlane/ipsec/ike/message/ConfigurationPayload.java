package dev.cipherlane.ipsec.ike.message;

/**
 * The Configuration payload (RFC 7296 section 3.15), kept opaque: node-to-node tunnels assign
 * no addresses, so its attributes are never read, but a message carrying one still decodes.
 */
public record ConfigurationPayload(Octets body) implements Payload {
    @Override
    public int type() {
        return PayloadType.CONFIGURATION;
    }

    static ConfigurationPayload readBody(WireReader body) {
        return new ConfigurationPayload(body.rest());
    }

    void writeBody(WireWriter out) {
        out.octets(body);
    }
}
