package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RekeyTest {
    private static BackToBack pair(boolean pfs) {
        DhGroup g = pfs ? DhGroup.CURVE25519 : null;
        return new BackToBack(a -> a.childPfs(g), b -> b.childPfs(g));
    }

    @ParameterizedTest(name = "pfs={0}")
    @ValueSource(booleans = {false, true})
    void childRekeyIsMakeBeforeBreak(boolean pfs) {
        BackToBack t = pair(pfs);
        t.establish();
        ChildSa old = t.a.installed.values().iterator().next();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.b.deliverOne(); // CREATE_CHILD_SA request: b installs the new pair
        assertEquals(2, t.b.installed.size());
        t.a.deliverOne(); // its response: a installs, then asks to delete the old pair
        assertEquals(2, t.a.installed.size(), "the old pair stays until the Delete is answered");
        t.assertChildrenMatch(2);
        t.run();
        t.assertChildrenMatch(1);
        ChildSa fresh = t.a.installed.values().iterator().next();
        assertNotEquals(old.inboundSpi(), fresh.inboundSpi());
        assertFalse(fresh.outbound().material().sameAs(old.outbound().material()));
        // a: install new before removing old.
        List<Effect> childEffects = t.a.effects.stream()
                .filter(e -> e instanceof Effect.InstallChildSa || e instanceof Effect.RemoveChildSa).toList();
        assertEquals(List.of(new Effect.InstallChildSa(old), new Effect.InstallChildSa(fresh),
                new Effect.RemoveChildSa(old)), childEffects);
        assertEquals(1, t.a.count(IkeCounter.CHILD_REKEYS));
        assertEquals(1, t.b.count(IkeCounter.CHILD_REKEYS));
    }

    @Test
    void pfsRekeyDiffersFromANonPfsOneWithTheSameNonces() {
        // Same seeds, so the same nonces and SPIs in both runs: only the fresh g^ir differs.
        BackToBack plain = pair(false);
        plain.establish();
        plain.a.apply(plain.a.session.rekeyChild(plain.now));
        plain.run();
        BackToBack pfs = pair(true);
        pfs.establish();
        pfs.a.apply(pfs.a.session.rekeyChild(pfs.now));
        pfs.run();
        ChildSa x = plain.a.installed.values().iterator().next();
        ChildSa y = pfs.a.installed.values().iterator().next();
        assertFalse(x.outbound().material().sameAs(y.outbound().material()));
        pfs.assertChildrenMatch(1);
    }

    @Test
    void responderCanRekeyTheChildToo() {
        BackToBack t = pair(false);
        t.establish();
        t.b.apply(t.b.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        assertEquals(1, t.b.count(IkeCounter.CHILD_REKEYS));
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void simultaneousChildRekeysKeepOnePair(long seed) {
        BackToBack t = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), seed, null);
        t.establish();
        ChildSa old = t.a.installed.values().iterator().next();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.b.apply(t.b.session.rekeyChild(t.now));
        // Both requests cross on the wire, then both responses.
        t.b.deliverOne();
        t.a.deliverOne();
        t.run();
        t.assertChildrenMatch(1);
        assertFalse(t.a.installed.containsKey(old.inboundSpi()), "the old pair is gone");
        assertEquals(1, t.a.count(IkeCounter.REKEY_COLLISIONS));
        assertEquals(1, t.b.count(IkeCounter.REKEY_COLLISIONS));
        // One survivor everywhere: nothing left half-deleted; a later rekey still works.
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
    }

    @Test
    void ikeRekeyMovesTheChildAndDeletesTheOldIkeSa() {
        BackToBack t = new BackToBack();
        t.establish();
        long[] before = t.a.session.ikeSpis();
        ChildSa child = t.a.installed.values().iterator().next();
        t.a.apply(t.a.session.rekeyIke(t.now));
        t.run();
        long[] after = t.a.session.ikeSpis();
        assertNotEquals(before[0], after[0]);
        assertNotEquals(before[1], after[1]);
        assertEquals(after[0], t.b.session.ikeSpis()[0]);
        assertEquals(after[1], t.b.session.ikeSpis()[1]);
        assertEquals(new Effect.IkeRekeyed(after[0], after[1]), t.a.all(Effect.IkeRekeyed.class).getFirst());
        assertEquals(new Effect.IkeRekeyed(after[0], after[1]), t.b.all(Effect.IkeRekeyed.class).getFirst());
        assertEquals(child, t.a.installed.values().iterator().next(), "the CHILD SA moved untouched");
        assertTrue(t.a.all(Effect.RemoveChildSa.class).isEmpty());
        assertTrue(t.a.session.established() && t.b.session.established());
        // The new IKE SA works: a child rekey under its SK_d gives matching keys, and liveness passes.
        t.b.apply(t.b.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        t.pass(Duration.ofSeconds(70), Duration.ofSeconds(1));
        assertTrue(t.a.session.established() && t.b.session.established());
        assertEquals(0, t.a.count(IkeCounter.UNKNOWN_SPI) + t.b.count(IkeCounter.UNKNOWN_SPI));
    }

    @Test
    void rekeyedIkeSaCanBeRekeyedAgainFromTheOtherSide() {
        BackToBack t = new BackToBack();
        t.establish();
        t.a.apply(t.a.session.rekeyIke(t.now));
        t.run();
        t.b.apply(t.b.session.rekeyIke(t.now));
        t.run();
        assertEquals(2, t.a.all(Effect.IkeRekeyed.class).size());
        t.a.apply(t.a.session.delete(t.now));
        t.run();
        assertTrue(t.a.session.closed() && t.b.session.closed());
        t.assertChildrenMatch(0);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void simultaneousIkeRekeysEndWithOneIkeSa(long seed) {
        BackToBack t = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), seed, null);
        t.establish();
        long[] before = t.a.session.ikeSpis();
        t.a.apply(t.a.session.rekeyIke(t.now));
        t.b.apply(t.b.session.rekeyIke(t.now));
        t.run();
        assertEquals(1, t.a.count(IkeCounter.REKEY_COLLISIONS));
        assertEquals(1, t.b.count(IkeCounter.REKEY_COLLISIONS));
        assertNotEquals(before[0], t.a.session.ikeSpis()[0]);
        assertEquals(1, t.a.session.ikeSaCount(), "the old and the redundant IKE SA are deleted");
        assertEquals(1, t.b.session.ikeSaCount());
        assertEquals(t.a.session.ikeSpis()[0], t.b.session.ikeSpis()[0]);
        assertEquals(t.a.session.ikeSpis()[1], t.b.session.ikeSpis()[1]);
        assertTrue(t.a.session.established() && t.b.session.established());
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        t.pass(Duration.ofSeconds(70), Duration.ofSeconds(1));
        assertTrue(t.a.session.established() && t.b.session.established());
    }

    @Test
    void childRekeysCrossingOneAfterTheOtherFinishKeepOnePair() {
        BackToBack t = new BackToBack();
        t.establish();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.b.apply(t.b.session.rekeyChild(t.now));
        t.b.deliverOne(); // b answers a's rekey while its own is out
        byte[] bsRequest = t.a.inbox.poll();
        t.a.deliverOne(); // a completes first: no collision seen from its side
        t.a.deliver(bsRequest); // b's rekey of a pair a already replaced: TEMPORARY_FAILURE
        t.run();
        t.assertChildrenMatch(1);
        assertEquals(1, t.b.count(IkeCounter.REKEY_FAILURES));
        assertTrue(t.a.session.established() && t.b.session.established());
    }

    @Test
    void ikeRekeysCrossingOneAfterTheOtherFinishWithOneIkeSa() {
        BackToBack t = new BackToBack();
        t.establish();
        t.a.apply(t.a.session.rekeyIke(t.now));
        t.b.apply(t.b.session.rekeyIke(t.now));
        t.b.deliverOne(); // b answers a's rekey while its own is out
        byte[] bsRequest = t.a.inbox.poll();
        t.a.deliverOne(); // a switches to its new SA and deletes the old one
        t.a.deliver(bsRequest); // b's rekey arrives on the old SA: refused
        t.run();
        assertEquals(1, t.a.session.ikeSaCount());
        assertEquals(1, t.b.session.ikeSaCount());
        assertEquals(t.a.session.ikeSpis()[0], t.b.session.ikeSpis()[0]);
        assertEquals(t.a.session.ikeSpis()[1], t.b.session.ikeSpis()[1]);
        t.b.apply(t.b.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        t.pass(Duration.ofSeconds(70), Duration.ofSeconds(1));
        assertTrue(t.a.session.established() && t.b.session.established());
    }

    @Test
    void softLifetimesRekeyAndStayWithinTheJitter() {
        Duration child = Duration.ofMinutes(10);
        Duration ike = Duration.ofMinutes(30);
        BackToBack t = new BackToBack(a -> a.lifetimes(ike, child), b -> b.lifetimes(ike, child));
        t.establish();
        long t0 = t.now;
        t.pass(Duration.ofMinutes(9), Duration.ofSeconds(5));
        assertEquals(0, t.a.count(IkeCounter.CHILD_REKEYS) + t.b.count(IkeCounter.CHILD_REKEYS),
                "no rekey before 90% of the lifetime");
        t.pass(Duration.ofMinutes(1), Duration.ofSeconds(5));
        assertTrue(t.a.count(IkeCounter.CHILD_REKEYS) + t.b.count(IkeCounter.CHILD_REKEYS) >= 1);
        t.assertChildrenMatch(1);
        t.pass(Duration.ofMinutes(80), Duration.ofSeconds(5));
        assertTrue(t.a.session.established() && t.b.session.established(), () -> "" + t.a.session.closedReason());
        assertTrue(t.a.count(IkeCounter.IKE_REKEYS) >= 2, "IKE SA rekeyed on its soft lifetime");
        t.assertChildrenMatch(1);
        assertTrue(t.now - t0 >= Duration.ofMinutes(90).toNanos());
    }

    @Test
    void hardIkeLifetimeCloses() {
        Duration ike = Duration.ofMinutes(30);
        BackToBack t = new BackToBack(
                a -> a.lifetimes(ike, Duration.ofHours(10)).liveness(Duration.ofHours(10))
                        .retransmit(Duration.ofSeconds(1), Duration.ofSeconds(8), 1000),
                b -> b.lifetimes(Duration.ofHours(10), Duration.ofHours(10)).liveness(Duration.ofHours(10)));
        t.establish();
        // b hears nothing, so a's rekey at its soft lifetime is never answered: the hard one ends it.
        t.a.mute = true;
        t.pass(Duration.ofMinutes(27), Duration.ofSeconds(10));
        assertTrue(t.a.session.established());
        t.pass(Duration.ofMinutes(5), Duration.ofSeconds(10));
        assertTrue(t.a.session.established(), "the hard expiry is 10% after the lifetime");
        t.pass(Duration.ofMinutes(2), Duration.ofSeconds(10));
        assertEquals("IKE SA lifetime expired", t.a.session.closedReason().orElseThrow());
        assertEquals(1, t.a.count(IkeCounter.REQUESTS_SENT) - 2, "the rekey, sent at the soft lifetime");
        assertTrue(t.a.installed.isEmpty());
    }
}
