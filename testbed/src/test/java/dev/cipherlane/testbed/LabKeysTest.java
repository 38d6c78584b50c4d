package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.keys.SaKeys;
import dev.cipherlane.ipsec.keys.StaticKeyFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key files a lab writes are ones the node's own loader ({@link StaticKeyFile#load})
 * accepts, and every two nodes' files for a tunnel mirror each other: what one sends on is
 * what the other receives on, with the same key, and the two directions differ. No root needed.
 */
class LabKeysTest {
    private static final int NODES = 3;
    private static final int TUNNELS = 2;

    @TempDir
    Path dir;

    private List<Path> write(LabSpec spec, String run) throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            dirs.add(dir.resolve(run).resolve("n" + n).resolve(LabKeys.DIRECTORY));
        }
        LabKeys.write(spec, dirs, new SecureRandom());
        return dirs;
    }

    private static LabSpec threeNodes() {
        return LabSpec.defaults().withNodes(NODES).withTunnels(TUNNELS, TUNNELS - 1);
    }

    @Test
    void everyTunnelsFilesLoadAndMirrorEachOther() throws Exception {
        List<Path> dirs = write(threeNodes(), "a");
        for (int a = 1; a <= NODES; a++) {
            for (int b = 1; b <= NODES; b++) {
                if (a == b) {
                    continue;
                }
                for (int t = 0; t < TUNNELS; t++) {
                    StaticKeyFile mine = StaticKeyFile.load(LabKeys.file(dirs.get(a - 1), "n" + b, t));
                    StaticKeyFile theirs = StaticKeyFile.load(LabKeys.file(dirs.get(b - 1), "n" + a, t));
                    String where = "n" + a + " and n" + b + ", tunnel " + t;
                    assertEquals(mine.outbound().spi(), theirs.inbound().spi(), where);
                    assertEquals(mine.inbound().spi(), theirs.outbound().spi(), where);
                    assertTrue(mine.outbound().material().sameAs(theirs.inbound().material()), where);
                    assertTrue(mine.inbound().material().sameAs(theirs.outbound().material()), where);
                    assertNotEquals(mine.inbound().spi(), mine.outbound().spi(), where);
                    assertFalse(mine.inbound().material().sameAs(mine.outbound().material()), where);
                    assertFalse(mine.esn(), where);
                }
            }
        }
    }

    @Test
    void spisAreUsableAndUniqueInTheWholeLabAndKeysDistinctPerNode() throws Exception {
        List<Path> dirs = write(threeNodes(), "a");
        Set<Integer> inbound = new HashSet<>();
        for (Path d : dirs) {
            List<StaticKeyFile> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(d)) {
                for (Path f : s.sorted().toList()) {
                    files.add(StaticKeyFile.load(f));
                }
            }
            assertEquals((NODES - 1) * TUNNELS, files.size(), d::toString);
            // The node's own check: inbound SPIs unique on the node, no key serving two SAs.
            StaticKeyFile.requireDistinct(files);
            for (StaticKeyFile f : files) {
                assertTrue(Integer.toUnsignedLong(f.inbound().spi()) >= SaKeys.FIRST_USABLE_SPI, f::toString);
                assertTrue(inbound.add(f.inbound().spi()), () -> "SPI used twice in the lab: " + f);
            }
        }
        assertEquals(NODES * (NODES - 1) * TUNNELS, inbound.size());
    }

    @Test
    void keyDirectoriesAre0700AndFiles0600() throws Exception {
        for (Path d : write(threeNodes(), "a")) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d::toString);
            try (Stream<Path> s = Files.list(d)) {
                for (Path f : s.toList()) {
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                            f::toString);
                    assertTrue(f.getFileName().toString().matches("n[1-3]\\.[01]\\.key"), f::toString);
                }
            }
        }
    }

    @Test
    void twoLabsDrawDifferentKeys() throws Exception {
        Path first = write(threeNodes(), "a").getFirst();
        Path second = write(threeNodes(), "b").getFirst();
        StaticKeyFile x = StaticKeyFile.load(LabKeys.file(first, "n2", 0));
        StaticKeyFile y = StaticKeyFile.load(LabKeys.file(second, "n2", 0));
        assertFalse(x.outbound().material().sameAs(y.outbound().material()));
        assertFalse(x.inbound().material().sameAs(y.inbound().material()));
    }

    @Test
    void keysAreNeverOverwrittenAndEveryNodeNeedsADirectory() throws Exception {
        List<Path> dirs = write(threeNodes(), "a");
        assertThrows(FileAlreadyExistsException.class,
                () -> LabKeys.write(threeNodes(), dirs, new SecureRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> LabKeys.write(threeNodes(), dirs.subList(0, 2), new SecureRandom()));
    }
}
