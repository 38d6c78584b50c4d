package dev.cipherlane.supervisor.admin.views;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@code show interfaces} prints of an uplink on an AVF VF. */
class InterfacesViewTest {
    @Test
    void aFailedVfSaysWhyAndItsCounters() {
        String text = new SampleViews().interfaces().text();
        assertTrue(text.contains("  avf 0000:3b:02.0: FAILED (the PF refused CONFIG_VSI_QUEUES with"
                + " VIRTCHNL_STATUS_ERR_PARAM (-5)), 0 queues, link down, 2 restarts\n"), text);
        assertTrue(text.contains("  avf rx: 10 packets, 1 dropped; tx: 20 packets, 3 ring full\n"), text);
    }
}
