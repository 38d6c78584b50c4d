package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.config.IpsecLifetime;
import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.config.TunnelOverhead;
import dev.cipherlane.ipsec.esp.Esp;
import dev.cipherlane.stages.wire.Ip4;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What config validation assumes a tunnel adds is what the ESP stages add. */
class TunnelOverheadTest {
    private static IpsecSettings ipsec(boolean enabled, boolean udp) {
        return new IpsecSettings(enabled, Path.of("/etc/cipherlane/keys"), "jdk", 0, 1024, udp, 1024, IpsecLifetime.NONE);
    }

    @Test
    void validationAndTheDataplaneAgree() {
        assertEquals(Esp.tunnelOverhead(true), TunnelOverhead.of(ipsec(true, true)));
        assertEquals(Esp.tunnelOverhead(false), TunnelOverhead.of(ipsec(true, false)));
        assertEquals(Ip4.MIN_HEADER, TunnelOverhead.of(ipsec(false, true)), "IPIP alone: the outer IPv4 header");
    }
}
