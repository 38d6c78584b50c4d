package dev.cipherlane.host.pod;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.TapQueues;

/**
 * A pod whose tap is configured and whose queues this process holds: what
 * {@link PodTaps#attach} hands the dataplane. The queue descriptors are non-blocking and
 * work from any thread, whatever namespace it is in.
 *
 * <p>{@link #close()} gives the queues up and nothing else: the tap persists, still
 * configured, so the pod keeps its interface, addresses and connections until the next
 * attach (by a restarted service, say) or until {@link PodTaps#detach} removes it.
 *
 * @param spec    what was asked for
 * @param ifindex the tap's interface index inside the pod's namespace
 * @param mac     the MAC the tap actually has, read back after configuring it
 * @param queues  one descriptor per queue
 * @param created whether this attach created the tap; false when it reattached one that
 *                outlived an earlier process
 */
public record AttachedPod(PodSpec spec, int ifindex, MacAddress mac, TapQueues queues, boolean created)
        implements AutoCloseable {

    public String name() {
        return spec.name();
    }

    /** Closes the queue descriptors; the persistent tap stays in the pod. */
    @Override
    public void close() throws LinuxException {
        queues.close();
    }

    @Override
    public String toString() {
        return "pod " + spec.name() + " " + spec.interfaceName() + " (ifindex " + ifindex + ", " + mac + ", "
                + queues.count() + (queues.count() == 1 ? " queue" : " queues") + (created ? ", created)" : ", reattached)");
    }
}
