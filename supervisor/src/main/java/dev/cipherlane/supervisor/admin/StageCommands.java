package dev.cipherlane.supervisor.admin;

import dev.cipherlane.stages.swap.StageSwitchboard;
import dev.cipherlane.stages.swap.SwapRefused;
import dev.cipherlane.stages.swap.Swapped;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import dev.cipherlane.supervisor.admin.views.StagesView;
import dev.cipherlane.supervisor.admin.views.ViewJson;
import java.util.List;

/**
 * {@code show stages} and {@code stage swap|upgrade|rollback}: the admin side of hot swap.
 * A swap waits for every worker to pass the swap point, bounded by the switchboard's limit
 * (normally one round, microseconds), so it is answered in the admin actor's turn.
 */
final class StageCommands {
    static final List<String> USAGE = List.of("show stages", "stage swap <slot> <implementation>",
            "stage upgrade <slot> --jar <file>", "stage rollback <slot>");

    private StageCommands() {}

    /** The table, or with {@code json} the JSON, of {@link StagesView}. */
    static String show(DataplaneView d, boolean json) {
        StageSwitchboard board = d.stages();
        if (board == null) {
            return AdminCommands.ERROR + "this dataplane has no swappable stages\n";
        }
        StagesView view = StagesView.of(board.rows());
        return json ? ViewJson.write(view) : view.text();
    }

    /** {@code command} starts with "stage". */
    static String stage(DataplaneView d, String command) {
        String[] w = command.split(" ");
        String verb = w.length > 1 ? w[1] : "";
        StageSwitchboard board = d.stages();
        if (board == null) {
            return AdminCommands.ERROR + "stage " + verb + ": this dataplane has no swappable stages\n";
        }
        try {
            Swapped s = switch (verb) {
                case "swap" -> {
                    expect(w.length == 4, "stage swap <slot> <implementation>");
                    yield board.swap(w[2], w[3]);
                }
                case "upgrade" -> {
                    expect(w.length == 5 && w[3].equals("--jar"), "stage upgrade <slot> --jar <file>");
                    yield board.upgrade(w[2], jar(w[4]));
                }
                case "rollback" -> {
                    expect(w.length == 3, "stage rollback <slot>");
                    yield board.rollback(w[2]);
                }
                default -> throw new SwapRefused("expected one of: " + String.join(", ", USAGE.subList(1, 4)));
            };
            return s.describe() + "\n";
        } catch (SwapRefused e) {
            return AdminCommands.ERROR + "stage " + (verb.isEmpty() ? "" : verb + " ") + "refused: " + e.getMessage()
                    + "; traffic goes on as before\n";
        }
    }

    private static void expect(boolean ok, String usage) throws SwapRefused {
        if (!ok) {
            throw new SwapRefused("usage: " + usage);
        }
    }

    private static Path jar(String file) throws SwapRefused {
        try {
            Path p = Path.of(file);
            if (!p.isAbsolute()) {
                // The service's working directory is not the operator's: ctl sends absolute paths.
                throw new SwapRefused(file + ": give the jar's absolute path");
            }
            return p;
        } catch (InvalidPathException e) {
            throw new SwapRefused(file + ": " + e.getMessage(), e);
        }
    }
}
