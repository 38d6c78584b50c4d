package dev.cipherlane.config;

import java.util.Objects;

/**
 * One thing wrong with a config file, located precisely enough to fix without reading
 * the code: {@code node.conf:3: cipherlane.dataplane.workers: expected an integer in 1..64, got 0}.
 *
 * @param file     the file as the operator named it (or an included file, or a resource)
 * @param line     1-based line, or 0 when the problem is with the file as a whole
 * @param path     setting path, list elements as [index]; empty for syntax errors and missing files
 * @param expected what a valid value looks like
 * @param got      what was found: the value as HOCON, or a short description
 */
public record ConfigProblem(String file, int line, String path, String expected, String got) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(got, "got");
        line = Math.max(line, 0);
    }

    /** The one-line form, also what {@link #toString()} gives. */
    public String render() {
        StringBuilder text = new StringBuilder(file);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (!path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append("expected ").append(expected).append(", got ").append(got).toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
