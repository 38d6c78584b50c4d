package dev.cipherlane.stages.swap;

import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.Stage;

/**
 * The SPI's validation, run before an instance goes live: it is built from the running
 * instance's parameters (the stage's own {@code validate} runs in its constructor), declares
 * the same spec as the slot, is an input stage exactly when the running one is (the runtime
 * polls inputs and decides that once), and takes over the running instance's state.
 */
final class SwapCheck {
    private SwapCheck() {}

    /** A checked successor of {@code running} from {@code provider}, or why there is none. */
    static Stage<?> successor(StageProvider provider, Stage<?> running) throws SwapRefused {
        String what = running.name() + " " + provider.implementation() + " " + provider.version();
        Stage<?> candidate;
        try {
            candidate = provider.create(running);
        } catch (RuntimeException | LinkageError e) {
            throw new SwapRefused(what + " refused the running parameters: " + e, e);
        }
        if (candidate == null) {
            throw new SwapRefused(what + " created no stage");
        }
        if (!candidate.spec().equals(running.spec())) {
            throw new SwapRefused(what + " declares " + candidate.spec() + ", the slot has " + running.spec());
        }
        if ((candidate instanceof InputStage<?>) != (running instanceof InputStage<?>)) {
            throw new SwapRefused(what + (running instanceof InputStage<?> ? " is not" : " is")
                    + " an input stage, the slot's is" + (running instanceof InputStage<?> ? "" : " not"));
        }
        try {
            candidate.takeOver(running);
        } catch (RuntimeException | LinkageError e) {
            closeQuietly(candidate);
            throw new SwapRefused(what + " could not take over from the running instance: " + e, e);
        }
        return candidate;
    }

    static void closeQuietly(Stage<?> stage) {
        try {
            stage.close();
        } catch (RuntimeException | LinkageError ignored) {
            // A stage that never went live failing to close leaves nothing running to repair.
        }
    }
}
