package cms.pipeline.rollup;

import cms.avro.NodeLevel;

/**
 * Holds the roll-up rows one subtask writes within its share of the write budget (CONTRACT.md: when the
 * usage would need more, the refresh of the most numerous levels stretches first, subscriptions then
 * tenants; partners and distributors keep the base interval).
 *
 * <p>Two limits, rows and mutations (family partitions written: Cassandra's cost is mostly per mutation,
 * FLOOR.md: 100-130 us a mutation against 15-30 us a row in it). Feedback on what was written: over each
 * evaluation period (at least a second, and at least the longest current interval, so a change has shown its
 * effect before the next), a rate above either limit doubles the subscriptions' refresh interval, or once
 * that is at its maximum the tenants'; both rates below {@value #RELAX_BELOW} of their limits halve them again
 * in the opposite order. Intervals are powers of two times the base. Not thread-safe: the operator's task
 * thread only.
 */
final class WriteBudget {
    /** Below this share of the budget a stretched level relaxes (hysteresis: halving roughly doubles the rate). */
    static final double RELAX_BELOW = 0.4;

    private final double rowsPerSecond;
    private final double mutationsPerSecond;
    private final long baseMillis;
    private final long maxMillis;
    private long subscriptionMillis;
    private long tenantMillis;
    private long periodStart = -1;
    private long periodRows;
    private long periodMutations;
    private double lastRate;
    private double lastMutationRate;

    /** A limit of 0: none; both 0: every level at the base interval. */
    WriteBudget(double rowsPerSecond, double mutationsPerSecond, long baseMillis, long maxMillis) {
        if (rowsPerSecond < 0 || mutationsPerSecond < 0 || baseMillis <= 0 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("budget " + rowsPerSecond + " rows/s, " + mutationsPerSecond + " mutations/s, base "
                    + baseMillis + " ms, max " + maxMillis + " ms");
        }
        this.rowsPerSecond = rowsPerSecond;
        this.mutationsPerSecond = mutationsPerSecond;
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.subscriptionMillis = baseMillis;
        this.tenantMillis = baseMillis;
    }

    /** The refresh interval of rows of this level now. */
    long interval(NodeLevel rowLevel) {
        return switch (rowLevel) {
            case SUBSCRIPTION -> subscriptionMillis;
            case TENANT -> tenantMillis;
            default -> baseMillis;
        };
    }

    /** Records rows and mutations written at processing time {@code now}, and adjusts the intervals once per evaluation period. */
    void written(long rows, long mutations, long now) {
        if (periodStart < 0) {
            periodStart = now;
        }
        periodRows += rows;
        periodMutations += mutations;
        long elapsed = now - periodStart;
        if (elapsed < Math.max(1000, Math.max(subscriptionMillis, tenantMillis))) {
            return;
        }
        lastRate = periodRows * 1000.0 / elapsed;
        lastMutationRate = periodMutations * 1000.0 / elapsed;
        periodStart = now;
        periodRows = 0;
        periodMutations = 0;
        if (rowsPerSecond == 0 && mutationsPerSecond == 0) {
            return;
        }
        if (use() > 1) {
            if (subscriptionMillis < maxMillis) {
                subscriptionMillis = Math.min(maxMillis, subscriptionMillis * 2);
            } else if (tenantMillis < maxMillis) {
                tenantMillis = Math.min(maxMillis, tenantMillis * 2);
            }
        } else if (use() < RELAX_BELOW) {
            if (tenantMillis > baseMillis) {
                tenantMillis = Math.max(baseMillis, tenantMillis / 2);
            } else if (subscriptionMillis > baseMillis) {
                subscriptionMillis = Math.max(baseMillis, subscriptionMillis / 2);
            }
        }
    }

    /** Rows per second written over the last evaluation period. */
    double rate() {
        return lastRate;
    }

    /** Mutations per second written over the last evaluation period. */
    double mutationRate() {
        return lastMutationRate;
    }

    /** The last period's rates as a share of their limits, the larger (0 without a budget). */
    double use() {
        double rows = rowsPerSecond == 0 ? 0 : lastRate / rowsPerSecond;
        double mutations = mutationsPerSecond == 0 ? 0 : lastMutationRate / mutationsPerSecond;
        return Math.max(rows, mutations);
    }
}
