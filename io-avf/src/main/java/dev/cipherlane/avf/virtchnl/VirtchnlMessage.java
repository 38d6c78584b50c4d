package dev.cipherlane.avf.virtchnl;

/** A message body; its opcode travels beside it, in the descriptor. */
public interface VirtchnlMessage {
    byte[] encode();
}
