package dev.cipherlane.ipsec.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SaTableTest {
    @Test
    void inboundSasAreFoundBySpiOutboundOnesByIndexOnly() {
        SaTable t = new SaTable();
        int in = t.add(Sas.inbound(0x1001, 0));
        int out = t.add(Sas.outbound(0x2002, 0));
        int sameSpiOut = t.add(Sas.outbound(0x1001, 1));
        SaTable.Snapshot s = t.publish();
        assertEquals(in, s.findInbound(0x1001));
        assertEquals(SaTable.Snapshot.NOT_FOUND, s.findInbound(0x2002), "outbound SPIs are the peer's, not ours");
        assertTrue(s.state(out).outbound());
        assertEquals(0x1001, s.state(sameSpiOut).spi());
        assertNull(s.state(-1));
        assertNull(s.state(3));
        assertThrows(IllegalArgumentException.class, () -> t.add(Sas.inbound(0x1001, 4)), "inbound SPI twice");
    }

    @Test
    void workersSeeChangesOnlyOncePublished() {
        SaTable t = new SaTable();
        int a = t.add(Sas.inbound(0x1001, 0));
        SaTable.Snapshot first = t.publish();
        assertSame(first, t.current());
        int b = t.add(Sas.inbound(0x1002, 0));
        t.remove(a);
        assertSame(first, t.current(), "nothing published yet");
        assertEquals(a, first.findInbound(0x1001));
        assertEquals(SaTable.Snapshot.NOT_FOUND, first.findInbound(0x1002));

        SaTable.Snapshot second = t.publish();
        assertEquals(SaTable.Snapshot.NOT_FOUND, second.findInbound(0x1001));
        assertEquals(b, second.findInbound(0x1002));
        assertEquals(a, first.findInbound(0x1001), "an old snapshot never changes");
        assertSame(first.state(a).window(), first.state(a).window());
    }

    @Test
    void stateBelongsToTheIndexAcrossSnapshotsAndReplaceStartsAfresh() {
        SaTable t = new SaTable();
        int out = t.add(Sas.outbound(0x3003, 0));
        SaTable.Snapshot s1 = t.publish();
        assertEquals(1, s1.state(out).sequence().next());
        t.add(Sas.inbound(0x3004, 0));
        SaTable.Snapshot s2 = t.publish();
        assertSame(s1.state(out), s2.state(out));
        assertEquals(2, s2.state(out).sequence().next());

        t.replace(out, Sas.outbound(0x3005, 0));
        SaTable.Snapshot s3 = t.publish();
        assertNotSame(s2.state(out), s3.state(out));
        assertEquals(1, s3.state(out).sequence().next(), "a new SA, a new counter");
        assertEquals(0x3005, s3.state(out).spi());
    }

    @Test
    void freedIndexesAreReusedOldestFirst() {
        SaTable t = new SaTable();
        for (int i = 0; i < 4; i++) {
            t.add(Sas.inbound(0x100 + i, 0));
        }
        t.remove(2);
        t.remove(0);
        assertEquals(2, t.add(Sas.inbound(0x200, 0)));
        assertEquals(0, t.add(Sas.inbound(0x201, 0)));
        assertEquals(4, t.add(Sas.inbound(0x202, 0)));
        assertEquals(List.of(0, 1, 2, 3, 4), t.indexes());
    }

    @Test
    void aTunnelHasOneOutboundAndUpToFourInboundSasOfItsOwn() {
        SaTable t = new SaTable();
        int out = t.add(Sas.outbound(0x1010, 7));
        int in1 = t.add(Sas.inbound(0x1011, 7));
        int in2 = t.add(Sas.inbound(0x1012, 7));
        int otherTunnel = t.add(Sas.inbound(0x1013, 8));
        t.protect(TunnelProtection.of(7, out, in1, in2));
        SaTable.Snapshot s = t.publish();
        assertEquals(out, s.outboundSa(7));
        assertTrue(s.accepts(7, in1));
        assertTrue(s.accepts(7, in2));
        assertFalse(s.accepts(7, otherTunnel));
        assertFalse(s.accepts(7, out));
        assertEquals(TunnelProtection.NO_SA, s.outboundSa(8));
        assertEquals(TunnelProtection.NO_SA, s.outboundSa(-1));
        assertFalse(s.accepts(99, in1));

        assertThrows(IllegalArgumentException.class, () -> t.protect(TunnelProtection.of(7, in1)), "not outbound");
        assertThrows(IllegalArgumentException.class, () -> t.protect(TunnelProtection.of(7, out, out)), "not inbound");
        assertThrows(IllegalArgumentException.class, () -> t.protect(TunnelProtection.of(7, out, otherTunnel)),
                "another tunnel's SA");
        assertThrows(IllegalArgumentException.class, () -> t.protect(TunnelProtection.of(7, 42)), "no such SA");
        assertThrows(IllegalArgumentException.class, () -> TunnelProtection.of(7, out, 1, 2, 3, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> TunnelProtection.of(7, out, in1, in1));
    }

    @Test
    void protectedSasCannotBeRemovedOrTurnedIntoSomethingElse() {
        SaTable t = new SaTable();
        int out = t.add(Sas.outbound(0x1010, 7));
        int in = t.add(Sas.inbound(0x1011, 7));
        t.protect(TunnelProtection.of(7, out, in));
        assertThrows(IllegalStateException.class, () -> t.remove(in));
        assertThrows(IllegalStateException.class, () -> t.replace(out, Sas.inbound(0x1012, 7)));
        assertThrows(IllegalStateException.class, () -> t.replace(out, Sas.outbound(0x1012, 8)));
        t.replace(out, Sas.outbound(0x1012, 7));
        t.unprotect(7);
        t.remove(in);
        assertFalse(t.contains(in));
    }

    /**
     * A rekey as IKE does it (RFC 7296 section 2.8), make-before-break: at no published moment is
     * the tunnel without an outbound SA, and the old inbound SA is accepted until it is retired.
     */
    @Test
    void rekeyIsMakeBeforeBreak() {
        SaTable t = new SaTable();
        int oldOut = t.add(Sas.outbound(0x1010, 1));
        int oldIn = t.add(Sas.inbound(0x1011, 1));
        t.protect(TunnelProtection.of(1, oldOut, oldIn));
        SaTable.Snapshot before = t.publish();

        int newIn = t.add(Sas.inbound(0x1021, 1));
        t.protect(TunnelProtection.of(1, oldOut, oldIn, newIn));
        SaTable.Snapshot step1 = t.publish();
        assertTrue(step1.accepts(1, oldIn) && step1.accepts(1, newIn));
        assertEquals(oldOut, step1.outboundSa(1));

        int newOut = t.add(Sas.outbound(0x1020, 1));
        t.protect(TunnelProtection.of(1, newOut, oldIn, newIn));
        SaTable.Snapshot step2 = t.publish();
        assertEquals(newOut, step2.outboundSa(1));
        assertTrue(step2.accepts(1, oldIn), "the peer's packets in flight under the old SA still count");

        t.protect(TunnelProtection.of(1, newOut, newIn));
        t.remove(oldIn);
        t.remove(oldOut);
        SaTable.Snapshot after = t.publish();
        assertFalse(after.accepts(1, oldIn));
        assertEquals(SaTable.Snapshot.NOT_FOUND, after.findInbound(0x1011));
        assertEquals(oldOut, before.outboundSa(1), "workers on the old snapshot still have the old SA");
        assertTrue(before.state(oldOut).usable());
    }

    @Test
    void byteAndPacketLimitsRaiseEachEventOnceAndHardOnesExpireTheSa() {
        SaTable t = new SaTable();
        int sa = t.add(Sas.outbound(0x1055, 0).withLimits(new SaLimits(1000, 2000, 3, 5, Duration.ZERO, Duration.ZERO)));
        SaCounters c = t.state(sa).counters();
        c.account(100);
        c.account(100);
        assertEquals(List.of(), t.pollEvents());
        c.account(100);
        assertEquals(List.of(new SaEvent(sa, 0x1055, SaLimit.SOFT_PACKETS)), t.pollEvents());
        c.account(800);
        assertEquals(List.of(new SaEvent(sa, 0x1055, SaLimit.SOFT_BYTES)), t.pollEvents());
        assertTrue(c.usable());
        c.account(1);
        assertEquals(List.of(new SaEvent(sa, 0x1055, SaLimit.HARD_PACKETS)), t.pollEvents());
        assertFalse(c.usable(), "the fifth packet reached the hard packet limit");
        c.account(5000);
        assertEquals(List.of(new SaEvent(sa, 0x1055, SaLimit.HARD_BYTES)), t.pollEvents());
        c.account(5000);
        assertEquals(List.of(), t.pollEvents(), "each limit once");
        assertEquals(7, c.packets());
        assertEquals(11_101, c.bytes());
        assertTrue(c.reached(SaLimit.SOFT_BYTES));
    }

    @Test
    void lifetimesAreCheckedOnTheControlPlanesClock() {
        AtomicLong now = new AtomicLong(1_000);
        SaTable t = new SaTable(now::get);
        int sa = t.add(Sas.inbound(0x1066, 0).withLimits(SaLimits.lifetime(Duration.ofSeconds(10), Duration.ofSeconds(20))));
        int forever = t.add(Sas.inbound(0x1067, 0));
        t.checkLifetimes();
        assertEquals(List.of(), t.pollEvents());
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        t.checkLifetimes();
        assertEquals(List.of(new SaEvent(sa, 0x1066, SaLimit.SOFT_LIFETIME)), t.pollEvents());
        assertTrue(t.state(sa).usable());
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        t.checkLifetimes();
        t.checkLifetimes();
        assertEquals(List.of(new SaEvent(sa, 0x1066, SaLimit.HARD_LIFETIME)), t.pollEvents());
        assertFalse(t.state(sa).usable());
        assertTrue(t.state(forever).usable());
    }

    @Test
    void anOutboundSaTakesItsNumbersFromTheSourceItWasGiven() {
        SaTable t = new SaTable();
        long[] next = {100};
        int sa = t.add(Sas.outbound(0x1077, 0), () -> next[0]++);
        assertEquals(100, t.state(sa).sequence().next());
        assertEquals(101, t.state(sa).sequence().next());
        assertThrows(IllegalArgumentException.class, () -> t.add(Sas.inbound(0x1078, 0), () -> 1));
    }

    @Test
    void printedStateNamesTheSaButNotItsKey() {
        SaTable t = new SaTable();
        int sa = t.add(Sas.inbound(0xABCD, 0));
        t.state(sa).counters().drop(SaDrop.REPLAY);
        String text = t.state(sa).toString();
        assertTrue(text.contains("spi 0xabcd"), text);
        assertTrue(text.contains("1 replay"), text);
        assertFalse(text.toLowerCase().contains("key"), text);
    }
}
