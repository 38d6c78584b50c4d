package dev.cipherlane.stages.swap;

import dev.cipherlane.stages.graph.Stage;
import java.util.function.Function;

/**
 * An implementation of a stage that a slot can be swapped to: the service a stage jar
 * declares in {@code META-INF/services/dev.cipherlane.stages.swap.StageProvider} (found with
 * {@link java.util.ServiceLoader} in the jar's own class loader), and the form the built-in
 * implementations take. A provider needs a public no-argument constructor.
 *
 * <p>Before an instance goes live it must pass {@link SwapCheck}: the same spec (name, next
 * arcs, errors) as the running instance, an input stage only for an input stage, parameters its
 * own validation accepts (its constructor runs it), and a {@link Stage#takeOver} that does not
 * throw.
 */
public interface StageProvider {
    /** The slot this implements: the stage's name in the graph, e.g. {@code ip4-lookup}. */
    String stage();

    /** This implementation's name, as {@code stage swap} takes it, e.g. {@code frame-cache}. */
    String implementation();

    /** What {@code show stages} prints as its version. */
    String version();

    /**
     * A new instance to replace {@code running}, normally with {@code running.params()}: the
     * parameters carry the tables and queues the stage reads, so they are what it inherits.
     * Throws IllegalArgumentException when it cannot take those parameters.
     */
    Stage<?> create(Stage<?> running);

    /**
     * A provider whose stages take parameters of type {@code params}, the running stage's:
     * {@code factory} gets them.
     */
    static <P> StageProvider of(String stage, String implementation, String version, Class<P> params,
            Function<P, ? extends Stage<P>> factory) {
        return new StageProvider() {
            @Override
            public String stage() {
                return stage;
            }

            @Override
            public String implementation() {
                return implementation;
            }

            @Override
            public String version() {
                return version;
            }

            @Override
            public Stage<?> create(Stage<?> running) {
                Object p = running.params();
                if (!params.isInstance(p)) {
                    throw new IllegalArgumentException(stage + " " + implementation + " takes " + params.getName()
                            + ", the running stage has " + (p == null ? "none" : p.getClass().getName()));
                }
                return factory.apply(params.cast(p));
            }

            @Override
            public String toString() {
                return stage + " " + implementation + " " + version;
            }
        };
    }
}
