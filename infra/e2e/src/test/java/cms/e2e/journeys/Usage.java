package cms.e2e.journeys;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One usage event as the journeys send it (the fields of CONTRACT.md's UsageEvent), plus the Kafka
 * partition to write it to when it must reach a particular one (null: the producer's partitioner
 * picks by key).
 */
record Usage(String eventId, String subscriptionId, String meterId, BigDecimal quantity, Instant eventTime, String region,
             String resourceId, Map<String, String> attributes, Integer partition) {

    Usage {
        attributes = Map.copyOf(attributes);
    }

    static Usage of(String eventId, String subscriptionId, String meterId, String quantity, Instant eventTime, String region) {
        return new Usage(eventId, subscriptionId, meterId, new BigDecimal(quantity), eventTime, region,
                "res-" + subscriptionId + "-" + meterId, Map.of("source", "e2e"), null);
    }

    Usage toPartition(int p) {
        return new Usage(eventId, subscriptionId, meterId, quantity, eventTime, region, resourceId, attributes, p);
    }

    /** The line the Python producer reads (produce_usage.py). */
    Map<String, Object> jsonLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", eventId);
        m.put("subscriptionId", subscriptionId);
        m.put("meterId", meterId);
        m.put("quantity", quantity.toPlainString());
        m.put("eventTime", eventTime.toEpochMilli());
        m.put("region", region);
        m.put("resourceId", resourceId);
        m.put("attributes", attributes);
        if (partition != null) {
            m.put("partition", partition);
        }
        return m;
    }
}
