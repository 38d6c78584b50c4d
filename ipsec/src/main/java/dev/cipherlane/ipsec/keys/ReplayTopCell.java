package dev.cipherlane.ipsec.keys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;

/**
 * The highest number an inbound window accepted, kept exactly in a page of a file mapped
 * shared beside the replay file. The worker stores each new top there with one plain write,
 * and the page cache keeps that write when the process dies, {@code kill -9} included; only a
 * crash of the machine itself can lose it. The boot id kept beside it (proc(5),
 * {@code /proc/sys/kernel/random/boot_id}) tells the two apart at the next start:
 *
 * <ul>
 *   <li>same boot: the process restarted, the cell is exact, and the window resumes right
 *       above it, so the peer's next packets (which carry on from where it was) are accepted
 *       at once while every number seen before stays refused;</li>
 *   <li>another boot, or no readable cell: the window resumes at the fsync'd mark of the
 *       replay file, a block ahead, which a machine crash cannot undo ({@link ReplayReservation}).</li>
 * </ul>
 *
 * Without the cell every restart would refuse the peer's next block of numbers (up to a
 * million packets), which stalls a tunnel that carries little more than acknowledgements.
 */
final class ReplayTopCell implements AutoCloseable {
    static final int SIZE = 4096;
    /** "CLRTOP01". */
    private static final long MAGIC = 0x434c52544f503031L;
    private static final int BOOT_AT = 8;
    private static final int BOOT_LENGTH = 36;
    private static final int TOP_AT = 48;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final Arena arena;
    private final MemorySegment page;
    private final OptionalLong sameBootTop;

    private ReplayTopCell(Arena arena, MemorySegment page, OptionalLong sameBootTop) {
        this.arena = arena;
        this.page = page;
        this.sameBootTop = sameBootTop;
    }

    /** The cell at {@code file}, created owner-only when missing, stamped with this boot's id. */
    static ReplayTopCell open(Path file) throws IOException {
        byte[] boot = bootId();
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            if (ch.size() < SIZE) {
                ch.write(ByteBuffer.allocate((int) (SIZE - ch.size())), ch.size());
            }
            MemorySegment page = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena);
            OptionalLong top = OptionalLong.empty();
            if (page.get(ValueLayout.JAVA_LONG, 0) == MAGIC
                    && MemorySegment.mismatch(page, BOOT_AT, BOOT_AT + BOOT_LENGTH,
                            MemorySegment.ofArray(boot), 0, BOOT_LENGTH) == -1) {
                top = OptionalLong.of(page.get(ValueLayout.JAVA_LONG, TOP_AT));
            }
            MemorySegment.copy(MemorySegment.ofArray(boot), 0, page, BOOT_AT, BOOT_LENGTH);
            page.set(ValueLayout.JAVA_LONG, 0, MAGIC);
            return new ReplayTopCell(arena, page, top);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The top the cell held when opened, if it was written during this boot: exact then. */
    OptionalLong sameBootTop() {
        return sameBootTop;
    }

    /** The 8 bytes the window stores its top in. */
    MemorySegment top() {
        return page.asSlice(TOP_AT, Long.BYTES);
    }

    private static byte[] bootId() throws IOException {
        byte[] id = Files.readString(BOOT_ID).strip().getBytes(StandardCharsets.US_ASCII);
        if (id.length != BOOT_LENGTH) {
            throw new IOException(BOOT_ID + ": expected a 36-character boot id, got " + id.length + " bytes");
        }
        return id;
    }

    @Override
    public void close() {
        arena.close();
    }
}
