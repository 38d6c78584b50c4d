package dev.cipherlane.config;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems while a config is read, so reading goes on past the first one. */
final class Problems {

    private static final int MAX_SHOWN = 80;

    private final List<ConfigProblem> found = new ArrayList<>();

    void add(ConfigOrigin origin, String path, String expected, String got) {
        found.add(new ConfigProblem(fileOf(origin), origin.lineNumber(), path, expected, got));
    }

    int count() {
        return found.size();
    }

    /** In file order, the order an operator fixes them in. */
    void throwIfAny() throws ConfigValidationException {
        if (!found.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(found);
            sorted.sort(Comparator.comparing(ConfigProblem::file).thenComparingInt(ConfigProblem::line)
                    .thenComparing(ConfigProblem::path));
            throw new ConfigValidationException(sorted);
        }
    }

    /** A value as HOCON on one line, cut short so a pasted blob cannot flood the terminal. */
    static String got(ConfigValue value) {
        String text = value.render(ConfigRenderOptions.concise()).replace('\n', ' ');
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN - 3) + "...";
    }

    /**
     * Typesafe Config records a parsed file under the path it was given, so a file named
     * on the command line comes back exactly as the operator typed it.
     */
    static String fileOf(ConfigOrigin origin) {
        if (origin.filename() != null) {
            return origin.filename();
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        return origin.description();
    }
}
