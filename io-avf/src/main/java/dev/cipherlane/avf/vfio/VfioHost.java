package dev.cipherlane.avf.vfio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a PCI function's VFIO pieces are on a host, found through sysfs before anything is
 * opened, so that what is missing is said once and plainly (vfio.rst, "VFIO Usage Example":
 * the device's iommu_group link names its group, the group's devices must be bound to
 * vfio-pci, and /dev/vfio/&lt;group&gt; is then there). The roots are parameters so tests can
 * play a host.
 *
 * @param sysfs what is normally {@code /sys}
 * @param dev   what is normally {@code /dev}
 */
public record VfioHost(Path sysfs, Path dev) {
    public static final VfioHost SYSTEM = new VfioHost(Path.of("/sys"), Path.of("/dev"));
    private static final Pattern PCI = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    /** What {@link #locate} found: the container and group device files. */
    public record Located(String pci, int group, Path container, Path groupFile) {}

    /** Checks everything the host must have for {@code pci}, in the order an operator would fix it. */
    public Located locate(String pci) throws VfioUnavailable {
        if (pci == null || !PCI.matcher(pci).matches()) {
            throw new VfioUnavailable("not a PCI address (lowercase domain:bus:device.function, like 0000:3b:02.0): "
                    + pci);
        }
        Path device = sysfs.resolve("bus/pci/devices").resolve(pci);
        if (!Files.isDirectory(device)) {
            throw new VfioUnavailable("no PCI device " + pci + " on this host (" + device + " does not exist):"
                    + " check the address with lspci -D, and that the VFs exist (echo N > .../sriov_numvfs on the PF)");
        }
        Path groupLink = device.resolve("iommu_group");
        if (!Files.exists(groupLink)) {
            throw new VfioUnavailable("PCI device " + pci + " has no IOMMU group (" + groupLink + " is missing):"
                    + " the IOMMU is off; boot with intel_iommu=on (or amd_iommu=on) iommu=pt");
        }
        int group;
        try {
            group = Integer.parseInt(Files.readSymbolicLink(groupLink).getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            throw new VfioUnavailable("cannot read the IOMMU group of " + pci + " from " + groupLink, e);
        }
        Path driver = device.resolve("driver");
        String bound = "no driver";
        try {
            if (Files.exists(driver)) {
                bound = Files.readSymbolicLink(driver).getFileName().toString();
            }
        } catch (IOException e) {
            throw new VfioUnavailable("cannot read the driver of " + pci + " from " + driver, e);
        }
        if (!bound.equals("vfio-pci")) {
            throw new VfioUnavailable("PCI device " + pci + " is bound to " + bound + ", not vfio-pci: echo vfio-pci > "
                    + device.resolve("driver_override") + ", unbind it, then echo " + pci
                    + " > /sys/bus/pci/drivers_probe");
        }
        Path container = dev.resolve("vfio/vfio");
        if (!Files.exists(container)) {
            throw new VfioUnavailable("no " + container + ": the vfio modules are not loaded (modprobe vfio-pci)");
        }
        Path groupFile = dev.resolve("vfio").resolve(Integer.toString(group));
        if (!Files.exists(groupFile)) {
            throw new VfioUnavailable("no " + groupFile + " for IOMMU group " + group + " of " + pci
                    + ": vfio-pci has not taken the group");
        }
        return new Located(pci, group, container, groupFile);
    }
}
