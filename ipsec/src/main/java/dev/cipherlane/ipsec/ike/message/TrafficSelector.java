package dev.cipherlane.ipsec.ike.message;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One traffic selector (RFC 7296 section 3.13.1): an IP protocol, a port range and an address
 * range, inclusive. Ports are not ordered: a start above the end is the RFC's way of saying
 * OPAQUE ports (section 3.13.1), so only the field widths are checked.
 *
 * @param ipProtocol 0 for any
 */
public record TrafficSelector(int tsType, int ipProtocol, int startPort, int endPort, Octets startAddress,
        Octets endAddress) {
    public static final int TS_IPV4_ADDR_RANGE = 7;
    public static final int TS_IPV6_ADDR_RANGE = 8;

    public TrafficSelector {
        int size = addressSize(tsType);
        if (size < 0) {
            throw new IllegalArgumentException("traffic selector type " + tsType + " is not supported");
        }
        Wire.checkU8(ipProtocol, "IP protocol");
        Wire.checkU16(startPort, "start port");
        Wire.checkU16(endPort, "end port");
        if (startAddress.length() != size || endAddress.length() != size) {
            throw new IllegalArgumentException(typeName(tsType) + " addresses are " + size + " bytes, got "
                    + startAddress.length() + " and " + endAddress.length());
        }
    }

    /** All ports of {@code ipProtocol} (0: any) between two addresses of one family. */
    public static TrafficSelector range(int ipProtocol, InetAddress start, InetAddress end) {
        return range(ipProtocol, 0, 0xFFFF, start, end);
    }

    public static TrafficSelector range(int ipProtocol, int startPort, int endPort, InetAddress start,
            InetAddress end) {
        if ((start instanceof Inet4Address) != (end instanceof Inet4Address)) {
            throw new IllegalArgumentException("addresses of two families: " + start + " - " + end);
        }
        int type = start instanceof Inet4Address ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
        return new TrafficSelector(type, ipProtocol, startPort, endPort, Octets.of(start.getAddress()),
                Octets.of(end.getAddress()));
    }

    /** The length of the whole selector on the wire for a type, or -1 for an unknown type. */
    static int selectorLength(int tsType) {
        int size = addressSize(tsType);
        return size < 0 ? -1 : 8 + 2 * size;
    }

    private static int addressSize(int tsType) {
        return switch (tsType) {
            case TS_IPV4_ADDR_RANGE -> 4;
            case TS_IPV6_ADDR_RANGE -> 16;
            default -> -1;
        };
    }

    static String typeName(int tsType) {
        return switch (tsType) {
            case TS_IPV4_ADDR_RANGE -> "TS_IPV4_ADDR_RANGE";
            case TS_IPV6_ADDR_RANGE -> "TS_IPV6_ADDR_RANGE";
            default -> "TS type " + tsType;
        };
    }

    public InetAddress start() {
        return address(startAddress);
    }

    public InetAddress end() {
        return address(endAddress);
    }

    private InetAddress address(Octets a) {
        try {
            // Built as Inet6Address so a mapped IPv4 address stays IPv6, as it came.
            return tsType == TS_IPV4_ADDR_RANGE ? InetAddress.getByAddress(a.toByteArray())
                    : Inet6Address.getByAddress(null, a.toByteArray(), -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("sizes are checked at construction", e);
        }
    }

    /** Reads one selector; its type fixes its length, which the length field must repeat. */
    static TrafficSelector read(WireReader in, String where) {
        int type = in.u8(where + " type");
        int protocol = in.u8(where + " IP protocol");
        int length = in.u16(where + " length");
        int expected = selectorLength(type);
        if (expected < 0) {
            throw new Malformation(where + " has unknown type " + type + " (section 3.13.1 defines 7 and 8)");
        }
        if (length != expected) {
            throw new Malformation(where + ": " + typeName(type) + " selector length " + length + ", must be "
                    + expected);
        }
        WireReader body = in.take(length - 4, where + " of length " + length);
        int startPort = body.u16(where);
        int endPort = body.u16(where);
        int size = (expected - 8) / 2;
        Octets start = body.octets(size, where);
        Octets end = body.octets(size, where);
        return new TrafficSelector(type, protocol, startPort, endPort, start, end);
    }

    void write(WireWriter out) {
        out.u8(tsType).u8(ipProtocol).u16(selectorLength(tsType)).u16(startPort).u16(endPort)
                .octets(startAddress).octets(endAddress);
    }

    @Override
    public String toString() {
        return start().getHostAddress() + "-" + end().getHostAddress() + " proto " + ipProtocol + " ports "
                + startPort + "-" + endPort;
    }
}
