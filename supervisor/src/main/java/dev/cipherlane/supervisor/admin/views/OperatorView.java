package dev.cipherlane.supervisor.admin.views;

/**
 * One operator view ({@code show runtime}, {@code show fib}...): a record whose components are
 * its rows, so {@code --json} is the record as {@link ViewJson} writes it and the table is
 * {@link #text()} drawn from the same rows. The two cannot disagree because neither reads
 * the dataplane: the rows were taken once, then rendered.
 */
public interface OperatorView {
    /** The table an operator reads, ending in a newline. */
    String text();
}
