package cms.pipeline.job;

import cms.registry.SchemaRegistryClient;
import cms.cassandra.Consistency;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the job can be told, validated in one place. Built from {@code --key value} arguments
 * (or any map of the same keys); every key has a default that reaches the local stack, so a bad or
 * unknown key is the only way to get an error, and the error names the key and the accepted form.
 */
public record PipelineConfig(
        String kafkaBootstrap,
        String registryUrl,
        String cassandraContactPoint,
        String cassandraDatacenter,
        String keyspace,
        String consumerGroup,
        String transactionalIdPrefix,
        Duration allowedLateness,
        Duration outOfOrderness,
        Duration sourceIdleness,
        Duration unknownSubscriptionGrace,
        Duration dedupHorizon,
        Duration maxEventAge,
        Duration maxEventLead,
        int maxEventSize,
        Duration refreshInterval,
        Duration maxRefreshInterval,
        Duration checkpointInterval,
        Duration checkpointAlignmentTimeout,
        String stateBackend,
        boolean stateChangelog,
        String checkpointDir,
        int parallelism,
        int cassandraMaxInFlight,
        int cassandraBatchSize,
        Duration cassandraBatchDelay,
        long writeBudget,
        long writeBudgetMutations,
        Duration writeBudgetMaxInterval,
        String usageTopic,
        String ratedTopic,
        String deadLetterTopic,
        String hierarchyTopic,
        String priceBookTopic,
        String commissionPlanTopic,
        Duration transactionTimeout,
        String failureInjectionDir,
        DefaultConsistencyLevel cassandraConsistency) implements Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String REGISTRY_URL = "registry.url";
    public static final String CASSANDRA_CONTACT_POINT = "cassandra.contact-point";
    public static final String CASSANDRA_DATACENTER = "cassandra.datacenter";
    public static final String KEYSPACE = "cassandra.keyspace";
    public static final String CONSUMER_GROUP = "kafka.group";
    public static final String TRANSACTIONAL_ID_PREFIX = "kafka.transactional-id-prefix";
    public static final String ALLOWED_LATENESS = "allowed-lateness";
    public static final String OUT_OF_ORDERNESS = "out-of-orderness";
    public static final String SOURCE_IDLENESS = "source-idleness";
    public static final String UNKNOWN_SUBSCRIPTION_GRACE = "unknown-subscription-grace";
    public static final String DEDUP_HORIZON = "dedup-horizon";
    public static final String MAX_EVENT_AGE = "max-event-age";
    public static final String MAX_EVENT_LEAD = "max-event-lead";
    /** The largest usage record (key and value bytes) accepted; larger ones are INVALID. */
    public static final String MAX_EVENT_SIZE = "max-event-size";
    public static final String REFRESH_INTERVAL = "refresh-interval";
    /** The longest a roll-up refresh stretches to while the job is catching up (see RollupFunction); blank: no stretch. */
    public static final String REFRESH_INTERVAL_MAX = "refresh-interval-max";
    public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    /** How long a checkpoint barrier waits aligned before overtaking the records queued ahead of it (unaligned). */
    public static final String CHECKPOINT_ALIGNMENT_TIMEOUT = "checkpoint-alignment-timeout";
    public static final String STATE_BACKEND = "state-backend";
    /** Incremental checkpoints of any backend: state changes logged as they happen, the whole state written now and then. */
    public static final String STATE_CHANGELOG = "state-changelog";
    public static final String CHECKPOINT_DIR = "checkpoint-dir";
    public static final String PARALLELISM = "parallelism";
    public static final String CASSANDRA_MAX_IN_FLIGHT = "cassandra.max-in-flight";
    /** Rows per unlogged batch, grouped by the replicas that own them (1: a request per row). */
    public static final String CASSANDRA_BATCH_SIZE = "cassandra.batch-size";
    /** How long a row may wait for its batch to fill before the batch is sent as it is. */
    public static final String CASSANDRA_BATCH_DELAY = "cassandra.batch-delay";
    /** Roll-up rows per second the whole job may write (CONTRACT.md's write budget); 0: unbounded. */
    public static final String WRITE_BUDGET = "cassandra.write-budget";
    /** Roll-up mutations (family partitions written) per second the whole job may send; 0: unbounded. */
    public static final String WRITE_BUDGET_MUTATIONS = "cassandra.write-budget-mutations";
    /** The longest the write budget stretches the refresh of subscription and tenant rows to. */
    public static final String WRITE_BUDGET_MAX_INTERVAL = "cassandra.write-budget-max-interval";
    /** The consistency level of every roll-up and period write (cms.cassandra.Consistency says why LOCAL_QUORUM). */
    public static final String CASSANDRA_CONSISTENCY = "cassandra.consistency";
    public static final String TRANSACTION_TIMEOUT = "kafka.transaction-timeout";
    /** Opt-in fault injection for recovery tests and the benchmark (see {@link FailureInjection}); off when blank. */
    public static final String FAILURE_INJECTION_DIR = "failure-injection-dir";
    public static final String USAGE_TOPIC = "topic.usage";
    public static final String RATED_TOPIC = "topic.rated";
    public static final String DEAD_LETTER_TOPIC = "topic.dead-letter";
    public static final String HIERARCHY_TOPIC = "topic.hierarchy";
    public static final String PRICE_BOOK_TOPIC = "topic.price-books";
    public static final String COMMISSION_PLAN_TOPIC = "topic.commission-plans";

    /** Options that are not configuration (handled by {@link RatingJob}). */
    static final Set<String> FLAGS = Set.of("local-web-ui", "web-ui-port", "metrics-port");

    private static final Set<String> STATE_BACKENDS = Set.of("hashmap", "rocksdb");

    public PipelineConfig {
        require(KAFKA_BOOTSTRAP, kafkaBootstrap, hostPorts(kafkaBootstrap), "host:port[,host:port...]");
        require(REGISTRY_URL, registryUrl, httpUrl(registryUrl), "an http(s) URL");
        require(CASSANDRA_CONTACT_POINT, cassandraContactPoint, hostPorts(cassandraContactPoint), "host:port[,host:port...]");
        require(CASSANDRA_DATACENTER, cassandraDatacenter, notBlank(cassandraDatacenter), "a datacenter name");
        require(KEYSPACE, keyspace, keyspace != null && keyspace.matches("[a-z][a-z0-9_]{0,47}"), "a keyspace name [a-z][a-z0-9_]*");
        require(CONSUMER_GROUP, consumerGroup, notBlank(consumerGroup), "a consumer group id");
        require(TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix, notBlank(transactionalIdPrefix), "a transactional id prefix");
        positive(ALLOWED_LATENESS, allowedLateness, true);
        positive(OUT_OF_ORDERNESS, outOfOrderness, true);
        positive(SOURCE_IDLENESS, sourceIdleness, false);
        positive(UNKNOWN_SUBSCRIPTION_GRACE, unknownSubscriptionGrace, true);
        positive(DEDUP_HORIZON, dedupHorizon, false);
        positive(MAX_EVENT_AGE, maxEventAge, false);
        positive(MAX_EVENT_LEAD, maxEventLead, true);
        // the Avro decoder refuses single fields over 16 MB anyway (cms.wire.AvroDeserializer)
        require(MAX_EVENT_SIZE, String.valueOf(maxEventSize), maxEventSize >= 1024 && maxEventSize <= 16 << 20, "a size of 1kb..16mb");
        positive(REFRESH_INTERVAL, refreshInterval, false);
        positive(REFRESH_INTERVAL_MAX, maxRefreshInterval, false);
        if (maxRefreshInterval.compareTo(refreshInterval) < 0) {
            throw new IllegalArgumentException(REFRESH_INTERVAL_MAX + " (" + maxRefreshInterval + ") must not be shorter than "
                    + REFRESH_INTERVAL + " (" + refreshInterval + ")");
        }
        positive(CHECKPOINT_INTERVAL, checkpointInterval, false);
        positive(CHECKPOINT_ALIGNMENT_TIMEOUT, checkpointAlignmentTimeout, true);
        require(STATE_BACKEND, stateBackend, stateBackend != null && STATE_BACKENDS.contains(stateBackend), "one of " + new TreeSet<>(STATE_BACKENDS));
        if (checkpointDir != null && !checkpointDir.isBlank()) {
            require(CHECKPOINT_DIR, checkpointDir, URI.create(checkpointDir).getScheme() != null, "a URI such as file:///tmp/cms-checkpoints");
        }
        require(PARALLELISM, String.valueOf(parallelism), parallelism >= 1 && parallelism <= 1024, "an integer 1..1024");
        require(CASSANDRA_MAX_IN_FLIGHT, String.valueOf(cassandraMaxInFlight), cassandraMaxInFlight >= 1 && cassandraMaxInFlight <= 10_000, "an integer 1..10000");
        // Cassandra warns (to its log and to the client) of unlogged batches over 10 partitions
        // rows of one partition per batch (PartitionBatches): Cassandra's batch_size_fail_threshold is 50 KiB, a row about 200 B
        require(CASSANDRA_BATCH_SIZE, String.valueOf(cassandraBatchSize), cassandraBatchSize >= 1 && cassandraBatchSize <= 100, "an integer 1..100");
        require(WRITE_BUDGET, String.valueOf(writeBudget), writeBudget >= 0, "a number of rows per second, 0 for none");
        require(WRITE_BUDGET_MUTATIONS, String.valueOf(writeBudgetMutations), writeBudgetMutations >= 0,
                "a number of mutations per second, 0 for none");
        positive(WRITE_BUDGET_MAX_INTERVAL, writeBudgetMaxInterval, false);
        positive(CASSANDRA_BATCH_DELAY, cassandraBatchDelay, true);
        for (String[] topic : new String[][] {{USAGE_TOPIC, usageTopic}, {RATED_TOPIC, ratedTopic}, {DEAD_LETTER_TOPIC, deadLetterTopic},
                {HIERARCHY_TOPIC, hierarchyTopic}, {PRICE_BOOK_TOPIC, priceBookTopic}, {COMMISSION_PLAN_TOPIC, commissionPlanTopic}}) {
            require(topic[0], topic[1], topic[1] != null && topic[1].matches("[a-zA-Z0-9._-]{1,249}"), "a Kafka topic name");
        }
        positive(TRANSACTION_TIMEOUT, transactionTimeout, false);
        java.util.Objects.requireNonNull(cassandraConsistency, CASSANDRA_CONSISTENCY);
        if (failureInjectionDir != null) {
            require(FAILURE_INJECTION_DIR, failureInjectionDir, !failureInjectionDir.isBlank()
                    && java.nio.file.Path.of(failureInjectionDir).isAbsolute(), "an absolute directory path");
        }
        if (transactionTimeout.compareTo(Duration.ofMinutes(15)) > 0 || transactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalArgumentException(TRANSACTION_TIMEOUT + " must be longer than " + CHECKPOINT_INTERVAL + " ("
                    + checkpointInterval + ") and at most 15min (the broker's default maximum), was " + transactionTimeout);
        }
        if (maxEventAge.compareTo(allowedLateness) < 0) {
            throw new IllegalArgumentException(MAX_EVENT_AGE + " (" + maxEventAge + ") must not be shorter than "
                    + ALLOWED_LATENESS + " (" + allowedLateness + "): late usage must still be rateable");
        }
    }

    /** The defaults: the local stack's addresses (CMS_* variables) and the timings of the README. */
    public static Map<String, String> defaults(LocalStackAddresses stack) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(KAFKA_BOOTSTRAP, stack.kafkaBootstrap());
        d.put(REGISTRY_URL, stack.registryUrl());
        d.put(CASSANDRA_CONTACT_POINT, stack.cassandraContactPoint());
        d.put(CASSANDRA_DATACENTER, LocalStackAddresses.CASSANDRA_DATACENTER);
        d.put(KEYSPACE, stack.keyspace());
        d.put(CONSUMER_GROUP, "cms-pipeline");
        d.put(TRANSACTIONAL_ID_PREFIX, "cms-pipeline");
        d.put(ALLOWED_LATENESS, "1h");
        d.put(OUT_OF_ORDERNESS, "1min");
        d.put(SOURCE_IDLENESS, "30s");
        d.put(UNKNOWN_SUBSCRIPTION_GRACE, "30s");
        d.put(DEDUP_HORIZON, "24h");   // CONTRACT.md: the de-duplication horizon defaults to 24 h
        d.put(MAX_EVENT_AGE, "35d");
        d.put(MAX_EVENT_LEAD, "1h");
        // so that every output of a valid record fits Kafka's default 1 MiB record limit: see README-PIPELINE
        d.put(MAX_EVENT_SIZE, "256kb");
        d.put(REFRESH_INTERVAL, "2s");
        // off unless set: see README-PIPELINE (the record timestamp is not always the arrival time)
        d.put(REFRESH_INTERVAL_MAX, "");
        d.put(CHECKPOINT_INTERVAL, "10s");
        d.put(CHECKPOINT_ALIGNMENT_TIMEOUT, "1s");
        d.put(STATE_BACKEND, "hashmap");
        d.put(STATE_CHANGELOG, "false");
        d.put(CHECKPOINT_DIR, "");
        d.put(PARALLELISM, "2");
        d.put(CASSANDRA_MAX_IN_FLIGHT, "256");
        d.put(CASSANDRA_BATCH_SIZE, "25");
        // about half of what one Cassandra core applies in single-partition batches here (FLOOR.md: ~50,000 rows/s)
        d.put(WRITE_BUDGET, "20000");
        d.put(WRITE_BUDGET_MUTATIONS, "2000");
        d.put(WRITE_BUDGET_MAX_INTERVAL, "60s");
        d.put(CASSANDRA_BATCH_DELAY, "100ms");
        d.put(CASSANDRA_CONSISTENCY, Consistency.DEFAULT.name());
        d.put(TRANSACTION_TIMEOUT, "5min");
        d.put(FAILURE_INJECTION_DIR, "");
        d.put(USAGE_TOPIC, Topics.USAGE);
        d.put(RATED_TOPIC, Topics.RATED);
        d.put(DEAD_LETTER_TOPIC, Topics.DEAD_LETTER);
        d.put(HIERARCHY_TOPIC, Topics.HIERARCHY);
        d.put(PRICE_BOOK_TOPIC, Topics.PRICE_BOOKS);
        d.put(COMMISSION_PLAN_TOPIC, Topics.COMMISSION_PLANS);
        return d;
    }

    /** The local stack's defaults overridden by {@code overrides}; unknown keys are an error. */
    public static PipelineConfig from(Map<String, String> overrides) {
        return from(overrides, LocalStackAddresses.fromEnvironment());
    }

    public static PipelineConfig from(Map<String, String> overrides, LocalStackAddresses stack) {
        Map<String, String> values = defaults(stack);
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (FLAGS.contains(e.getKey())) {
                continue;
            }
            if (!values.containsKey(e.getKey())) {
                unknown.add(e.getKey());
            } else {
                values.put(e.getKey(), e.getValue() == null ? "" : e.getValue().trim());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration key(s) " + unknown + "; known keys: " + values.keySet());
        }
        return new PipelineConfig(
                values.get(KAFKA_BOOTSTRAP),
                values.get(REGISTRY_URL),
                values.get(CASSANDRA_CONTACT_POINT),
                values.get(CASSANDRA_DATACENTER),
                values.get(KEYSPACE),
                values.get(CONSUMER_GROUP),
                values.get(TRANSACTIONAL_ID_PREFIX),
                duration(values, ALLOWED_LATENESS),
                duration(values, OUT_OF_ORDERNESS),
                duration(values, SOURCE_IDLENESS),
                duration(values, UNKNOWN_SUBSCRIPTION_GRACE),
                duration(values, DEDUP_HORIZON),
                duration(values, MAX_EVENT_AGE),
                duration(values, MAX_EVENT_LEAD),
                bytes(values, MAX_EVENT_SIZE),
                duration(values, REFRESH_INTERVAL),
                values.get(REFRESH_INTERVAL_MAX).isBlank() ? duration(values, REFRESH_INTERVAL) : duration(values, REFRESH_INTERVAL_MAX),
                duration(values, CHECKPOINT_INTERVAL),
                duration(values, CHECKPOINT_ALIGNMENT_TIMEOUT),
                values.get(STATE_BACKEND),
                bool(values, STATE_CHANGELOG),
                values.get(CHECKPOINT_DIR).isBlank() ? null : values.get(CHECKPOINT_DIR),
                integer(values, PARALLELISM),
                integer(values, CASSANDRA_MAX_IN_FLIGHT),
                integer(values, CASSANDRA_BATCH_SIZE),
                duration(values, CASSANDRA_BATCH_DELAY),
                longValue(values, WRITE_BUDGET),
                longValue(values, WRITE_BUDGET_MUTATIONS),
                duration(values, WRITE_BUDGET_MAX_INTERVAL),
                values.get(USAGE_TOPIC),
                values.get(RATED_TOPIC),
                values.get(DEAD_LETTER_TOPIC),
                values.get(HIERARCHY_TOPIC),
                values.get(PRICE_BOOK_TOPIC),
                values.get(COMMISSION_PLAN_TOPIC),
                duration(values, TRANSACTION_TIMEOUT),
                values.get(FAILURE_INJECTION_DIR).isBlank() ? null : values.get(FAILURE_INJECTION_DIR),
                Consistency.parse(CASSANDRA_CONSISTENCY, values.get(CASSANDRA_CONSISTENCY)));
    }

    public SchemaRegistryClient.Config registry() {
        return SchemaRegistryClient.Config.of(registryUrl);
    }

    private static Duration duration(Map<String, String> values, String key) {
        String v = values.get(key);
        try {
            return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : TimeUtils.parseDuration(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be a duration such as 30s, 5min, 2h, 7d or PT30S, was '" + v + "'");
        }
    }

    /** A size such as 262144, 256kb or 1mb (Flink's MemorySize: kb = 1024 bytes). */
    private static int bytes(Map<String, String> values, String key) {
        String v = values.get(key);
        try {
            return Math.toIntExact(org.apache.flink.configuration.MemorySize.parseBytes(v));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be a size such as 262144, 256kb or 1mb, was '" + v + "'");
        }
    }

    private static boolean bool(Map<String, String> values, String key) {
        String v = values.get(key);
        if (!"true".equals(v) && !"false".equals(v)) {
            throw new IllegalArgumentException(key + " must be true or false, was '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static int integer(Map<String, String> values, String key) {
        long v = longValue(values, key);
        if (v != (int) v) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + values.get(key) + "'");
        }
        return (int) v;
    }

    private static long longValue(Map<String, String> values, String key) {
        String v = values.get(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + v + "'");
        }
    }

    private static void positive(String key, Duration d, boolean zeroAllowed) {
        if (d == null || d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(key + " must be a " + (zeroAllowed ? "non-negative" : "positive")
                    + " duration, was " + d);
        }
    }

    private static void require(String key, String value, boolean ok, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + expected + ", was '" + value + "'");
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static boolean hostPorts(String s) {
        if (!notBlank(s)) {
            return false;
        }
        for (String part : s.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0) {
                return false;
            }
            try {
                int port = Integer.parseInt(part.substring(colon + 1).trim());
                if (port < 1 || port > 65535) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static boolean httpUrl(String s) {
        if (!notBlank(s)) {
            return false;
        }
        try {
            URI uri = URI.create(s);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
