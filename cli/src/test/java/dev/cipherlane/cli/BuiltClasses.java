package dev.cipherlane.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The class files the build made for a module: where a class was loaded from, and what is there. */
final class BuiltClasses {
    private BuiltClasses() {}

    /** The jar or classes directory {@code c} was loaded from. */
    static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The .class entries of a jar or a classes directory, slash-separated names to contents. */
    static Map<String, byte[]> of(Path where) {
        try {
            Map<String, byte[]> classes = new TreeMap<>();
            if (Files.isDirectory(where)) {
                try (Stream<Path> s = Files.walk(where)) {
                    for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                        classes.put(where.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                    }
                }
                return classes;
            }
            try (FileSystem jar = FileSystems.newFileSystem(where); Stream<Path> s = Files.walk(jar.getPath("/"))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                    classes.put(p.toString().substring(1), Files.readAllBytes(p));
                }
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
