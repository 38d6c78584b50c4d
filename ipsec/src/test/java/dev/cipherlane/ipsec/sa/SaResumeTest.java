package dev.cipherlane.ipsec.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An SA whose key was in use before a restart carries on its lifetime (RFC 4301 section 4.4.2.1). */
class SaResumeTest {
    private static SecurityAssociation limited(int spi, SaLimits limits) {
        SecurityAssociation sa = Sas.outbound(spi, 0);
        return new SecurityAssociation(sa.spi(), sa.direction(), sa.key(), sa.salt(), sa.esn(), sa.replayWindow(),
                sa.udp(), sa.tunnel(), limits);
    }

    private static List<SaLimit> limits(SaTable t) {
        return t.pollEvents().stream().map(SaEvent::limit).toList();
    }

    @Test
    void countsPastTheHardLimitKeepTheSaDownFromItsFirstPacket() {
        SaTable t = new SaTable();
        int sa = t.add(limited(0x3001, new SaLimits(1000, 2000, 10, 20, Duration.ZERO, Duration.ZERO)));
        t.resume(sa, 20, 0, Duration.ZERO);
        assertFalse(t.state(sa).usable());
        assertEquals(List.of(SaLimit.SOFT_PACKETS, SaLimit.HARD_PACKETS), limits(t));
        assertEquals(20, t.state(sa).counters().packets());
    }

    @Test
    void countsPastTheSoftLimitWarnAgainAndCountOn() {
        SaTable t = new SaTable();
        int sa = t.add(limited(0x3001, new SaLimits(1000, 2000, 0, 0, Duration.ZERO, Duration.ZERO)));
        t.resume(sa, 5, 1500, Duration.ZERO);
        assertTrue(t.state(sa).usable());
        assertEquals(List.of(SaLimit.SOFT_BYTES), limits(t));
        t.state(sa).counters().account(499);
        assertTrue(t.state(sa).usable());
        t.state(sa).counters().account(1);
        assertFalse(t.state(sa).usable(), "the resumed bytes count towards the hard limit");
        assertEquals(List.of(SaLimit.HARD_BYTES), limits(t));
    }

    @Test
    void theLifetimeRunsFromWhenTheKeyCameIntoUse() {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        SaTable t = new SaTable(now::get);
        int old = t.add(limited(0x3001, SaLimits.lifetime(Duration.ofMinutes(10), Duration.ofMinutes(20))));
        int young = t.add(limited(0x3002, SaLimits.lifetime(Duration.ofMinutes(10), Duration.ofMinutes(20))));
        t.resume(old, 0, 0, Duration.ofMinutes(25));
        t.resume(young, 0, 0, Duration.ofMinutes(15));
        assertFalse(t.state(old).usable(), "down at once, before the control loop's next tick");
        assertTrue(t.state(young).usable());
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        t.checkLifetimes();
        assertFalse(t.state(young).usable(), "15 minutes before the restart and 5 after: past 20");
    }

    @Test
    void negativeUsageIsRefused() {
        SaTable t = new SaTable();
        int sa = t.add(limited(0x3001, SaLimits.packets(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> t.resume(sa, -1, 0, Duration.ZERO));
    }
}
