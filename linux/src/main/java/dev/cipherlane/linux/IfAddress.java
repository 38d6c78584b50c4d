package dev.cipherlane.linux;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 address on an interface, as RTM_NEWADDR describes it (rtnetlink(7),
 * include/uapi/linux/if_addr.h).
 *
 * @param index        interface the address is on
 * @param address      IFA_LOCAL (IPv4) or IFA_ADDRESS (IPv6)
 * @param prefixLength ifa_prefixlen
 * @param flags        IFA_FLAGS (or ifa_flags): {@link #IFA_F_NODAD}, {@link #IFA_F_TENTATIVE} ...
 * @param scope        ifa_scope: {@link Route#RT_SCOPE_UNIVERSE}, {@link Route#RT_SCOPE_LINK} ...
 */
public record IfAddress(int index, InetAddress address, int prefixLength, int flags, int scope) {
    /** struct ifaddrmsg: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index. */
    static final int IFADDRMSG_SIZE = 8;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    /** u32 flags; ifa_flags has room for the low 8 only. */
    public static final int IFA_FLAGS = 8;

    public static final int IFA_F_SECONDARY = 0x01;
    /** IPv6: skip duplicate address detection, so the address is usable at once (RFC 4862 5.4). */
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    /** IPv6: duplicate address detection still running; the address cannot be used yet. */
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    public IfAddress {
        checkPrefix(address, prefixLength);
    }

    public int family() {
        return familyOf(address);
    }

    static int familyOf(InetAddress address) {
        return address instanceof Inet4Address ? Sockets.AF_INET : Sockets.AF_INET6;
    }

    static void checkPrefix(InetAddress address, int prefixLength) {
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address.getHostAddress());
        }
    }

    /** Decodes the RTM_NEWADDR the reply cursor is on; null for families other than IPv4/IPv6. */
    static IfAddress decode(NetlinkReply r) {
        int family = r.payloadByte(0);
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) {
            return null;
        }
        NetlinkAttributes a = r.attributes(IFADDRMSG_SIZE);
        InetAddress address = a.has(IFA_LOCAL) ? a.inetAddress(IFA_LOCAL) : a.inetAddress(IFA_ADDRESS);
        if (address == null) {
            return null;
        }
        int flags = a.u32(IFA_FLAGS, r.payloadByte(2));
        return new IfAddress(r.payloadInt(4), address, r.payloadByte(1), flags, r.payloadByte(3));
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " dev #" + index;
    }
}
