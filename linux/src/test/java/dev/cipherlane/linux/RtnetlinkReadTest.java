package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Read-only rtnetlink queries of the namespace the build runs in; they need no privilege
 * and change nothing. Changes are tested as root in a namespace of their own (RtnetlinkTest).
 */
class RtnetlinkReadTest {
    @Test
    void loopbackIsListedAndFoundByName() throws Exception {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            List<Link> links = rtnl.links();
            Link lo = links.stream().filter(l -> l.name().equals("lo")).findFirst().orElseThrow();
            assertTrue((lo.flags() & Link.IFF_LOOPBACK) != 0);
            assertEquals(lo.index(), rtnl.linkIndex("lo"));
            assertEquals("lo", rtnl.link(lo.index()).name());
            assertEquals(lo.mtu(), rtnl.link("lo").mtu());
        }
    }

    @Test
    void missingLinkIsEnodevNamingTheRequest() throws Exception {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            LinuxException e = assertThrows(LinuxException.class, () -> rtnl.linkIndex("cl-missing0"));
            assertEquals(Errno.ENODEV, e.errno());
            assertEquals("RTM_GETLINK dev cl-missing0", e.call());
            // The socket carries on after an error.
            assertTrue(rtnl.linkIndex("lo") > 0);
        }
    }

    @Test
    void eachInstanceHasItsOwnPort() throws Exception {
        try (Rtnetlink a = Rtnetlink.open(); Rtnetlink b = Rtnetlink.open()) {
            assertTrue(a.portId() != b.portId());
            assertEquals(a.linkIndex("lo"), b.linkIndex("lo"));
        }
    }
}
