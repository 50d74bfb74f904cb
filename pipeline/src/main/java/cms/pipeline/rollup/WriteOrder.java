package cms.pipeline.rollup;

/**
 * The write timestamps (Cassandra USING TIMESTAMP) of roll-up rows: they order a window's writes by its
 * progress, not by the wall clock, so that what a reader has seen is never replaced by an older value.
 *
 * <ul>
 *   <li>OPEN: {@code (n << 10) + attempt}, n = event_count (below 2^52), attempt = the writing task's
 *       restart count (capped at 1023). A restarted job re-emits counts it had already written with
 *       timestamps no higher than before, so a replay never replaces a newer OPEN value with an older
 *       one, and of two writes of the same count the later attempt's wins (the whole row).</li>
 *   <li>FINAL: {@code FINAL_BAND + (n << 10) + attempt}, FINAL_BAND = 2^62: every FINAL timestamp is
 *       above every possible OPEN timestamp, so a FINAL row wins over any OPEN row whatever the counts
 *       (an OPEN row written by a run that crashed after a non-deterministic lateness decision may carry
 *       a higher count than the restored run's FINAL), and is never replaced by an OPEN one.</li>
 * </ul>
 * Nothing else may write the roll-up table: any ordinary (wall-clock micros) write would beat OPEN rows.
 */
public final class WriteOrder {
    /** The band of FINAL write timestamps: above every OPEN one. */
    public static final long FINAL_BAND = 1L << 62;
    private static final long MAX_COUNT = (1L << 52) - 1;

    /** The write timestamp of an OPEN row with event count n, written by the given task attempt. */
    public static long openTimestamp(long n, int attempt) {
        return (Math.min(Math.max(n, 0), MAX_COUNT) << 10) + Math.min(Math.max(attempt, 0), 1023);
    }

    /** The write timestamp of a FINAL row with event count n, written by the given task attempt. */
    public static long finalTimestamp(long n, int attempt) {
        return FINAL_BAND + openTimestamp(n, attempt);
    }

    private WriteOrder() {}
}
