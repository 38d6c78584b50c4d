package dev.cipherlane.avf.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every constant of {@link VfioAbi} against the kernel's linux/vfio.h as the C compiler
 * sees it: ioctl numbers, flag values, struct sizes and field offsets.
 */
class VfioAbiTest {
    /** Each public constant of VfioAbi and the C expression it must equal. */
    private static final Map<String, String> C = new LinkedHashMap<>();

    static {
        C.put("API_VERSION", "VFIO_API_VERSION");
        C.put("TYPE1V2_IOMMU", "VFIO_TYPE1v2_IOMMU");
        C.put("GET_API_VERSION", "VFIO_GET_API_VERSION");
        C.put("CHECK_EXTENSION", "VFIO_CHECK_EXTENSION");
        C.put("SET_IOMMU", "VFIO_SET_IOMMU");
        C.put("GROUP_GET_STATUS", "VFIO_GROUP_GET_STATUS");
        C.put("GROUP_SET_CONTAINER", "VFIO_GROUP_SET_CONTAINER");
        C.put("GROUP_GET_DEVICE_FD", "VFIO_GROUP_GET_DEVICE_FD");
        C.put("DEVICE_GET_REGION_INFO", "VFIO_DEVICE_GET_REGION_INFO");
        C.put("DEVICE_RESET", "VFIO_DEVICE_RESET");
        C.put("IOMMU_MAP_DMA", "VFIO_IOMMU_MAP_DMA");
        C.put("IOMMU_UNMAP_DMA", "VFIO_IOMMU_UNMAP_DMA");
        C.put("GROUP_STATUS_SIZE", "sizeof(struct vfio_group_status)");
        C.put("GROUP_STATUS_ARGSZ", "offsetof(struct vfio_group_status, argsz)");
        C.put("GROUP_STATUS_FLAGS", "offsetof(struct vfio_group_status, flags)");
        C.put("GROUP_FLAGS_VIABLE", "VFIO_GROUP_FLAGS_VIABLE");
        C.put("REGION_INFO_SIZE", "sizeof(struct vfio_region_info)");
        C.put("REGION_INFO_ARGSZ", "offsetof(struct vfio_region_info, argsz)");
        C.put("REGION_INFO_FLAGS", "offsetof(struct vfio_region_info, flags)");
        C.put("REGION_INFO_INDEX", "offsetof(struct vfio_region_info, index)");
        C.put("REGION_INFO_CAP_OFFSET", "offsetof(struct vfio_region_info, cap_offset)");
        C.put("REGION_INFO_REGION_SIZE", "offsetof(struct vfio_region_info, size)");
        C.put("REGION_INFO_OFFSET", "offsetof(struct vfio_region_info, offset)");
        C.put("REGION_INFO_FLAG_READ", "VFIO_REGION_INFO_FLAG_READ");
        C.put("REGION_INFO_FLAG_WRITE", "VFIO_REGION_INFO_FLAG_WRITE");
        C.put("REGION_INFO_FLAG_MMAP", "VFIO_REGION_INFO_FLAG_MMAP");
        C.put("PCI_BAR0_REGION_INDEX", "VFIO_PCI_BAR0_REGION_INDEX");
        C.put("DMA_MAP_SIZE", "sizeof(struct vfio_iommu_type1_dma_map)");
        C.put("DMA_MAP_ARGSZ", "offsetof(struct vfio_iommu_type1_dma_map, argsz)");
        C.put("DMA_MAP_FLAGS", "offsetof(struct vfio_iommu_type1_dma_map, flags)");
        C.put("DMA_MAP_VADDR", "offsetof(struct vfio_iommu_type1_dma_map, vaddr)");
        C.put("DMA_MAP_IOVA", "offsetof(struct vfio_iommu_type1_dma_map, iova)");
        C.put("DMA_MAP_MAPPING_SIZE", "offsetof(struct vfio_iommu_type1_dma_map, size)");
        C.put("DMA_MAP_FLAG_READ", "VFIO_DMA_MAP_FLAG_READ");
        C.put("DMA_MAP_FLAG_WRITE", "VFIO_DMA_MAP_FLAG_WRITE");
        C.put("DMA_UNMAP_SIZE", "sizeof(struct vfio_iommu_type1_dma_unmap)");
        C.put("DMA_UNMAP_ARGSZ", "offsetof(struct vfio_iommu_type1_dma_unmap, argsz)");
        C.put("DMA_UNMAP_FLAGS", "offsetof(struct vfio_iommu_type1_dma_unmap, flags)");
        C.put("DMA_UNMAP_IOVA", "offsetof(struct vfio_iommu_type1_dma_unmap, iova)");
        C.put("DMA_UNMAP_MAPPING_SIZE", "offsetof(struct vfio_iommu_type1_dma_unmap, size)");
    }

    @Test
    void everyConstantMatchesTheKernelHeader(@TempDir Path dir) throws Exception {
        assumeTrue(run(dir, "gcc", "--version") != null, "needs gcc");
        StringBuilder program = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/vfio.h>
                int main(void) {
                """);
        C.forEach((name, expr) -> program.append("    printf(\"%s %ld\\n\", \"").append(name).append("\", (long) (")
                .append(expr).append("));\n"));
        program.append("    return 0;\n}\n");
        Path source = dir.resolve("vfio.c");
        Files.writeString(source, program);
        Path binary = dir.resolve("vfio");
        String compiled = run(dir, "gcc", "-o", binary.toString(), source.toString());
        assumeTrue(compiled != null, "needs the linux uapi headers");
        Map<String, Long> c = new HashMap<>();
        for (String line : run(dir, binary.toString()).strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        int checked = 0;
        for (Field f : VfioAbi.class.getDeclaredFields()) {
            if (!Modifier.isPublic(f.getModifiers())) {
                continue;
            }
            assertEquals(c.get(f.getName()), Long.valueOf(Integer.toUnsignedLong(f.getInt(null))), f.getName());
            checked++;
        }
        assertEquals(C.size(), checked, "one C expression per public constant");
    }

    /** Output of {@code cmd}, or null when it cannot be run or fails. */
    private static String run(Path dir, String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
