package cms.pipeline.rollup;

import cms.avro.NodeLevel;

/**
 * Holds the roll-up rows one subtask writes within its share of the write budget (CONTRACT.md: when the
 * usage would need more, the refresh of the most numerous levels stretches first, subscriptions then
 * tenants; partners and distributors keep the base interval).
 *
 * <p>Feedback on what was written: over each evaluation period (at least a second, and at least the
 * longest current interval, so a change has shown its effect before the next), a rate above the budget
 * doubles the subscriptions' refresh interval, or once that is at its maximum the tenants'; a rate below
 * {@value #RELAX_BELOW} of the budget halves them again in the opposite order. Intervals are powers of
 * two times the base. Not thread-safe: the operator's task thread only.
 */
final class WriteBudget {
    /** Below this share of the budget a stretched level relaxes (hysteresis: halving roughly doubles the rate). */
    static final double RELAX_BELOW = 0.4;

    private final double rowsPerSecond;
    private final long baseMillis;
    private final long maxMillis;
    private long subscriptionMillis;
    private long tenantMillis;
    private long periodStart = -1;
    private long periodRows;
    private double lastRate;

    /** rowsPerSecond 0: no budget, every level at the base interval. */
    WriteBudget(double rowsPerSecond, long baseMillis, long maxMillis) {
        if (rowsPerSecond < 0 || baseMillis <= 0 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("budget " + rowsPerSecond + " rows/s, base " + baseMillis + " ms, max " + maxMillis + " ms");
        }
        this.rowsPerSecond = rowsPerSecond;
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

    /** Records rows written at processing time {@code now}, and adjusts the intervals once per evaluation period. */
    void written(long rows, long now) {
        if (periodStart < 0) {
            periodStart = now;
        }
        periodRows += rows;
        long elapsed = now - periodStart;
        if (elapsed < Math.max(1000, Math.max(subscriptionMillis, tenantMillis))) {
            return;
        }
        lastRate = periodRows * 1000.0 / elapsed;
        periodStart = now;
        periodRows = 0;
        if (rowsPerSecond == 0) {
            return;
        }
        if (lastRate > rowsPerSecond) {
            if (subscriptionMillis < maxMillis) {
                subscriptionMillis = Math.min(maxMillis, subscriptionMillis * 2);
            } else if (tenantMillis < maxMillis) {
                tenantMillis = Math.min(maxMillis, tenantMillis * 2);
            }
        } else if (lastRate < rowsPerSecond * RELAX_BELOW) {
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

    /** The last period's rate as a share of the budget (0 without a budget). */
    double use() {
        return rowsPerSecond == 0 ? 0 : lastRate / rowsPerSecond;
    }
}
