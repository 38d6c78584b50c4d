package dev.cipherlane.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * Reads a node's config file into {@link NodeSettings}, or explains every reason it cannot.
 *
 * <p>The file is layered over this module's reference.conf and nothing else. Java system
 * properties are deliberately not applied ({@code ConfigFactory.load()} would), because a
 * stray {@code -Dcipherlane...} on a service's command line would silently override what
 * the file says; the file and its defaults are the whole truth. Environment variables are
 * used only where the file asks for one with {@code ${?VAR}}, which is how secrets will
 * arrive without being written into the file.
 */
public final class NodeConfigLoader {

    private NodeConfigLoader() {
    }

    /**
     * @param file the node's config file; problems name it exactly as given here
     * @throws ConfigValidationException listing every problem, one line each
     */
    public static NodeSettings load(Path file) throws ConfigValidationException {
        checkReadable(file);
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw single(fromException(e, file));
        }
        return read(parsed);
    }

    /** The settings of an empty config file: reference.conf alone. */
    public static NodeSettings defaults() {
        try {
            return read(ConfigFactory.empty());
        } catch (ConfigValidationException e) {
            throw new IllegalStateException("reference.conf does not validate:\n" + e.getMessage(), e);
        }
    }

    private static NodeSettings read(Config file) throws ConfigValidationException {
        Config merged;
        try {
            merged = file.withFallback(Reference.CONFIG).resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            throw single(fromException(e, null));
        }
        Problems problems = new Problems();
        ConfigSection root = new ConfigSection(merged.root(), Reference.DEFAULTS, merged.origin(), "", problems);
        NodeSettings settings = NodeSettingsReader.read(root, problems);
        problems.throwIfAny();
        return settings;
    }

    private static void checkReadable(Path file) throws ConfigValidationException {
        String name = file.toString();
        if (!Files.exists(file)) {
            throw single(new ConfigProblem(name, 0, "", "a config file", "no such file"));
        }
        if (Files.isDirectory(file)) {
            throw single(new ConfigProblem(name, 0, "", "a config file", "a directory"));
        }
        if (!Files.isReadable(file)) {
            throw single(new ConfigProblem(name, 0, "", "a readable config file", "permission denied"));
        }
    }

    /**
     * Typesafe Config prefixes its messages with the origin; the problem carries the
     * origin separately, so strip it to keep the line from saying it twice.
     */
    private static ConfigProblem fromException(ConfigException e, Path file) {
        String expected = switch (e) {
            case ConfigException.UnresolvedSubstitution unresolved -> "a substitution that resolves to a value";
            case ConfigException.Parse parse -> "valid HOCON syntax";
            case ConfigException.IO io -> "a readable file";
            default -> "a valid config file";
        };
        ConfigOrigin origin = e.origin();
        String message = e.getMessage();
        if (origin != null && message.startsWith(origin.description() + ": ")) {
            message = message.substring(origin.description().length() + 2);
        }
        String unresolved = "Could not resolve substitution to a value: ";
        if (message.startsWith(unresolved)) {
            message = message.substring(unresolved.length());
        }
        if (origin == null) {
            return new ConfigProblem(file == null ? "config" : file.toString(), 0, "", expected, message);
        }
        return new ConfigProblem(Problems.fileOf(origin), origin.lineNumber(), "", expected, message);
    }

    private static ConfigValidationException single(ConfigProblem problem) {
        return new ConfigValidationException(List.of(problem));
    }

    /** Parsed once: it is on the classpath and never changes. */
    private static final class Reference {
        /**
         * Unresolved on purpose: substitutions are resolved once, after the file is layered
         * on top, so the file can refer to defaults and defaults to the file.
         */
        static final Config CONFIG = parse().withOnlyPath(NodeSettings.ROOT);

        /** What a section falls back to after a bad value. */
        static final ConfigObject DEFAULTS = CONFIG.resolve().root();

        /**
         * Only this module's reference.conf when it can be told apart: Pekko's is large, and
         * parsing it would double the time `cipherlane run` takes to refuse a bad file.
         * Otherwise (a shaded jar merges them) every reference.conf on the classpath.
         */
        private static Config parse() {
            ClassLoader loader = NodeConfigLoader.class.getClassLoader();
            try {
                URL home = NodeConfigLoader.class.getProtectionDomain().getCodeSource().getLocation();
                for (URL candidate : Collections.list(loader.getResources("reference.conf"))) {
                    String text = candidate.toString();
                    if (text.equals(home + "reference.conf") || text.equals("jar:" + home + "!/reference.conf")) {
                        return ConfigFactory.parseURL(candidate);
                    }
                }
            } catch (IOException | SecurityException | NullPointerException e) {
                // No code source to compare with; parsing them all is slower but just as right.
            }
            return ConfigFactory.parseResources(loader, "reference.conf");
        }
    }
}
