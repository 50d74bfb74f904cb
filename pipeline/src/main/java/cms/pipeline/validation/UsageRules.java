package cms.pipeline.validation;

import cms.avro.UsageEvent;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The rules of CONTRACT.md for a decoded UsageEvent. Event time is judged against the Kafka record's
 * own timestamp, not the wall clock, so a replay months later decides exactly as the first run did.
 */
public final class UsageRules implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_EVENT_ID_LENGTH = 128;

    private final long maxAgeMillis;
    private final long maxLeadMillis;

    public UsageRules(Duration maxEventAge, Duration maxEventLead) {
        this.maxAgeMillis = maxEventAge.toMillis();
        this.maxLeadMillis = maxEventLead.toMillis();
    }

    /** The first rule broken, as a detail naming the field, or null when the event is valid. */
    public String violation(UsageEvent e, long recordTimestamp) {
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
        if (q.signum() < 0) {
            return "quantity must be >= 0, was " + q.toPlainString();
        }
        if (e.getEventTime() == null) {
            return "eventTime is required";
        }
        long t = e.getEventTime().toEpochMilli();
        if (recordTimestamp >= 0) {
            if (t > recordTimestamp + maxLeadMillis) {
                return "eventTime " + e.getEventTime() + " is more than " + Duration.ofMillis(maxLeadMillis)
                        + " after the record's timestamp " + java.time.Instant.ofEpochMilli(recordTimestamp);
            }
            if (t < recordTimestamp - maxAgeMillis) {
                return "eventTime " + e.getEventTime() + " is more than " + Duration.ofMillis(maxAgeMillis)
                        + " before the record's timestamp " + java.time.Instant.ofEpochMilli(recordTimestamp);
            }
        }
        return null;
    }
}
