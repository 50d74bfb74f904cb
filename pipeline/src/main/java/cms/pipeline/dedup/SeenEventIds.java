package cms.pipeline.dedup;

import cms.pipeline.model.SubscriptionState;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.streaming.api.TimerService;

/**
 * The eventIds a subscription has seen, as fingerprints ({@link EventFingerprint}) in its {@link SubscriptionState},
 * each with the second at which its horizon ends. Used by the rating operator, which is keyed by subscription, so
 * de-duplication costs no shuffle of its own and a subscription's usage keeps its Kafka order into rating.
 *
 * <p>The horizon runs from the id's first arrival (its Kafka record timestamp): a repeat whose record timestamp
 * is less than dedup-horizon after it is a duplicate; a later one is usage again, and remembered anew. The
 * decision reads only record timestamps, in the subscription's Kafka order, never the wall clock or the
 * watermark, so a replay decides every record as the first run did.
 *
 * <p>Expiry is swept by the subscription's own usage, not by timers per id or per hour: the subscription's next
 * sweep is due at a second on a grid of horizon/10 (at least 1 s), offset by a hash of the subscription so that
 * subscriptions sweep at different moments; the first new id whose arrival reaches it drops every id whose
 * horizon ended by then and moves the sweep on. So an id is remembered at most horizon/10 (plus the gap to the
 * subscription's next new id) longer than its horizon, the remembered ids of many subscriptions at a steady rate
 * stay within about 5% of rate x horizon from one horizon on, and a new id costs a lookup and an append in the
 * subscription's arrays plus, once per sweep interval and subscription, a pass over its ids. A subscription whose usage stops is forgotten whole by one event-time timer (the backstop),
 * registered at its sweeps, once the watermark shows that every partition's arrivals passed the end of its last
 * horizon: the watermark runs at most max-event-lead ahead of arrivals (validation's bound), so it waits for
 * that lead too; timers share a grid of the horizon (at least an hour), so a subscription has one to three.
 *
 * <p>Record timestamps of one subscription are taken as not going back (its records are in one Kafka partition):
 * a sweep by a record stamped later than a repeat that follows it may have dropped the id the repeat would have
 * met; the outcome is still the same in every replay.
 *
 * <p>Memory per remembered id: 12 bytes in two arrays and up to 8 of index (a {@code HashMap<Long, Integer>} entry
 * of keyed MapState was about 75 bytes, an eventId String about 140 for a 36-character id); per subscription one to
 * three timers.
 */
public final class SeenEventIds {
    private static final long SECOND = 1000L;
    private static final long HOUR = 3_600_000L;

    private final long horizonMillis;
    private final long maxLeadMillis;
    /** The sweep grid, in seconds. */
    private final long sweepSeconds;
    /** The backstop timers' grid, in ms. */
    private final long backstopMillis;
    private final EventFingerprint fingerprint = new EventFingerprint();

    public SeenEventIds(long horizonMillis, long maxLeadMillis) {
        this.horizonMillis = horizonMillis;
        this.maxLeadMillis = maxLeadMillis;
        this.sweepSeconds = Math.max(1, horizonMillis / 10 / SECOND);
        this.backstopMillis = Math.max(HOUR, horizonMillis);
    }

    /**
     * True when the usage's eventId is new within the horizon: it is then remembered in {@code s} (and the
     * subscription's ids swept when a sweep is due); false for a duplicate, {@code s} unchanged.
     */
    public boolean firstSighting(SubscriptionState s, ValidUsage usage, TimerService timers) {
        long arrival = usage.source.timestamp;
        long fp = fingerprint.of(usage.event.getEventId());
        int at = s.find(fp);
        if (at >= 0 && arrival < millis(s.until(at))) {
            return false;
        }
        if (!s.sweepSet() || arrival >= millis(s.sweepAt())) {
            if (s.sweepSet()) {
                s.forgetEndedBy(Math.floorDiv(arrival, SECOND));
            }
            long next = nextSweep(Math.floorDiv(arrival, SECOND), usage.event.getSubscriptionId().hashCode());
            s.sweepAt(seconds(next));
            timers.registerEventTimeTimer(backstop(next * SECOND));
        }
        // rounded up to the second: never shorter than the horizon
        s.remember(fp, seconds(Math.floorDiv(arrival + horizonMillis + SECOND - 1, SECOND)));
        return true;
    }

    /**
     * At an event-time timer of the subscription: the backstop forgets every id when the subscription has not swept
     * since it registered this timer. Every id it remembers then arrived before its due sweep (a later arrival
     * would have swept), so each horizon ended by that sweep + horizon, which the watermark, up to max-event-lead
     * ahead of arrivals, has passed by a lead. The subscription's other timers (cumulative quantities) find nothing.
     */
    public void onEventTime(SubscriptionState s, long timestamp) {
        if (s.sweepSet() && backstop(millis(s.sweepAt())) <= timestamp) {
            s.forgetAllIds();
        }
    }

    /** The first second after {@code second} on the subscription's sweep grid (offset by its hash). */
    long nextSweep(long second, int subscriptionHash) {
        long phase = Math.floorMod(subscriptionHash, sweepSeconds);
        return second - Math.floorMod(second - phase, sweepSeconds) + sweepSeconds;
    }

    /** The backstop timer of a subscription whose next sweep is due at {@code dueMillis}: on the backstop grid. */
    private long backstop(long dueMillis) {
        long until = dueMillis + horizonMillis + SECOND + maxLeadMillis;
        return Math.floorDiv(until + backstopMillis - 1, backstopMillis) * backstopMillis;
    }

    private static long millis(int unsignedSeconds) {
        return Integer.toUnsignedLong(unsignedSeconds) * SECOND;
    }

    /** Clamped to the state's range: no record may fail the job (a valid record's timestamp is within it anyway). */
    private static int seconds(long epochSeconds) {
        return (int) Math.max(0, Math.min(epochSeconds, 0xFFFF_FFFFL));
    }
}
