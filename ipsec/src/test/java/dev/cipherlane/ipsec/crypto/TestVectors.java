package dev.cipherlane.ipsec.crypto;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the vector files in test resources: blocks of {@code key = value} lines separated by
 * blank lines, {@code #} comments, indented lines continuing the previous value.
 */
public final class TestVectors {
    private TestVectors() {}

    public static List<Map<String, String>> load(String resource) {
        InputStream in = TestVectors.class.getResourceAsStream("/" + resource);
        if (in == null) {
            throw new IllegalArgumentException("no test resource " + resource);
        }
        List<Map<String, String>> blocks = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            Map<String, String> block = new LinkedHashMap<>();
            String last = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.isBlank()) {
                    if (!block.isEmpty()) {
                        blocks.add(block);
                        block = new LinkedHashMap<>();
                    }
                    last = null;
                } else if (Character.isWhitespace(line.charAt(0)) && last != null) {
                    block.put(last, block.get(last) + line.trim());
                } else {
                    int eq = line.indexOf('=');
                    last = line.substring(0, eq).trim();
                    block.put(last, line.substring(eq + 1).trim());
                }
            }
            if (!block.isEmpty()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return blocks;
    }
}
