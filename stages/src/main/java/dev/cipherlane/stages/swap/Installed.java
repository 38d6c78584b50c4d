package dev.cipherlane.stages.swap;

import java.time.Instant;

/**
 * Which implementation a slot runs and since when: a row of {@code show stages} and an entry
 * of the slot's rollback history.
 *
 * @param provider what made the instance (null: the graph's own instance, with no provider to
 *                 make another)
 * @param jar      the jar it came from, or null for a built-in
 */
public record Installed(String implementation, String version, StageJar jar, Instant since, StageProvider provider) {
    /** The jar's path, or {@value StageCatalog#BUILTIN}. */
    public String origin() {
        return jar == null ? StageCatalog.BUILTIN : jar.path().toString();
    }

    @Override
    public String toString() {
        return implementation + " " + version + (jar == null ? "" : " from " + jar.path());
    }
}
