package cms.topics;

import cms.avro.CommissionPlan;
import cms.avro.DeadLetter;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.RatedUsage;
import cms.avro.UsageEvent;
import org.apache.avro.Schema;

import java.util.List;
import java.util.Map;

/** The Kafka topics of CONTRACT.md and the ones the API writes for the pipeline. */
public final class Topics {
    /** Raw usage in; key = subscription id. */
    public static final String USAGE = "cms.usage.v1";
    /** Rated usage out; key = subscription id. */
    public static final String RATED = "cms.usage.rated.v1";
    /** Dead letters out; key = the input key. */
    public static final String DEAD_LETTER = "cms.usage.dead-letter.v1";
    /** Effective-dated hierarchy versions, all four levels; key = {@link VersionKeys#hierarchy}. */
    public static final String HIERARCHY = "cms.hierarchy.v1";
    /** Effective-dated price-book versions; key = {@link VersionKeys#priceBook}. */
    public static final String PRICE_BOOKS = "cms.price-books.v1";
    /** Effective-dated commission-plan versions; key = {@link VersionKeys#commissionPlan}. */
    public static final String COMMISSION_PLANS = "cms.commission-plans.v1";

    /**
     * The dead-letter topic's max.message.bytes: a dead letter carries its usage record's key twice (as its own
     * key and in its value) and the value once, untouched, so one of a record as large as Kafka's default limit
     * (1 MiB, message.max.bytes) needs about twice that. The pipeline's dead-letter producer may send this much.
     */
    public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = 3 << 20;
    /** The topic configuration of a dead-letter topic (the stack's, and any run's own). */
    public static final Map<String, String> DEAD_LETTER_CONFIG = Map.of("max.message.bytes", Integer.toString(DEAD_LETTER_MAX_MESSAGE_BYTES));

    /**
     * The broker deletes a segment once its newest record timestamp is older than retention.ms (checked every
     * log.retention.check.interval.ms, 5 minutes by default). Usage records carry their producer's timestamp, which may
     * be the event time (up to max-event-age, 35 days, old) and is in the tests' scenarios months old: the usage topic,
     * which a replay from scratch reads whole, is kept without a time limit.
     */
    public static final Map<String, String> USAGE_CONFIG = Map.of("retention.ms", "-1");
    /**
     * Rated records are written with their event time as timestamp: with CreateTime the broker would delete a rated
     * record of usage older than retention.ms within minutes of writing it (a full replay of January in December lost
     * a third of its committed rated records this way). LogAppendTime stamps the time the record was written, so the
     * retention counts from then; the event time is in the value.
     */
    public static final Map<String, String> RATED_CONFIG = Map.of("message.timestamp.type", "LogAppendTime");

    /** How a topic is created: partitions, topic-level configuration, and the schema of its values. */
    public record Spec(String name, int partitions, Map<String, String> config, Schema valueSchema) {}

    /**
     * Every topic with its layout. The reference-data topics are compacted with one key per
     * effective-dated version, so every version late usage may still need is kept forever, and a
     * repeated PUT of the same version replaces rather than duplicates it.
     */
    public static List<Spec> all(int usagePartitions) {
        Map<String, String> versions = Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "3600000");
        return List.of(
                new Spec(USAGE, usagePartitions, USAGE_CONFIG, UsageEvent.getClassSchema()),
                new Spec(RATED, usagePartitions, RATED_CONFIG, RatedUsage.getClassSchema()),
                new Spec(DEAD_LETTER, 1, DEAD_LETTER_CONFIG, DeadLetter.getClassSchema()),
                new Spec(HIERARCHY, 1, versions, HierarchyChange.getClassSchema()),
                new Spec(PRICE_BOOKS, 1, versions, PriceBookVersion.getClassSchema()),
                new Spec(COMMISSION_PLANS, 1, versions, CommissionPlan.getClassSchema()));
    }

    /** The topic-level configuration of the topic named {@code name} (one of the constants above). */
    public static Map<String, String> config(String name) {
        return all(1).stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a topic of the contract: " + name)).config();
    }

    /** Subject of a topic's values under the topic-name strategy. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    private Topics() {}
}
