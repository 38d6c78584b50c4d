package dev.cipherlane.avf.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a host without VFIO, or with the VF not ready for it, is told: one error naming the
 * missing piece. A host is played in a temporary directory (sysfs links, /dev files); the
 * real one is asked too, where an address no machine has is unknown.
 */
class VfioHostTest {
    private static final String PCI = "0000:3b:02.0";
    @TempDir
    Path root;
    private VfioHost host;
    private Path device;

    @BeforeEach
    void host() throws Exception {
        host = new VfioHost(root.resolve("sys"), root.resolve("dev"));
        device = root.resolve("sys/bus/pci/devices").resolve(PCI);
    }

    private String problem(String pci) {
        return assertThrows(VfioUnavailable.class, () -> host.locate(pci)).getMessage();
    }

    /** The device, in IOMMU group 42, bound to {@code driver}. */
    private void device(String driver) throws Exception {
        Files.createDirectories(device);
        Path groups = Files.createDirectories(root.resolve("sys/kernel/iommu_groups/42"));
        Files.createSymbolicLink(device.resolve("iommu_group"), groups);
        Path drivers = Files.createDirectories(root.resolve("sys/bus/pci/drivers").resolve(driver));
        Files.createSymbolicLink(device.resolve("driver"), drivers);
    }

    @Test
    void anUnknownAddressIsNamed() {
        String p = problem(PCI);
        assertTrue(p.startsWith("no PCI device 0000:3b:02.0 on this host"), p);
        assertTrue(problem("3b:02.0").startsWith("not a PCI address"));
    }

    @Test
    void noIommuGroupMeansTheIommuIsOff() throws Exception {
        Files.createDirectories(device);
        String p = problem(PCI);
        assertTrue(p.contains("has no IOMMU group") && p.contains("intel_iommu=on"), p);
    }

    @Test
    void aVfBoundToItsKernelDriverMustGoToVfioPci() throws Exception {
        device("iavf");
        String p = problem(PCI);
        assertTrue(p.contains("is bound to iavf, not vfio-pci") && p.contains("driver_override"), p);
    }

    @Test
    void withoutDevVfioTheModulesAreMissing() throws Exception {
        device("vfio-pci");
        String p = problem(PCI);
        assertTrue(p.contains("vfio/vfio: the vfio modules are not loaded"), p);
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        p = problem(PCI);
        assertTrue(p.contains("vfio/42 for IOMMU group 42"), p);
        Files.createFile(root.resolve("dev/vfio/42"));
        VfioHost.Located at = host.locate(PCI);
        assertEquals(42, at.group());
        assertEquals(root.resolve("dev/vfio/42"), at.groupFile());
    }

    @Test
    void thisHostSaysWhatItLacks() {
        // No machine has a PCI function at the last possible address.
        String pci = "ffff:ff:1f.7";
        assumeTrue(!Files.exists(Path.of("/sys/bus/pci/devices", pci)));
        VfioUnavailable e = assertThrows(VfioUnavailable.class, () -> VfioDevice.open(pci));
        assertTrue(e.getMessage().startsWith("no PCI device ffff:ff:1f.7 on this host"), e.getMessage());
    }
}
