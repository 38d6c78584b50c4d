package dev.cipherlane.stages.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stage graph shared by all workers: slots holding stages and, per slot and next arc,
 * the slot the arc leads to. Immutable once built; each worker runs it in its own
 * {@link GraphRuntime}.
 */
public final class Graph {
    private final List<StageSlot> slots;
    private final int[][] arcs;
    private final Map<String, StageSlot> byName;

    private Graph(List<StageSlot> slots, int[][] arcs) {
        this.slots = Collections.unmodifiableList(slots);
        this.arcs = arcs;
        Map<String, StageSlot> m = new LinkedHashMap<>();
        for (StageSlot s : slots) {
            m.put(s.stage().name(), s);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    public List<StageSlot> slots() {
        return slots;
    }

    public StageSlot slot(String name) {
        StageSlot s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no stage named '" + name + "'; stages: " + byName.keySet());
        }
        return s;
    }

    /** Slot index that {@code arc} of slot {@code from} leads to. */
    int target(int from, int arc) {
        return arcs[from][arc];
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds stages, then connects every next arc of every stage to a stage by name. */
    public static final class Builder {
        private final List<Stage<?>> stages = new ArrayList<>();
        private final Map<String, Integer> index = new LinkedHashMap<>();
        private final List<Map<String, String>> links = new ArrayList<>();

        public Builder add(Stage<?> stage) {
            if (index.containsKey(stage.name())) {
                throw new IllegalArgumentException("two stages named '" + stage.name() + "'");
            }
            index.put(stage.name(), stages.size());
            stages.add(stage);
            links.add(new LinkedHashMap<>());
            return this;
        }

        public Builder connect(String from, String arc, String to) {
            Integer f = index.get(from);
            if (f == null) {
                throw new IllegalArgumentException("connect: no stage named '" + from + "'");
            }
            stages.get(f).spec().arc(arc);
            links.get(f).put(arc, to);
            return this;
        }

        public Graph build() {
            List<StageSlot> slots = new ArrayList<>();
            int[][] arcs = new int[stages.size()][];
            for (int i = 0; i < stages.size(); i++) {
                Stage<?> s = stages.get(i);
                slots.add(new StageSlot(i, s));
                List<String> names = s.spec().nextArcs();
                arcs[i] = new int[names.size()];
                for (int a = 0; a < names.size(); a++) {
                    String to = links.get(i).get(names.get(a));
                    if (to == null) {
                        throw new IllegalStateException(s.name() + ": next arc '" + names.get(a) + "' is not connected");
                    }
                    Integer t = index.get(to);
                    if (t == null) {
                        throw new IllegalStateException(s.name() + ": next arc '" + names.get(a)
                                + "' leads to unknown stage '" + to + "'");
                    }
                    arcs[i][a] = t;
                }
            }
            return new Graph(slots, arcs);
        }
    }
}
