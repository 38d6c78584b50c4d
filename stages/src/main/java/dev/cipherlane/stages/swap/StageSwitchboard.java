package dev.cipherlane.stages.swap;

import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.Quiescence;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageSlot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hot swap, upgrade and rollback of the stages of one running graph.
 *
 * <p>The protocol, per swap: the successor is built from the running instance's parameters
 * and checked ({@link SwapCheck}: spec, input kind, parameters, {@link Stage#takeOver}); it is
 * published in the slot, where each worker picks it up at its next frame; then the old
 * instance is closed once every worker has passed the swap point ({@link Quiescence}), and its
 * jar's class loader too when no slot runs or may roll back to anything from that jar. A
 * refused swap changes nothing.
 *
 * <p>Each slot keeps the implementations it ran before, most recent first, up to
 * {@value #HISTORY}: rollback makes a new instance from the previous one's provider and
 * swaps to it the same way, then forgets what it replaced.
 *
 * <p>Calls are serialised; a call waits for quiescence at most the limit given, normally one
 * round of the slowest worker, and otherwise returns and closes the old instance later on a
 * thread of its own.
 */
public final class StageSwitchboard {
    static final int HISTORY = 16;

    private final Graph graph;
    private final List<GraphRuntime> runtimes;
    private final StageCatalog catalog;
    private final Duration quiescenceLimit;
    private final Clock clock;
    private final String builtinVersion;
    private final Map<String, Installed> current = new HashMap<>();
    private final Map<String, Deque<Installed>> history = new HashMap<>();

    public StageSwitchboard(Graph graph, List<GraphRuntime> runtimes, StageCatalog catalog, String builtinVersion,
            Duration quiescenceLimit, Clock clock) {
        this.graph = graph;
        this.runtimes = List.copyOf(runtimes);
        this.catalog = catalog;
        this.quiescenceLimit = quiescenceLimit;
        this.clock = clock;
        this.builtinVersion = builtinVersion;
        for (StageSlot s : graph.slots()) {
            installed(s.stage().name());
        }
    }

    /**
     * What runs in slot {@code name}: the built-in implementation until a swap, also for an
     * input added to the running graph after this switchboard was made (a pod's tap queue).
     */
    private Installed installed(String name) {
        history.computeIfAbsent(name, n -> new ArrayDeque<>());
        return current.computeIfAbsent(name, n -> new Installed(StageCatalog.BUILTIN, builtinVersion, null,
                clock.instant(), catalog.builtin(n)));
    }

    /** Swaps {@code stage} to the catalog's {@code implementation}. */
    public synchronized Swapped swap(String stage, String implementation) throws SwapRefused {
        StageSlot slot = slot(stage);
        StageProvider p = catalog.find(stage, implementation);
        return install(slot, p, null, true);
    }

    /** Swaps {@code stage} to the implementation of it in {@code jar}. */
    public synchronized Swapped upgrade(String stage, Path jar) throws SwapRefused {
        StageSlot slot = slot(stage);
        StageJar j = StageJar.open(jar);
        try {
            return install(slot, j.provider(stage), j, true);
        } catch (SwapRefused | RuntimeException | Error e) {
            j.close();
            throw e;
        }
    }

    /** Swaps {@code stage} back to the implementation it ran before the last swap. */
    public synchronized Swapped rollback(String stage) throws SwapRefused {
        StageSlot slot = slot(stage);
        installed(stage);
        Installed previous = history.get(stage).peekFirst();
        if (previous == null) {
            throw new SwapRefused(stage + " has not been swapped: nothing to roll back to");
        }
        if (previous.provider() == null) {
            throw new SwapRefused(stage + ": " + previous + " cannot be made again (no provider)");
        }
        Swapped s = install(slot, previous.provider(), previous.jar(), false);
        history.get(stage).removeFirst();
        return s;
    }

    /**
     * Swaps this graph's slots to what {@code rows} (another switchboard's, of the graph this one
     * replaces) ran: the catalog's implementation, or the jar it came from. Returns a line per
     * slot that could not be carried over (gone from the graph, or refused), empty when all were.
     */
    public synchronized List<String> carryOver(List<StageRow> rows) {
        List<String> refused = new ArrayList<>();
        for (StageRow r : rows) {
            if (r.implementation().equals(StageCatalog.BUILTIN) || !current.containsKey(r.slot())) {
                continue;
            }
            try {
                if (r.origin().equals(StageCatalog.BUILTIN)) {
                    swap(r.slot(), r.implementation());
                } else {
                    upgrade(r.slot(), Path.of(r.origin()));
                }
            } catch (SwapRefused e) {
                refused.add(r.slot() + ": " + r.implementation() + " " + r.version() + ": " + e.getMessage());
            }
        }
        return refused;
    }

    /** Every slot, in graph order. */
    public synchronized List<StageRow> rows() {
        List<StageRow> out = new ArrayList<>();
        for (StageSlot s : graph.slots()) {
            String name = s.stage().name();
            Installed i = installed(name);
            long packets = 0;
            for (GraphRuntime rt : runtimes) {
                packets += rt.counters(s.index()).packets();
            }
            out.add(new StageRow(name, i.implementation(), i.version(), i.origin(), i.since(), packets));
        }
        return out;
    }

    private StageSlot slot(String stage) throws SwapRefused {
        try {
            return graph.slot(stage);
        } catch (IllegalArgumentException e) {
            throw new SwapRefused(e.getMessage(), e);
        }
    }

    private Swapped install(StageSlot slot, StageProvider provider, StageJar jar, boolean remember)
            throws SwapRefused {
        Stage<?> old = slot.stage();
        String name = old.name();
        Stage<?> neu = SwapCheck.successor(provider, old);
        try {
            slot.publish(neu);
        } catch (IllegalArgumentException e) {
            SwapCheck.closeQuietly(neu);
            throw new SwapRefused(e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        Quiescence q = Quiescence.mark(runtimes);
        Installed from = installed(name);
        Installed to = new Installed(provider.implementation(), provider.version(), jar, clock.instant(), provider);
        current.put(name, to);
        List<StageJar> unused = new ArrayList<>();
        if (remember) {
            Deque<Installed> h = history.get(name);
            h.addFirst(from);
            if (h.size() > HISTORY) {
                addIfUnused(unused, h.removeLast().jar());
            }
        } else {
            addIfUnused(unused, from.jar());
        }
        boolean closed = q.await(quiescenceLimit);
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        if (closed) {
            retire(old, unused);
        } else {
            Thread.ofVirtual().name("stage-retire-" + name).start(() -> {
                while (!q.await(Duration.ofSeconds(1))) {
                    // A worker stuck in one round for longer is a bug shown elsewhere; keep waiting.
                }
                retire(old, unused);
            });
        }
        return new Swapped(name, from, to, closed, waited);
    }

    /** {@code jar}, if not null and nothing runs or remembers anything from it any more. */
    private void addIfUnused(List<StageJar> out, StageJar jar) {
        if (jar == null) {
            return;
        }
        for (Installed i : current.values()) {
            if (i.jar() == jar) {
                return;
            }
        }
        for (Deque<Installed> h : history.values()) {
            for (Installed i : h) {
                if (i.jar() == jar) {
                    return;
                }
            }
        }
        out.add(jar);
    }

    private static void retire(Stage<?> old, List<StageJar> jars) {
        SwapCheck.closeQuietly(old);
        for (StageJar j : jars) {
            j.close();
        }
    }
}
