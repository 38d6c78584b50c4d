package dev.cipherlane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.host.pod.PodTaps;
import dev.cipherlane.supervisor.NodeService;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every setting reference.conf offers is read by the code it claims to control: each
 * accessor of the typed settings (NodeSettings and the records it holds) is called from some
 * class of the node service or the command line, outside the config module itself (whose
 * renderer and diff read everything). Checked on the class files: a call leaves the
 * accessor's name and its record's class in the caller's constant pool.
 */
class SettingsUseTest {
    /**
     * Components the node reads through a method of their own record rather than the
     * accessor, and that method: ipsec.key-dir through the key file of a tunnel, a peer's
     * addresses through the address of a tunnel.
     */
    private static final Map<String, String> READ_THROUGH = Map.of(
            "IpsecSettings.keyDir", "keyFile",
            "PeerSettings.addresses", "address");

    @Test
    void everySettingIsReadOutsideTheConfigModule() {
        List<byte[]> consumers = new ArrayList<>();
        for (Class<?> module : List.of(NodeService.class, PodTaps.class, Main.class)) {
            consumers.addAll(classes(location(module)));
        }
        List<String> unread = new ArrayList<>();
        for (Class<?> record : settingsRecords()) {
            String owner = record.getName().replace('.', '/');
            for (RecordComponent c : record.getRecordComponents()) {
                String method = READ_THROUGH.getOrDefault(record.getSimpleName() + "." + c.getName(), c.getName());
                if (consumers.stream().noneMatch(bytes -> names(bytes, owner, method))) {
                    unread.add(record.getSimpleName() + "." + c.getName());
                }
            }
        }
        assertEquals(List.of(), unread, "settings that nothing reads");
    }

    @Test
    void theCheckSeesAnUnreadName() {
        List<byte[]> consumers = classes(location(NodeService.class));
        String owner = NodeSettings.class.getName().replace('.', '/');
        assertTrue(consumers.stream().anyMatch(b -> names(b, owner, "dataplane")));
        assertFalse(consumers.stream().anyMatch(b -> names(b, owner, "noSuchSetting")));
    }

    /** NodeSettings and every settings record reachable from its components. */
    private static List<Class<?>> settingsRecords() {
        List<Class<?>> found = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(NodeSettings.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!seen.add(c)) {
                continue;
            }
            found.add(c);
            for (RecordComponent rc : c.getRecordComponents()) {
                for (Class<?> t : componentTypes(rc)) {
                    if (t.isRecord() && t.getPackageName().equals(NodeSettings.class.getPackageName())) {
                        todo.push(t);
                    }
                }
            }
        }
        return found;
    }

    /** The component's type, and the element type of a List or Optional of records. */
    private static List<Class<?>> componentTypes(RecordComponent rc) {
        List<Class<?>> types = new ArrayList<>(List.of(rc.getType()));
        if (rc.getGenericType() instanceof java.lang.reflect.ParameterizedType p) {
            for (var arg : p.getActualTypeArguments()) {
                if (arg instanceof Class<?> k) {
                    types.add(k);
                }
            }
        }
        return types;
    }

    /** Whether the class file's constant pool holds both UTF-8 entries {@code owner} and {@code method}. */
    private static boolean names(byte[] classFile, String owner, String method) {
        return containsUtf8(classFile, owner) && containsUtf8(classFile, method);
    }

    private static boolean containsUtf8(byte[] classFile, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] entry = new byte[t.length + 3];
        entry[0] = 1; // CONSTANT_Utf8 (JVMS 4.4.7), then a big-endian u2 length
        entry[1] = (byte) (t.length >>> 8);
        entry[2] = (byte) t.length;
        System.arraycopy(t, 0, entry, 3, t.length);
        outer:
        for (int i = 0; i + entry.length <= classFile.length; i++) {
            for (int j = 0; j < entry.length; j++) {
                if (classFile[i + j] != entry[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Path location(Class<?> c) {
        return BuiltClasses.location(c);
    }

    private static List<byte[]> classes(Path where) {
        return List.copyOf(BuiltClasses.of(where).values());
    }
}
