package cms.pipeline.ingest;

import cms.topics.UsageLimits;
import cms.avro.UsageEvent;
import org.apache.avro.LogicalTypes;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * The rules of CONTRACT.md for a usage record, and the bounds of everything an output would later
 * refuse: the record's size (max-event-size), the quantity's precision (the schema's decimal(28,9)), and
 * the event time against the time the record arrived ({@link #arrival}), which is how the broker judges
 * the rated record's timestamp (the event time).
 */
public final class UsageRules implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int MAX_EVENT_ID_LENGTH = UsageLimits.MAX_EVENT_ID_LENGTH;
    /** The significant digits UsageEvent.quantity holds (its decimal's precision): more and Avro refuses to encode it. */
    public static final int QUANTITY_PRECISION = ((LogicalTypes.Decimal) UsageEvent.getClassSchema().getField("quantity").schema()
            .getLogicalType()).getPrecision();
    /** 2^94 > 10^28: an unscaled value this long has more than 28 digits, told without computing its precision (costly when huge). */
    private static final int QUANTITY_MAX_BITS = 94;

    private final long maxAgeMillis;
    private final long maxLeadMillis;
    private final int maxEventSize;

    public UsageRules(Duration maxEventAge, Duration maxEventLead, int maxEventSize) {
        this.maxAgeMillis = maxEventAge.toMillis();
        this.maxLeadMillis = maxEventLead.toMillis();
        this.maxEventSize = maxEventSize;
    }

    /**
     * When the record arrived, as far as the job can tell: its Kafka timestamp, unless that lies after
     * {@code now} (the time the source reads it; a producer whose clock runs fast), or it has none. For every
     * record whose timestamp was not in the future when first read, a restart or a replay decides exactly as
     * the first run did; and the event time is never judged against a future the broker does not know.
     */
    public static long arrival(long recordTimestamp, long now) {
        return recordTimestamp < 0 ? now : Math.min(recordTimestamp, now);
    }

    /** Why a record of these key and value sizes is too large, or null: judged before decoding. */
    public String sizeViolation(byte[] key, byte[] value) {
        long size = (key == null ? 0L : key.length) + (value == null ? 0L : value.length);
        if (size > maxEventSize) {
            return "record is " + size + " bytes (key " + (key == null ? 0 : key.length) + ", value " + (value == null ? 0 : value.length)
                    + "), more than max-event-size " + maxEventSize;
        }
        return null;
    }

    /** The first rule broken, as a detail naming the field, or null when the event is valid; {@code arrival} from {@link #arrival}. */
    public String violation(UsageEvent e, long arrival) {
        String id = e.getEventId();
        if (id == null || id.isEmpty() || id.length() > MAX_EVENT_ID_LENGTH) {
            return "eventId must be 1 to " + MAX_EVENT_ID_LENGTH + " characters, was "
                    + (id == null ? "null" : id.length() + " characters");
        }
        if (id.isBlank()) {
            return "eventId must not be blank";
        }
        if (e.getSubscriptionId() == null || e.getSubscriptionId().isBlank()) {
            return "subscriptionId is required";
        }
        if (e.getMeterId() == null || e.getMeterId().isBlank()) {
            return "meterId is required";
        }
        BigDecimal q = e.getQuantity();
        if (q == null) {
            return "quantity is required";
        }
        int bits = q.unscaledValue().bitLength();
        if (bits > QUANTITY_MAX_BITS || q.precision() > QUANTITY_PRECISION) {
            return "quantity has more than the " + QUANTITY_PRECISION + " significant digits of its decimal(" + QUANTITY_PRECISION + ","
                    + q.scale() + "): " + (bits <= 4 * QUANTITY_MAX_BITS ? q.toPlainString() : "an unscaled value of " + bits + " bits");
        }
        if (q.signum() < 0) {
            return "quantity must be >= 0, was " + q.toPlainString();
        }
        if (e.getEventTime() == null) {
            return "eventTime is required";
        }
        long t = e.getEventTime().toEpochMilli();
        if (t > arrival + maxLeadMillis) {
            return "eventTime " + e.getEventTime() + " is more than max-event-lead " + Duration.ofMillis(maxLeadMillis)
                    + " after the record's arrival " + Instant.ofEpochMilli(arrival);
        }
        if (t < arrival - maxAgeMillis) {
            return "eventTime " + e.getEventTime() + " is more than max-event-age " + Duration.ofMillis(maxAgeMillis)
                    + " before the record's arrival " + Instant.ofEpochMilli(arrival);
        }
        return null;
    }
}
