package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;

/**
 * What {@code ethernet-input} and {@code ethernet-output} share: their one parameter, the
 * interface table in which the rx or tx interface of a frame is looked up.
 */
abstract sealed class EthernetStage extends Stage<EthernetStage.Params> permits EthernetInput, EthernetOutput {
    /** @param interfaces where the rx interface's MAC or the tx interface's MTU is looked up */
    public record Params(InterfaceTable interfaces) {}

    EthernetStage(StageSpec spec, Params params) {
        super(spec, params);
    }

    @Override
    protected final Params validate(Params p) {
        if (p == null || p.interfaces() == null) {
            throw new IllegalArgumentException(name() + ": an interface table is required");
        }
        return p;
    }
}
