package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.virtchnl.VirtchnlOp;

/**
 * A message from the PF taken off the receive mailbox: a reply to one of ours or an event.
 *
 * @param status       the virtchnl status (VIRTCHNL_STATUS_*)
 * @param lost         the device flagged the descriptor (ERR): the body did not fit our buffer
 */
public record PfMessage(VirtchnlOp op, int code, int status, byte[] body, boolean lost) {}
