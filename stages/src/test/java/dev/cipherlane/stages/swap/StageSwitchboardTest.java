package dev.cipherlane.stages.swap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.testing.TestJars;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: hot swap, upgrade from a jar and rollback of a stage while workers run it. */
class StageSwitchboardTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void swapsUnderRunningWorkersLoseNoPacketAndCloseTheOldInstanceOnlyAfterEveryWorkerPassed() throws Exception {
        int closedEarlyBefore = SwapLab.PROCESSED_AFTER_CLOSE.get();
        try (SwapLab lab = new SwapLab().start()) {
            Awaitility.await().atMost(LIMIT).until(() -> lab.sink.total() > 10_000);
            for (int i = 0; i < 400; i++) {
                Swapped s = lab.board.swap("tag", i % 2 == 0 ? "b" : StageCatalog.BUILTIN);
                assertTrue(s.closed(), s::describe);
                SwapLab.Tag old = lab.tags.get(i);
                assertTrue(old.closed, "closed once every worker passed the swap point");
                assertSame(lab.tags.get(i + 1), lab.graph.slot("tag").stage());
            }
            lab.source.stopped = true;
            long produced = lab.produced();
            Awaitility.await().atMost(LIMIT).until(() -> lab.sink.total() == lab.produced());
            assertTrue(produced > 0);
            assertEquals(0, lab.sink.misordered.get(), "each worker's packets arrived once each, in order");
            assertEquals(lab.produced(), lab.tagPackets(), "the runtime's counters of the slot run on across swaps");
            SwapLab.Tag current = (SwapLab.Tag) lab.graph.slot("tag").stage();
            assertEquals(lab.produced(), current.handled.get(), "state taken over instance to instance");
            assertTrue(lab.sink.byTag.get('a') > 0 && lab.sink.byTag.get('b') > 0, "both implementations ran");
            assertEquals(closedEarlyBefore, SwapLab.PROCESSED_AFTER_CLOSE.get(), "no frame ran a closed instance");
            StageRow row = lab.board.rows().get(1);
            assertEquals("tag", row.slot());
            assertEquals(StageCatalog.BUILTIN, row.implementation());
            assertEquals(lab.produced(), row.packets());
        }
    }

    /** A rebuilt dataplane (a reload) runs what the one it replaces ran, swaps included. */
    @Test
    void aNewGraphCarriesOverTheSwapsOfTheOneItReplaces() throws Exception {
        try (SwapLab old = new SwapLab(); SwapLab rebuilt = new SwapLab()) {
            old.board.swap("tag", "b");
            java.util.List<StageRow> rows = old.board.rows();
            java.util.List<StageRow> gone = java.util.List.of(new StageRow("no-such-slot", "b", "1", StageCatalog.BUILTIN,
                    java.time.Instant.EPOCH, 0), new StageRow("tag", "zz", "9", StageCatalog.BUILTIN, java.time.Instant.EPOCH, 0));
            assertEquals(java.util.List.of(), rebuilt.board.carryOver(rows));
            assertEquals('b', ((SwapLab.Tag) rebuilt.graph.slot("tag").stage()).id);
            java.util.List<String> refused = rebuilt.board.carryOver(gone);
            assertEquals(1, refused.size(), "a slot gone from the graph is skipped; an unknown implementation refused");
            assertTrue(refused.get(0).startsWith("tag: zz 9: "), refused.toString());
        }
    }

    @Test
    void rollbackGoesBackOneSwapAtATime() throws Exception {
        try (SwapLab lab = new SwapLab()) {
            assertEquals("tag has not been swapped: nothing to roll back to",
                    assertThrows(SwapRefused.class, () -> lab.board.rollback("tag")).getMessage());
            lab.board.swap("tag", "b");
            lab.board.swap("tag", StageCatalog.BUILTIN);
            assertEquals("b", lab.board.rollback("tag").to().implementation());
            assertEquals('b', ((SwapLab.Tag) lab.graph.slot("tag").stage()).id);
            assertEquals(StageCatalog.BUILTIN, lab.board.rollback("tag").to().implementation());
            assertEquals('a', ((SwapLab.Tag) lab.graph.slot("tag").stage()).id);
            assertThrows(SwapRefused.class, () -> lab.board.rollback("tag"));
        }
    }

    @Test
    void anUpgradeFromAJarRunsItsVersionAndAfterRollbackItsClassLoaderCanBeCollected() throws Exception {
        Path jar = TestJars.build(dir.resolve("tag-2.jar"), Map.of(
                "jarstage.TagV2", """
                        package jarstage;
                        import dev.cipherlane.stages.graph.*;
                        import dev.cipherlane.stages.swap.SwapLab;
                        public final class TagV2 extends Stage<Stage.NoParams> {
                            private volatile boolean closed;
                            public TagV2(StageSpec spec) { super(spec, NoParams.INSTANCE); }
                            @Override public void process(Frame f, StageContext ctx) {
                                if (closed) SwapLab.PROCESSED_AFTER_CLOSE.incrementAndGet();
                                for (int i = 0; i < f.count(); i++) {
                                    ctx.memory().u32(f.get(i), 4, 'j');
                                    ctx.enqueue(0, f.get(i));
                                }
                            }
                            @Override public void close() { closed = true; }
                        }
                        """,
                "jarstage.TagV2Provider", """
                        package jarstage;
                        import dev.cipherlane.stages.graph.Stage;
                        import dev.cipherlane.stages.swap.StageProvider;
                        public final class TagV2Provider implements StageProvider {
                            public String stage() { return "tag"; }
                            public String implementation() { return "jar-tag"; }
                            public String version() { return "2.0-test"; }
                            public Stage<?> create(Stage<?> running) { return new TagV2(running.spec()); }
                        }
                        """), List.of("jarstage.TagV2Provider"), TestJars.location(SwapLab.class));
        int closedEarlyBefore = SwapLab.PROCESSED_AFTER_CLOSE.get();
        try (SwapLab lab = new SwapLab().start()) {
            Awaitility.await().atMost(LIMIT).until(() -> lab.sink.total() > 1000);
            WeakReference<ClassLoader> loader = upgradeAndRollBack(lab, jar);
            lab.source.stopped = true;
            Awaitility.await().atMost(LIMIT).until(() -> lab.sink.total() == lab.produced());
            assertEquals(0, lab.sink.misordered.get());
            assertTrue(lab.sink.byTag.get('j') > 0, "the jar's stage ran");
            assertEquals(closedEarlyBefore, SwapLab.PROCESSED_AFTER_CLOSE.get());
            for (int i = 0; i < 100 && loader.get() != null; i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertNull(loader.get(), "nothing holds the jar's class loader once rolled back");
        }
    }

    /** Kept apart so no local of the test refers to the jar's classes. */
    private static WeakReference<ClassLoader> upgradeAndRollBack(SwapLab lab, Path jar) throws Exception {
        Swapped up = lab.board.upgrade("tag", jar);
        assertTrue(up.closed(), up::describe);
        StageRow row = lab.board.rows().get(1);
        assertEquals(List.of("jar-tag", "2.0-test", jar.toAbsolutePath().normalize().toString()),
                List.of(row.implementation(), row.version(), row.origin()));
        long at = lab.sink.byTag.get('j');
        Awaitility.await().atMost(LIMIT).until(() -> lab.sink.byTag.get('j') > at + 1000);
        ClassLoader l = lab.graph.slot("tag").stage().getClass().getClassLoader();
        assertTrue(l != SwapLab.class.getClassLoader(), "the jar's stage is in a loader of its own");
        Swapped back = lab.board.rollback("tag");
        assertEquals(StageCatalog.BUILTIN, back.to().implementation());
        assertEquals(StageCatalog.BUILTIN, lab.board.rows().get(1).origin());
        return new WeakReference<>(l);
    }

    @Test
    void badRequestsAreRefusedClearlyAndLeaveTheSlotAsItWas() throws Exception {
        Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
        Path noSpi = TestJars.build(dir.resolve("no-spi.jar"), Map.of("x.Nothing", "package x; public class Nothing {}"),
                List.of());
        Path wrongSpec = TestJars.build(dir.resolve("wrong-spec.jar"), Map.of("w.P", """
                package w;
                import dev.cipherlane.stages.graph.*;
                import dev.cipherlane.stages.swap.StageProvider;
                import java.util.List;
                public final class P implements StageProvider {
                    public String stage() { return "tag"; }
                    public String implementation() { return "wrong"; }
                    public String version() { return "9"; }
                    public Stage<?> create(Stage<?> running) {
                        return new Stage<Stage.NoParams>(new StageSpec("tag", List.of("elsewhere"), List.of()),
                                Stage.NoParams.INSTANCE) {
                            public void process(Frame f, StageContext c) {}
                        };
                    }
                }
                """), List.of("w.P"));
        Path refuses = TestJars.build(dir.resolve("refuses.jar"), Map.of("r.P", """
                package r;
                import dev.cipherlane.stages.graph.Stage;
                import dev.cipherlane.stages.swap.StageProvider;
                public final class P implements StageProvider {
                    public String stage() { return "tag"; }
                    public String implementation() { return "picky"; }
                    public String version() { return "1"; }
                    public Stage<?> create(Stage<?> running) {
                        throw new IllegalArgumentException("tag.picky: parameters refused");
                    }
                }
                """), List.of("r.P"));
        Path otherStage = TestJars.build(dir.resolve("other.jar"), Map.of("o.P", """
                package o;
                import dev.cipherlane.stages.graph.Stage;
                import dev.cipherlane.stages.swap.StageProvider;
                public final class P implements StageProvider {
                    public String stage() { return "ip9-lookup"; }
                    public String implementation() { return "x"; }
                    public String version() { return "1"; }
                    public Stage<?> create(Stage<?> running) { throw new AssertionError(); }
                }
                """), List.of("o.P"));
        try (SwapLab lab = new SwapLab()) {
            Object before = lab.graph.slot("tag").stage();
            assertRefused(lab, () -> lab.board.swap("nosuch", "b"), "no stage named 'nosuch'");
            assertRefused(lab, () -> lab.board.swap("tag", "c"), "no implementation 'c' of tag; known: builtin, b");
            assertRefused(lab, () -> lab.board.upgrade("nosuch", noSpi), "no stage named 'nosuch'");
            assertRefused(lab, () -> lab.board.upgrade("tag", dir.resolve("missing.jar")), "no such file");
            assertRefused(lab, () -> lab.board.upgrade("tag", notAJar), "not a jar");
            assertRefused(lab, () -> lab.board.upgrade("tag", noSpi), "declares no dev.cipherlane.stages.swap.StageProvider");
            assertRefused(lab, () -> lab.board.upgrade("tag", wrongSpec), "declares StageSpec[name=tag, nextArcs=[elsewhere]");
            assertRefused(lab, () -> lab.board.upgrade("tag", refuses), "refused the running parameters");
            assertRefused(lab, () -> lab.board.upgrade("tag", otherStage), "has no implementation of tag; it implements [ip9-lookup]");
            assertSame(before, lab.graph.slot("tag").stage());
            assertEquals("builtin", lab.board.rows().get(1).implementation());
        }
    }

    private static void assertRefused(SwapLab lab, org.junit.jupiter.api.function.Executable call, String says) {
        SwapRefused e = assertThrows(SwapRefused.class, call);
        assertTrue(e.getMessage().contains(says), () -> "expected '" + says + "' in: " + e.getMessage());
    }
}
