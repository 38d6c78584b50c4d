package dev.cipherlane.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "192.0.2.1, 192.0.2.1",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "FD00:0:0:0:0:0:0:1, fd00::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "::ffff:192.0.2.1, ::ffff:192.0.2.1",
        "::FFFF:c000:0201, ::ffff:192.0.2.1",
        "64:ff9b::192.0.2.1, 64:ff9b::c000:201",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        IpAddress address = IpAddress.parse(text);
        assertEquals(canonical, address.toString());
        assertEquals(address, IpAddress.parse(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d",
        "1..2.3", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1",
        "fe80::1%eth0", "::1.2.3", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", ":1::", "1::2:", "localhost"})
    void refusesMalformedText(String text) {
        ValueFormatException e = assertThrows(ValueFormatException.class, () -> IpAddress.parse(text));
        assertEquals(text, e.got());
    }

    @Test
    void ipv4MappedAddressStaysIpv6() {
        IpAddress mapped = IpAddress.parse("::ffff:10.0.0.1");
        assertEquals(IpFamily.IPV6, mapped.family());
        assertTrue(mapped.isIpv4Mapped());
        assertFalse(IpAddress.parse("10.0.0.1").equals(mapped));
        assertFalse(IpAddress.parse("::10.0.0.1").isIpv4Mapped());
    }

    @Test
    void bytesAreInNetworkOrder() {
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, IpAddress.parse("192.0.2.1").toBytes());
        byte[] v6 = IpAddress.parse("2001:db8::ff").toBytes();
        assertEquals(16, v6.length);
        assertEquals(0x20, v6[0]);
        assertEquals(0x01, v6[1]);
        assertEquals((byte) 0xff, v6[15]);
    }

    @Test
    void maskingClearsHostBits() {
        assertEquals(IpAddress.parse("10.1.0.0"), IpAddress.parse("10.1.2.3").masked(16));
        assertEquals(IpAddress.parse("0.0.0.0"), IpAddress.parse("10.1.2.3").masked(0));
        assertEquals(IpAddress.parse("2001:db8::"), IpAddress.parse("2001:db8::1").masked(64));
        assertEquals(IpAddress.parse("2001:db8:0:0:8000::"), IpAddress.parse("2001:db8::ffff:1:2:3").masked(65));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("10.0.0.1").masked(33));
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, unspecified",
        "::, unspecified",
        "127.0.0.1, loopback",
        "127.255.255.254, loopback",
        "::1, loopback",
        "224.0.0.1, multicast",
        "239.255.255.255, multicast",
        "ff02::1, multicast",
        "169.254.0.1, link-local",
        "fe80::1, link-local",
        "febf:ffff::1, link-local",
        "255.255.255.255, broadcast",
        "10.0.0.1, ''",
        "126.255.255.255, ''",
        "223.255.255.255, ''",
        "240.0.0.1, ''",
        "169.253.255.255, ''",
        "169.255.0.0, ''",
        "::2, ''",
        "fd00::1, ''",
        "fec0::1, ''",
        "fe7f::1, ''",
        "fe00::1, ''",
        "::ffff:127.0.0.1, ''",
    })
    void classifiesSpecialAddresses(String text, String kind) {
        IpAddress address = IpAddress.parse(text);
        assertEquals(kind.equals("unspecified"), address.isUnspecified(), text);
        assertEquals(kind.equals("loopback"), address.isLoopback(), text);
        assertEquals(kind.equals("multicast"), address.isMulticast(), text);
        assertEquals(kind.equals("link-local"), address.isLinkLocal(), text);
        assertEquals(kind.equals("broadcast"), address.isLimitedBroadcast(), text);
    }
}
