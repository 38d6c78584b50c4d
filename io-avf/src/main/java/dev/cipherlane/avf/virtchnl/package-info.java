/**
 * virtchnl 1.1, the protocol a VF speaks with its PF over the admin queue (AVF 1.0,
 * "Virtual channel" chapter). Each message is a record that encodes to and decodes from
 * the little-endian bytes of the admin queue buffer. Decoding checks lengths as strictly
 * as a PF does (the exact size, including a counted array), because the PF refuses a
 * message whose length is off by one and so must we.
 */
package dev.cipherlane.avf.virtchnl;
