package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.swap.StageCatalog;
import dev.cipherlane.stages.swap.StageProvider;
import dev.cipherlane.stages.swap.StageSwitchboard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: show stages and stage swap|upgrade|rollback through the admin API. */
class StageCommandsTest {
    @TempDir
    Path dir;

    static final class Pass extends Stage<Stage.NoParams> {
        Pass() {
            super(new StageSpec("pass", List.of("out"), List.of()), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            for (int i = 0; i < frame.count(); i++) {
                ctx.enqueue(0, frame.get(i));
            }
        }
    }

    private final Graph graph = Graph.builder().add(new Pass()).add(new Drop()).connect("pass", "out", "drop").build();
    private final StageSwitchboard board = new StageSwitchboard(graph, List.of(), new StageCatalog(List.of(
            StageProvider.of("pass", StageCatalog.BUILTIN, "1.0", Stage.NoParams.class, p -> new Pass()),
            StageProvider.of("pass", "other", "1.1", Stage.NoParams.class, p -> new Pass()))), "1.0",
            Duration.ofSeconds(1), Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC));
    private final AdminCommands commands = commands(board);

    private static AdminCommands commands(StageSwitchboard board) {
        DataplaneView view = new DataplaneView() {
            public String showRuntime() { return ""; }
            public String showHealth() { return ""; }
            public String showErrors() { return ""; }
            public String showInterfaces() { return ""; }
            public String showTrace() { return ""; }
            public String showTunnels() { return ""; }
            public String showSa() { return ""; }
            public String showNeighbours() { return ""; }
            public int trace(int packets) { return 0; }
            public void clearTrace() {}
            public dev.cipherlane.supervisor.admin.views.OperatorViews views() { return null; }
            @Override public StageSwitchboard stages() { return board; }
        };
        return new AdminCommands(NodeConfigLoader.defaults(), "1.0", new AtomicReference<>(view));
    }

    @Test
    void showStagesListsEverySlotWithItsImplementation() {
        assertEquals("""
                slot  implementation  version  origin   since                 packets
                pass  builtin         1.0      builtin  2026-01-02T03:04:05Z  0
                drop  builtin         1.0      builtin  2026-01-02T03:04:05Z  0
                """, commands.answer("show stages"));
    }

    @Test
    void showStagesHasAJsonFormWithTheSameRows() throws Exception {
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(commands.answer("show stages --json"));
        assertEquals(2, json.get("stages").size());
        assertEquals("pass", json.get("stages").get(0).get("slot").asText());
        assertEquals("builtin", json.get("stages").get(0).get("implementation").asText());
        assertEquals("2026-01-02T03:04:05Z", json.get("stages").get(1).get("since").asText());
    }

    @Test
    void swapAndRollbackAnswerWhatHappened() {
        String swapped = commands.answer("stage swap pass other");
        assertTrue(swapped.startsWith("pass: builtin 1.0 -> other 1.1; old instance closed"), swapped);
        assertTrue(commands.answer("show stages").contains("pass  other           1.1"), commands.answer("show stages"));
        String back = commands.answer("stage  rollback pass");
        assertTrue(back.startsWith("pass: other 1.1 -> builtin 1.0; old instance closed"), back);
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        Path text = Files.writeString(dir.resolve("x.jar"), "text");
        assertEquals("error: stage swap refused: no stage named 'nope'; stages: [pass, drop]; traffic goes on as before\n",
                commands.answer("stage swap nope other"));
        assertEquals("error: stage swap refused: no implementation 'fast' of pass; known: builtin, other"
                + " (or stage upgrade pass --jar <file>); traffic goes on as before\n",
                commands.answer("stage swap pass fast"));
        assertEquals("error: stage swap refused: usage: stage swap <slot> <implementation>; traffic goes on as before\n",
                commands.answer("stage swap pass"));
        assertEquals("error: stage upgrade refused: x.jar: give the jar's absolute path; traffic goes on as before\n",
                commands.answer("stage upgrade pass --jar x.jar"));
        String notJar = commands.answer("stage upgrade pass --jar " + text);
        assertTrue(notJar.startsWith("error: stage upgrade refused: " + text + ": not a jar"), notJar);
        assertEquals("error: stage rollback refused: pass has not been swapped: nothing to roll back to;"
                + " traffic goes on as before\n", commands.answer("stage rollback pass"));
        assertTrue(commands.answer("stage").startsWith("error: stage refused: expected one of: stage swap"),
                commands.answer("stage"));
        assertEquals("error: this dataplane has no swappable stages\n", commands(null).answer("show stages"));
    }
}
