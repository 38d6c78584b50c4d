package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.ValueFormatException;
import java.util.Objects;

/**
 * admin.metrics.listen: where the Prometheus endpoint listens, an address literal and a port,
 * written {@code 192.0.2.1:9464} or {@code [2001:db8::1]:9464} (the bracket form of RFC 3986
 * section 3.2.2, so an IPv6 address's colons do not run into the port's). Literals only: a
 * host name would make the node's start depend on DNS.
 */
public record MetricsListen(IpAddress address, int port) {
    static final String EXPECTED = "\"\" (off) or an address and port like 127.0.0.1:9464 or [::1]:9464";

    public MetricsListen {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be 1..65535, got " + port);
        }
    }

    /** @throws ValueFormatException if {@code text} is not address:port */
    public static MetricsListen parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ValueFormatException(EXPECTED, text);
        }
        String host = text.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        }
        IpAddress address;
        int port;
        try {
            address = IpAddress.parse(host);
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (ValueFormatException | NumberFormatException e) {
            throw new ValueFormatException(EXPECTED, text);
        }
        // An IPv6 literal must be bracketed, an IPv4 one must not be.
        if (bracketed != (address.family() == IpFamily.IPV6) || port < 1 || port > 65_535) {
            throw new ValueFormatException(EXPECTED, text);
        }
        return new MetricsListen(address, port);
    }

    /** The text {@link #parse} reads back. */
    @Override
    public String toString() {
        return (address.family() == IpFamily.IPV6 ? "[" + address + "]" : address.toString()) + ":" + port;
    }
}
