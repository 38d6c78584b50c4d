package dev.cipherlane.stages.swap;

import java.util.ArrayList;
import java.util.List;

/**
 * The implementations a slot can be swapped to without a jar: the built-in stages, each
 * under {@value #BUILTIN} (swapping to it makes a new instance of the built-in class), and
 * the alternatives shipped with the node.
 */
public final class StageCatalog {
    public static final String BUILTIN = "builtin";

    private final List<StageProvider> providers;

    public StageCatalog(List<StageProvider> providers) {
        this.providers = List.copyOf(providers);
        for (int i = 0; i < this.providers.size(); i++) {
            StageProvider p = this.providers.get(i);
            for (int j = 0; j < i; j++) {
                StageProvider q = this.providers.get(j);
                if (q.stage().equals(p.stage()) && q.implementation().equals(p.implementation())) {
                    throw new IllegalArgumentException("two implementations " + p.implementation() + " of " + p.stage());
                }
            }
        }
    }

    /** Implementation {@code implementation} of {@code stage}, or why there is none. */
    public StageProvider find(String stage, String implementation) throws SwapRefused {
        for (StageProvider p : providers) {
            if (p.stage().equals(stage) && p.implementation().equals(implementation)) {
                return p;
            }
        }
        List<String> known = implementations(stage);
        throw new SwapRefused("no implementation '" + implementation + "' of " + stage + "; "
                + (known.isEmpty() ? "it has none to swap to" : "known: " + String.join(", ", known))
                + " (or stage upgrade " + stage + " --jar <file>)");
    }

    /** The built-in implementation of {@code stage}, or null. */
    public StageProvider builtin(String stage) {
        for (StageProvider p : providers) {
            if (p.stage().equals(stage) && p.implementation().equals(BUILTIN)) {
                return p;
            }
        }
        return null;
    }

    public List<String> implementations(String stage) {
        List<String> out = new ArrayList<>();
        for (StageProvider p : providers) {
            if (p.stage().equals(stage)) {
                out.add(p.implementation());
            }
        }
        return out;
    }
}
