/**
 * The AVF VF driver: {@link dev.cipherlane.avf.driver.AvfDriver} is its face. The control
 * path ({@link dev.cipherlane.avf.driver.VfControl}) is a plain state machine: it never
 * blocks, sleeps or starts a thread; each {@code poll(now)} reads a few registers and the
 * mailbox and moves it on, and every wait has a deadline that ends in a clear error. The
 * data path ({@link dev.cipherlane.avf.driver.RxRing}, {@link dev.cipherlane.avf.driver.TxRing})
 * moves batches of frames between the descriptor rings and the caller's memory without
 * allocating. One thread does both, as a worker that owns a NIC does; nothing here is
 * thread-safe.
 */
package dev.cipherlane.avf.driver;
