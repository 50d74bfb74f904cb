package cms.api.ratingjob;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the rating job is keeping up, judged from successive observations of its consumer group:
 * the committed offsets must advance while usage waits behind them. The job commits its offsets
 * when a checkpoint completes, so between checkpoints they stand still by design; only a standstill
 * longer than {@code stallAfter} (several checkpoint intervals) while records wait is a stall.
 * Not thread-safe on its own; the health check calls it under its lock.
 */
final class JobProgress {
    /** One look at the group: the sum over the usage topic's partitions of committed and end offsets. */
    record Offsets(long committed, long end, boolean anyCommitted) {
        long lag() {
            return Math.max(0, end - committed);
        }
    }

    private final Duration stallAfter;
    private long lastCommitted = -1;
    private Instant lastAdvance;

    JobProgress(Duration stallAfter) {
        this.stallAfter = stallAfter;
    }

    /** What is wrong, if anything, after this observation at {@code now}. */
    Optional<String> observe(Offsets offsets, Instant now) {
        if (lastAdvance == null || offsets.committed() != lastCommitted) {
            lastCommitted = offsets.committed();
            lastAdvance = now;
        }
        if (offsets.lag() == 0) {
            lastAdvance = now; // nothing waits: standing still is all it can do
            return Optional.empty();
        }
        Duration still = Duration.between(lastAdvance, now);
        if (still.compareTo(stallAfter) >= 0) {
            return Optional.of(offsets.anyCommitted()
                    ? String.format("committed offsets have not advanced for %d s while %,d records wait", still.toSeconds(), offsets.lag())
                    : String.format("the group has committed nothing for %d s while %,d records wait", still.toSeconds(), offsets.lag()));
        }
        return Optional.empty();
    }

    /** Seconds since the committed offsets last moved (or nothing waited), for the healthy message. */
    long secondsSinceAdvance(Instant now) {
        return lastAdvance == null ? 0 : Duration.between(lastAdvance, now).toSeconds();
    }
}
