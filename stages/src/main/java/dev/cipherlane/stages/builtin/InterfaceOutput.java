package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Hands each packet to the output stage of its tx interface's kind, like VPP's
 * interface-output: pods and the host tap are written by {@code tap-output}, the uplink by
 * {@code afpacket-output}. The forwarding stages name one tx stage; this is it when a node
 * has interfaces of more than one kind. One array load per packet.
 */
public final class InterfaceOutput extends Stage<InterfaceOutput.Params> {
    public static final String NAME = "interface-output";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown tx interface");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /**
     * @param outputs       arc names, the output stages, in arc order
     * @param arcOfInterface for each interface index, the arc of its output stage, or -1
     */
    public record Params(List<String> outputs, int[] arcOfInterface) {
        public Params {
            outputs = List.copyOf(outputs);
            arcOfInterface = arcOfInterface.clone();
            for (int arc : arcOfInterface) {
                if (arc < -1 || arc >= outputs.size()) {
                    throw new IllegalArgumentException(NAME + ": arc " + arc + " outside 0.." + (outputs.size() - 1));
                }
            }
        }

        /** Interfaces by output stage name. */
        public static Params of(List<String> outputs, Map<Integer, String> outputOfInterface) {
            int size = 0;
            for (int itf : outputOfInterface.keySet()) {
                if (itf < 0) {
                    throw new IllegalArgumentException(NAME + ": negative interface index " + itf);
                }
                size = Math.max(size, itf + 1);
            }
            int[] arcs = new int[size];
            Arrays.fill(arcs, -1);
            for (Map.Entry<Integer, String> e : outputOfInterface.entrySet()) {
                int arc = outputs.indexOf(e.getValue());
                if (arc < 0) {
                    throw new IllegalArgumentException(NAME + ": interface " + e.getKey() + " names unknown output "
                            + e.getValue());
                }
                arcs[e.getKey()] = arc;
            }
            return new Params(outputs, arcs);
        }

        @Override
        public int[] arcOfInterface() {
            return arcOfInterface.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params p && outputs.equals(p.outputs) && Arrays.equals(arcOfInterface, p.arcOfInterface);
        }

        @Override
        public int hashCode() {
            return outputs.hashCode() * 31 + Arrays.hashCode(arcOfInterface);
        }

        @Override
        public String toString() {
            return "outputs " + outputs + " by interface " + Arrays.toString(arcOfInterface);
        }
    }

    public InterfaceOutput(Params params) {
        super(StageSpec.of(NAME, NextArc.None.class, Errors.class).withArcs(params.outputs()), params);
    }

    @Override
    protected Params validate(Params p) {
        Params current = params();
        if (p == null || current != null && !current.outputs().equals(p.outputs())) {
            throw new IllegalArgumentException(NAME + ": outputs are fixed when the stage is made; interfaces may change");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        int[] byInterface = params().arcOfInterface;
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int itf = mem.txInterface(bi);
            int arc = itf >= 0 && itf < byInterface.length ? byInterface[itf] : -1;
            if (arc < 0) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
            } else {
                ctx.enqueue(arc, bi);
            }
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "tx interface " + mem.txInterface(bi);
    }
}
