package dev.cipherlane.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs setup and verification tools (ip, ethtool, ping) for root tests. Product code never shells out. */
final class Commands {
    private Commands() {}

    /** Output of {@code cmd}; throws with its output if it fails. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Result r = exec(cmd);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    record Result(int exitCode, String output) {}

    static Result exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        return new Result(p.exitValue(), out);
    }

    /** Effective uid 0, read from /proc/self/status ("Uid: real effective saved fs"). */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
