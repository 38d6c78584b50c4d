package dev.cipherlane.stages.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stage graph shared by all workers: slots holding stages and, per slot and next arc,
 * the slot the arc leads to. Each worker runs it in its own {@link GraphRuntime}.
 *
 * <p>The processing stages and their arcs are fixed once built. Input stages can come and go
 * on a running graph ({@link #addInput}, {@link #removeInput}): nothing leads to an input, so
 * adding or removing one changes no other stage's arcs, and a pod's tap queues are attached
 * and detached without stopping the workers, as Snabb's {@code engine.configure} starts and
 * stops only the apps a new configuration adds or drops. Every change makes a new immutable
 * view of the slots ({@link #version} counts them); a worker adopts it at the start of its
 * next round, so {@link Quiescence} after a removal says when no worker polls the removed
 * input any more.
 */
public final class Graph {
    /** The slots as of one change: by index (a removed input leaves a hole), and in index order. */
    private record View(StageSlot[] byIndex, List<StageSlot> slots, Map<String, StageSlot> byName, int version) {}

    private volatile View view;

    private Graph(StageSlot[] byIndex) {
        this.view = view(byIndex, 0);
    }

    private static View view(StageSlot[] byIndex, int version) {
        List<StageSlot> slots = new ArrayList<>();
        Map<String, StageSlot> byName = new LinkedHashMap<>();
        for (StageSlot s : byIndex) {
            if (s != null) {
                slots.add(s);
                byName.put(s.stage().name(), s);
            }
        }
        return new View(byIndex, Collections.unmodifiableList(slots), Collections.unmodifiableMap(byName), version);
    }

    /** The live slots, in index order. */
    public List<StageSlot> slots() {
        return view.slots();
    }

    public StageSlot slot(String name) {
        View v = view;
        StageSlot s = v.byName().get(name);
        if (s == null) {
            throw new IllegalArgumentException("no stage named '" + name + "'; stages: " + v.byName().keySet());
        }
        return s;
    }

    /** Whether a stage named {@code name} is in the graph. */
    public boolean has(String name) {
        return view.byName().containsKey(name);
    }

    /** Counts the changes of the live inputs; a runtime re-reads the slots when it moved. */
    public int version() {
        return view.version();
    }

    /** The slot at {@code index}, or null for a hole a removed input left. */
    StageSlot slotAt(int index) {
        StageSlot[] byIndex = view.byIndex();
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    /** One past the highest slot index. */
    int capacity() {
        return view.byIndex().length;
    }

    /** Slot index that {@code arc} of slot {@code from} leads to. */
    int target(int from, int arc) {
        return view.byIndex()[from].targets[arc];
    }

    /**
     * Adds input stage {@code stage} to the running graph, its next arcs connected by name to
     * stages already in it ({@code links}: arc name to stage name). It takes the lowest free
     * slot index. Workers poll it from their next round.
     */
    public synchronized StageSlot addInput(InputStage<?> stage, Map<String, String> links) {
        View v = view;
        if (v.byName().containsKey(stage.name())) {
            throw new IllegalArgumentException("two stages named '" + stage.name() + "'");
        }
        List<String> arcs = stage.spec().nextArcs();
        int[] targets = new int[arcs.size()];
        for (int a = 0; a < arcs.size(); a++) {
            String to = links.get(arcs.get(a));
            if (to == null) {
                throw new IllegalArgumentException(stage.name() + ": next arc '" + arcs.get(a) + "' is not connected");
            }
            StageSlot t = v.byName().get(to);
            if (t == null) {
                throw new IllegalArgumentException(stage.name() + ": next arc '" + arcs.get(a)
                        + "' leads to unknown stage '" + to + "'");
            }
            targets[a] = t.index();
        }
        for (String arc : links.keySet()) {
            stage.spec().arc(arc);
        }
        StageSlot[] byIndex = v.byIndex();
        int index = 0;
        while (index < byIndex.length && byIndex[index] != null) {
            index++;
        }
        if (index >= GraphRuntime.MAX_SLOTS) {
            throw new IllegalStateException("the graph is full: " + GraphRuntime.MAX_SLOTS + " stages");
        }
        StageSlot[] next = java.util.Arrays.copyOf(byIndex, Math.max(byIndex.length, index + 1));
        StageSlot slot = new StageSlot(index, stage, targets);
        next[index] = slot;
        view = view(next, v.version() + 1);
        return slot;
    }

    /**
     * Takes input stage {@code name} out of the running graph and returns its slot. Workers
     * stop polling it at their next round; wait for {@link Quiescence} before closing what it
     * reads from.
     */
    public synchronized StageSlot removeInput(String name) {
        View v = view;
        StageSlot slot = slot(name);
        if (!(slot.stage() instanceof InputStage<?>)) {
            throw new IllegalArgumentException(name + " is not an input stage; only inputs leave a running graph");
        }
        StageSlot[] next = v.byIndex().clone();
        next[slot.index()] = null;
        view = view(next, v.version() + 1);
        return slot;
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
            StageSlot[] slots = new StageSlot[stages.size()];
            for (int i = 0; i < stages.size(); i++) {
                Stage<?> s = stages.get(i);
                List<String> names = s.spec().nextArcs();
                int[] targets = new int[names.size()];
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
                    targets[a] = t;
                }
                slots[i] = new StageSlot(i, s, targets);
            }
            return new Graph(slots);
        }
    }
}
