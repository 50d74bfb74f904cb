package cms.pipeline.ingest;

import java.io.Serializable;
import java.util.function.LongSupplier;

/**
 * When a Kafka partition of one source subtask counts as idle: the relative idleness rule the usage
 * watermark follows (see {@link Watermarks#usage}). Every partition's watermark generator of the subtask
 * holds a {@link Member}; all run on the subtask's one thread, so nothing here is synchronized.
 *
 * <p>A partition is idle when it has had no record for the idleness timeout T, counted from its last
 * record or from the moment the subtask resumed after a quiet spell, whichever is later, and it is not
 * the partition that delivered the subtask's latest record. A quiet spell is a gap of at least T in
 * which no partition of the subtask delivered anything; the first record after it resumes the subtask.
 *
 * <p>So: after a quiet spell (a backfill, a replay, producers coming back) every partition is given T
 * to show up again before the others' usage may move the watermark past it, whichever partition the
 * job happens to read first; a partition that stays silent while the others deliver is idle after T,
 * as before; and the subtask itself never becomes idle once it has read a record, because the
 * partition with the latest record always holds its watermark. That last point is what keeps every
 * downstream operator's watermark behind the decisions made upstream: idleness that reached the
 * operators after the source let a channel that was idle rejoin behind the others and deliver usage
 * judged on time into windows a faster channel had already finalized.
 */
public final class SourceActivity {
    /** The clock the rule runs on (nanoseconds); serializable so tests can pass a fake one. */
    public interface Clock extends LongSupplier, Serializable {}

    private static final long NONE = Long.MIN_VALUE;

    private final long timeoutNanos;
    private final LongSupplier clock;
    private long latest = NONE;
    private long resumed = NONE;

    public SourceActivity(long timeoutNanos, LongSupplier clock) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("idleness timeout must be positive");
        }
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    /** A partition's share of the rule; registered when the source starts reading the partition. */
    public Member register() {
        return new Member(clock.getAsLong());
    }

    public final class Member {
        private long last;

        private Member(long registeredAt) {
            this.last = registeredAt;
        }

        /** A record (valid or not) arrived on this partition. */
        public void recordArrived() {
            long now = clock.getAsLong();
            if (latest == NONE || now - latest >= timeoutNanos) {
                resumed = now;
            }
            latest = now;
            last = now;
        }

        public boolean isIdle() {
            if (latest == NONE || last >= latest) {
                // nothing read yet (nothing to finalize), or this partition delivered the latest record
                return false;
            }
            return clock.getAsLong() - Math.max(last, resumed) >= timeoutNanos;
        }
    }
}
