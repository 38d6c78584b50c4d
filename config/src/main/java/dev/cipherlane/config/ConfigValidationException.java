package dev.cipherlane.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file the service refuses to run with. Carries every problem found, not just
 * the first, so one edit can fix them all; the message is their lines, one per problem.
 */
public final class ConfigValidationException extends Exception {

    private final List<ConfigProblem> problems;

    public ConfigValidationException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::render).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
