package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes test configs to disk, because line numbers and file names are part of what is tested. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NodeSettings load(Path dir, String content) throws ConfigValidationException {
        return NodeConfigLoader.load(write(dir, "node.conf", content));
    }

    /** The rendered problem lines of a file that must not load. */
    static List<String> problems(Path file) {
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> NodeConfigLoader.load(file));
        return e.problems().stream().map(ConfigProblem::render).toList();
    }
}
