package cms.pipeline.dedup;

import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.state.MapState;

import java.util.Iterator;
import java.util.Map;

/**
 * The eventIds a subscription has seen, as fingerprints ({@link EventFingerprint}) in keyed MapState,
 * each with the hour at whose start it is forgotten. Used by the rating operator, which is keyed by
 * subscription, so de-duplication costs no shuffle of its own and a subscription's usage keeps its
 * Kafka order into rating.
 *
 * <p>The horizon runs from the later of the event's time and its arrival (Kafka timestamp): a repeat
 * arriving within the horizon of that instant is a duplicate. Ids are forgotten by event-time timers,
 * one per subscription and hour. The job's watermark is in event time, and valid event times are at most
 * max-event-lead after their record's arrival, so the watermark can run up to max-event-lead ahead of
 * arrivals: an id is kept until the end of its horizon plus max-event-lead, rounded up to the hour, so
 * that the watermark cannot drop an id while a repeat arriving within the horizon may still come.
 *
 * <p>Memory per remembered id: a Long key and an Integer value in the heap backend's map, about 75
 * bytes (an eventId String was about 140 for a 36-character id); 12 bytes of key and value plus
 * RocksDB's own overhead in the RocksDB backend.
 */
public final class SeenEventIds {
    /** What {@link #remember} answers for an id it had already. */
    public static final long REPEAT = Long.MIN_VALUE;
    private static final long HOUR = 3_600_000L;

    private final MapState<Long, Integer> seen;
    private final long horizonMillis;
    private final long maxLeadMillis;
    private final EventFingerprint fingerprint = new EventFingerprint();

    public SeenEventIds(MapState<Long, Integer> seen, long horizonMillis, long maxLeadMillis) {
        this.seen = seen;
        this.horizonMillis = horizonMillis;
        this.maxLeadMillis = maxLeadMillis;
    }

    /**
     * {@link #REPEAT} when the usage's eventId is remembered already; otherwise remembers it and answers
     * the event-time instant at which it is forgotten (register a timer there and call {@link #forget}).
     */
    public long remember(ValidUsage usage) throws Exception {
        long fp = fingerprint.of(usage.event.getEventId());
        if (seen.contains(fp)) {
            return REPEAT;
        }
        long from = Math.max(usage.event.getEventTime().toEpochMilli(), usage.source.timestamp);
        long forgetAt = expiryTimer(from + horizonMillis + maxLeadMillis);
        seen.put(fp, Math.toIntExact(forgetAt / HOUR));
        return forgetAt;
    }

    /** Drops every id forgotten at or before {@code timestamp} (an event-time timer's). */
    public void forget(long timestamp) throws Exception {
        Iterator<Map.Entry<Long, Integer>> it = seen.iterator();
        while (it.hasNext()) {
            if (it.next().getValue() * HOUR <= timestamp) {
                it.remove();
            }
        }
        if (seen.isEmpty()) {
            seen.clear();
        }
    }

    /**
     * The timer that drops an id remembered until {@code until}: {@code until} rounded up to the hour, so a
     * subscription has one timer per hour rather than one per event (a timer per event was most of the timer queue
     * and of its checkpoints); an id is kept less than an hour longer than the horizon asks.
     */
    static long expiryTimer(long until) {
        return Math.floorDiv(until + HOUR - 1, HOUR) * HOUR;
    }
}
