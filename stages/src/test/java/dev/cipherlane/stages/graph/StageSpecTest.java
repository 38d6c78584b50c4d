package dev.cipherlane.stages.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageSpecTest {
    enum Arcs implements NextArc { LOOKUP, ICMP_ERROR, TX }

    enum Errors implements StageError {
        RUNT("runt frame"),
        NO_ROUTE("no route");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    enum Shared implements StageError {
        BAD_HEADER;

        @Override
        public String reason() {
            return "shared " + name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    enum SameReason implements StageError {
        FIRST, SECOND;

        @Override
        public String reason() {
            return "same";
        }
    }

    enum ClashingArcs implements NextArc {
        LOOKUP, OTHER;

        @Override
        public String arcName() {
            return "lookup";
        }
    }

    @Test
    void indicesAreTheConstantsPositions() {
        StageSpec spec = StageSpec.of("probe", Arcs.class, Errors.class);
        assertEquals(List.of("lookup", "icmp-error", "tx"), spec.nextArcs());
        assertEquals(List.of("runt frame", "no route"), spec.errors());
        for (Arcs a : Arcs.values()) {
            assertEquals(a.ordinal(), spec.arc(a.arcName()));
        }
        for (Errors e : Errors.values()) {
            assertEquals(e.reason(), spec.errors().get(e.ordinal()));
        }
    }

    @Test
    void furtherErrorEnumsFollowTheFirst() {
        StageSpec spec = StageSpec.of("probe", Arcs.class, Errors.class, Shared.class);
        assertEquals(List.of("runt frame", "no route", "shared bad header"), spec.errors());
        assertEquals("shared bad header", spec.errors().get(Errors.values().length + Shared.BAD_HEADER.ordinal()));
    }

    @Test
    void noArcsAndNoErrors() {
        StageSpec spec = StageSpec.of("sink", NextArc.None.class);
        assertEquals(List.of(), spec.nextArcs());
        assertEquals(List.of(), spec.errors());
    }

    @Test
    void duplicateNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StageSpec.of("probe", Arcs.class, SameReason.class));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.of("probe", ClashingArcs.class));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.of("probe", Arcs.class, Errors.class, Errors.class));
        assertThrows(IllegalArgumentException.class,
                () -> StageSpec.of("probe", Arcs.class, Errors.class).followedBy(List.of("no route")));
        assertThrows(IllegalArgumentException.class, () -> new StageSpec("probe", List.of("a", "a"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new StageSpec("probe", List.of("a"), List.of(" ")));
    }

    @Test
    void renamedAndExtendedSpecsKeepTheirIndices() {
        StageSpec spec = StageSpec.of("gro", Arcs.class, Errors.class);
        StageSpec renamed = spec.named("gro4");
        assertEquals("gro4", renamed.name());
        assertEquals(spec.nextArcs(), renamed.nextArcs());
        assertEquals(spec.errors(), renamed.errors());
        StageSpec extended = spec.followedBy(List.of("job reason"));
        assertEquals(List.of("runt frame", "no route", "job reason"), extended.errors());
        StageSpec configured = StageSpec.of("out", NextArc.None.class, Errors.class).withArcs(List.of("tap", "uplink"));
        assertEquals(List.of("tap", "uplink"), configured.nextArcs());
        assertEquals(spec.errors(), configured.errors());
    }
}
