package dev.cipherlane.stages.builtin;

import java.util.Arrays;

/**
 * Token buckets limiting the ICMP errors one worker sends (RFC 1812 section 4.3.2.8, RFC 4443
 * section 2.4 (f)): a flood of expired or oversized packets must not turn into a flood of
 * errors. One bucket per worker, so workers never contend; a bucket is created the first time
 * a worker sends an error and only that worker touches it afterwards.
 *
 * <p>Credit is kept in integer units of one nanosecond times the rate: an error costs
 * {@code 1e9} units and each elapsed nanosecond earns {@code rate} units, so refilling needs
 * no division and no floating point.
 */
final class IcmpRateLimit {
    private static final long COST = 1_000_000_000L;

    private volatile Bucket[] buckets = new Bucket[0];

    /** Whether worker {@code worker} may send one more error at time {@code now} (nanoseconds). */
    boolean tryAcquire(int worker, long now, int perSecond, int burst) {
        Bucket[] b = buckets;
        Bucket bucket = worker < b.length ? b[worker] : null;
        if (bucket == null) {
            bucket = create(worker, now, burst);
        }
        return bucket.take(now, perSecond, burst);
    }

    private synchronized Bucket create(int worker, long now, int burst) {
        Bucket[] b = buckets;
        if (worker < b.length && b[worker] != null) {
            return b[worker];
        }
        Bucket[] grown = Arrays.copyOf(b, Math.max(b.length, worker + 1));
        Bucket bucket = new Bucket(now, burst * COST);
        grown[worker] = bucket;
        buckets = grown;
        return bucket;
    }

    private static final class Bucket {
        private long credit;
        private long last;

        Bucket(long now, long credit) {
            this.last = now;
            this.credit = credit;
        }

        boolean take(long now, int perSecond, int burst) {
            long cap = burst * COST;
            long elapsed = now - last;
            if (elapsed > 0) {
                last = now;
                // Past cap / rate nanoseconds the bucket is full anyway; capping first keeps
                // elapsed * rate from overflowing after a long quiet spell.
                long add = elapsed >= cap / perSecond + 1 ? cap : elapsed * perSecond;
                credit = Math.min(cap, credit + add);
            }
            if (credit >= COST) {
                credit -= COST;
                return true;
            }
            return false;
        }
    }
}
