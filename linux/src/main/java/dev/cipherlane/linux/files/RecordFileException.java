package dev.cipherlane.linux.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A record file that does not read as its format says. Names the file and, when the
 * problem sits on one line, that line, as compilers do ({@code /var/lib/cipherlane/node.state:4: ...}).
 */
public final class RecordFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String problem;

    /** A problem on {@code line} (1-based), or with the whole file when {@code line} is 0. */
    public RecordFileException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** 1-based; 0 when the problem is not on one line. */
    public int line() {
        return line;
    }

    /** The message without the file and line. */
    public String problem() {
        return problem;
    }
}
