package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.avro.PricingModel;
import cms.avro.RatedUsage;
import cms.avro.UsageEvent;
import cms.cassandra.CassandraSchema;
import cms.pipeline.job.PipelineConfig;
import cms.pipeline.job.RatingJob;
import cms.pipeline.job.Workflow;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.topics.VersionKeys;
import cms.wire.AvroDeserializer;
import cms.wire.AvroSerializer;
import cms.wire.ConfluentFrame;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.node;
import static cms.pipeline.Fixtures.plan;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every hostile record we could think of, produced in one run into the whole job on a MiniCluster against the
 * real Kafka, registry and Cassandra of the local stack, between good usage: each lands in the dead-letter topic
 * once with its reason (and its bytes untouched), the good usage is rated exactly and rolled up exactly, and
 * the job never fails (restarts 0, no exception in its history). Among them S-1 (a quantity of 29 significant
 * digits from a writer that ignores the precision), S-2 (a producer clock 55 min fast, event time 1 h 50 ahead)
 * and S-3 (a record just under Kafka's 1 MB limit), and the edges of every rule.
 *
 * <p>The run's rated topic is made tighter than Kafka's defaults (max.message.bytes 64 KiB,
 * message.timestamp.after.max.ms 30 min), so that valid usage its rated record cannot be written for really
 * meets the broker's limits: dead-lettered UNDELIVERABLE by the rated output, never sent.
 */
class PoisonRecordIT {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordIT.class);
    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("cms.it.wait-seconds", 180));
    private static final int RATED_MAX_MESSAGE_BYTES = 64 * 1024;
    private static final long RATED_AFTER_MAX_MS = Duration.ofMinutes(30).toMillis();
    private static final int MAX_EVENT_SIZE = 256 * 1024;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(RatingPipelineIT.localOnly())
            .build());

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String keyspace = "it_poison_" + run;
    private final Map<String, String> topics = ItSupport.topics(run);

    private CqlSession cassandra;
    private SchemaRegistryClient registry;

    /** What one produced record must become: rated (with its amount), or a dead letter of a reason whose detail says what. */
    private record Expected(String what, DeadLetterReason reason, String detail, UsageEvent rated, BigDecimal amount) {}

    @BeforeEach
    void provision() throws Exception {
        cassandra = CqlSession.builder().addContactPoint(new InetSocketAddress(STACK.host(), STACK.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER).build();
        registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(STACK.registryUrl()));
        try (Admin admin = admin()) {
            List<NewTopic> create = new ArrayList<>();
            for (Map.Entry<String, String> t : topics.entrySet()) {
                NewTopic topic = new NewTopic(t.getValue(), t.getKey().equals(PipelineConfig.USAGE_TOPIC) ? 2 : 1, (short) 1);
                if (t.getKey().equals(PipelineConfig.RATED_TOPIC)) {
                    topic.configs(Map.of("max.message.bytes", Integer.toString(RATED_MAX_MESSAGE_BYTES),
                            "message.timestamp.after.max.ms", Long.toString(RATED_AFTER_MAX_MS)));
                } else if (t.getKey().equals(PipelineConfig.DEAD_LETTER_TOPIC)) {
                    // as the stack creates it
                    topic.configs(Topics.DEAD_LETTER_CONFIG);
                }
                create.add(topic);
            }
            admin.createTopics(create).all().get();
        }
        CassandraSchema.apply(cassandra, keyspace, 1);
    }

    @AfterEach
    void cleanUp() {
        try (Admin admin = admin()) {
            admin.deleteTopics(topics.values()).all().get();
        } catch (Exception e) {
            LOG.warn("could not delete the run's topics: {}", e.toString());
        }
        cassandra.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(Duration.ofSeconds(30)));
        cassandra.close();
    }

    @Test
    void everyHostileRecordIsDeadLetteredWithItsReasonTheGoodUsageIsRatedExactlyAndTheJobNeverRestarts(
            @InjectClusterClient RestClusterClient<?> flink) throws Exception {
        Map<String, String> o = new HashMap<>(topics);
        o.put(PipelineConfig.KEYSPACE, keyspace);
        o.put(PipelineConfig.CONSUMER_GROUP, "it-" + run);
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, "it-" + run);
        o.put(PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "3s");
        o.put(PipelineConfig.SOURCE_IDLENESS, "10min");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "1s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "500ms");
        o.put(PipelineConfig.TRANSACTION_TIMEOUT, "20s");
        o.put(PipelineConfig.MAX_EVENT_SIZE, Integer.toString(MAX_EVENT_SIZE));
        PipelineConfig config = PipelineConfig.from(o, STACK);
        AvroSerializer serializer = new AvroSerializer(registry, true);
        String usage = config.usageTopic();

        // S-3 is just under the broker's 1 MB limit, above the producer's default max.request.size
        try (KafkaProducer<byte[], byte[]> producer = ItSupport.producer(STACK, 2 << 20)) {
            publishReferenceData(producer, serializer, config);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.configure(RatingJob.flinkConfiguration(config));
            env.setParallelism(2);
            Workflow.build(env, config, RatingJob.sources(config), RatingJob.sinks(config));
            JobClient job = env.executeAsync("poison records IT " + run);
            try {
                Map<String, Expected> expected = new LinkedHashMap<>();   // by "partition@offset"
                long now = System.currentTimeMillis();
                // good usage, in event-time order per partition, an hour and a half ago, each arriving a second after it happened
                Instant start = Instant.ofEpochMilli(now).minus(90, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
                List<UsageEvent> good = new ArrayList<>();
                for (int i = 0; i < 120; i++) {
                    good.add(event("good-" + i, i % 2 == 0 ? "s1" : "s2", "vcpu", BigDecimal.valueOf(1 + i, 3), start.plusSeconds(20L * i)));
                }
                int g = 0;
                for (UsageEvent e : good) {
                    send(producer, expected, usage, g % 2, key(e), value(serializer, usage, e), e.getEventTime().toEpochMilli() + 1000,
                            rated("good usage", e));
                    g++;
                    if (g % 20 == 0) {
                        hostile(producer, serializer, expected, config, now, g / 20);
                    }
                }
                producer.flush();
                // valid at the source, refused by the rated topic's timestamp limit (30 min): last in their partitions, as they
                // move their partition's event time ahead
                long at = System.currentTimeMillis();
                UsageEvent ahead = event("ahead-45min", "s1", "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(at + 45 * 60_000));
                send(producer, expected, usage, 0, key(ahead), value(serializer, usage, ahead), at,
                        dead("valid, rated timestamp 45 min ahead", DeadLetterReason.UNDELIVERABLE, "message.timestamp.after.max.ms"));
                UsageEvent leadEdge = event("lead-edge", "s2", "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(at + 3_600_000));
                send(producer, expected, usage, 1, key(leadEdge), value(serializer, usage, leadEdge), at,
                        dead("event time exactly max-event-lead after arrival (valid)", DeadLetterReason.UNDELIVERABLE,
                                "message.timestamp.after.max.ms"));
                producer.flush();
                LOG.info("run {}: produced {} records ({} good)", run, expected.size(), good.size());

                await("every record rated or dead-lettered", () -> count(config.ratedTopic()) + count(config.deadLetterTopic()) >= expected.size(),
                        () -> "rated " + count(config.ratedTopic()) + ", dead letters " + count(config.deadLetterTopic()) + " of "
                                + expected.size() + ", job " + job.getJobStatus().join());
                Map<String, BigDecimal> expectedMonths = expectedMonthRows(expected);
                awaitRollups(expectedMonths);
                List<ConsumerRecord<byte[], byte[]>> ratedRecords = records(config.ratedTopic());
                List<ConsumerRecord<byte[], byte[]>> deadRecords = records(config.deadLetterTopic());

                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                assertNoRestarts(flink, job);

                AvroDeserializer<RatedUsage> ratedReader = new AvroDeserializer<>(registry, RatedUsage.class);
                AvroDeserializer<DeadLetter> deadReader = new AvroDeserializer<>(registry, DeadLetter.class);
                // conservation: each record exactly once, as rated or as a dead letter
                assertThat(ratedRecords.size() + deadRecords.size()).isEqualTo(expected.size());

                Map<String, DeadLetter> deadByCoordinates = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : deadRecords) {
                    DeadLetter d = deadReader.deserialize(r.value());
                    assertThat(d.getSourceTopic()).isEqualTo(usage);
                    assertThat(deadByCoordinates.put(d.getSourcePartition() + "@" + d.getSourceOffset(), d)).as("one dead letter a record").isNull();
                    assertThat(r.key() == null ? null : ByteBuffer.wrap(r.key())).isEqualTo(d.getKey());
                }
                Map<String, RatedUsage> ratedById = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : ratedRecords) {
                    RatedUsage u = ratedReader.deserialize(r.value());
                    assertThat(ratedById.put(u.getEvent().getEventId(), u)).as("rated once").isNull();
                    assertThat(r.timestamp()).isEqualTo(u.getEvent().getEventTime().toEpochMilli());
                }
                Map<DeadLetterReason, Integer> reasons = new TreeMap<>();
                int ratedExpected = 0;
                for (Map.Entry<String, Expected> e : expected.entrySet()) {
                    Expected x = e.getValue();
                    if (x.rated() != null) {
                        ratedExpected++;
                        RatedUsage u = ratedById.get(x.rated().getEventId());
                        assertThat(u).as(x.what() + " " + x.rated().getEventId() + " rated").isNotNull();
                        assertThat(u.getAmount()).as("amount of " + x.rated().getEventId()).isEqualByComparingTo(x.amount());
                        assertThat(u.getLateAdjustment()).as(x.rated().getEventId() + " on time").isFalse();
                        continue;
                    }
                    DeadLetter d = deadByCoordinates.get(e.getKey());
                    assertThat(d).as(x.what() + " at " + e.getKey() + " dead-lettered").isNotNull();
                    assertThat(d.getReason()).as(x.what() + ": " + d.getDetail()).isEqualTo(x.reason());
                    assertThat(d.getDetail()).as(x.what()).contains(x.detail());
                    reasons.merge(d.getReason(), 1, Integer::sum);
                }
                assertThat(ratedById).hasSize(ratedExpected);
                // the originals, untouched: S-3's megabyte among them
                for (ConsumerRecord<byte[], byte[]> r : deadRecords) {
                    DeadLetter d = deadReader.deserialize(r.value());
                    byte[] original = originals.get(d.getSourcePartition() + "@" + d.getSourceOffset());
                    assertThat(d.getValue() == null ? null : bytes(d.getValue())).as("original bytes of " + d.getSourceOffset()).isEqualTo(original);
                }
                LOG.info("run {}: {} rated, dead letters by reason {}", run, ratedById.size(), reasons);
                assertThat(reasons.keySet()).containsExactlyInAnyOrder(DeadLetterReason.values());
            } finally {
                job.cancel().get();
            }
        }
    }

    /** The original value of each produced record, by "partition@offset". */
    private final Map<String, byte[]> originals = new HashMap<>();

    /** One round of hostile records, the n-th, among the good usage. */
    private void hostile(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, Map<String, Expected> expected,
                         PipelineConfig config, long now, int n) throws Exception {
        String usage = config.usageTopic();
        int p = n % 2;
        String sub = p == 0 ? "s1" : "s2";
        Instant t = Instant.ofEpochMilli(now).minus(90, ChronoUnit.MINUTES).plusSeconds(20L * 20 * n);
        long ts = t.toEpochMilli() + 1000;
        switch (n) {
            case 1 -> {
                // S-1: 10^19 at scale 9 (29 significant digits) from a writer whose schema says precision 38
                send(producer, expected, usage, p, key(sub), wideDecimal(usage, "s1-" + n, sub, new BigDecimal("10000000000000000000"), t), ts,
                        dead("S-1 quantity of 29 digits", DeadLetterReason.INVALID, "more than the 28 significant digits"));
                // 28 digits, the most the schema holds: rated (the amount fits decimal(38,18))
                UsageEvent max = event("max-precision-" + n, sub, "vcpu", new BigDecimal("9999999999999999999.999999999"), t);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, max), ts, rated("28 significant digits", max));
                // an amount beyond decimal(38,18): 28 digits at 1000 per unit
                UsageEvent overflow = event("overflow-" + n, sub, "gold", new BigDecimal("9999999999999999999.999999999"), t);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, overflow), ts,
                        dead("amount beyond decimal(38,18)", DeadLetterReason.UNDELIVERABLE, "cannot hold amount"));
            }
            case 2 -> {
                // S-2: the producer's clock 55 min fast, event time 1 h 50 min ahead
                long wall = System.currentTimeMillis();
                UsageEvent s2 = event("s2-" + n, sub, "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(wall + 110 * 60_000));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, s2), wall + 55 * 60_000,
                        dead("S-2 fast producer clock", DeadLetterReason.INVALID, "max-event-lead"));
                UsageEvent overLead = event("over-lead-" + n, sub, "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(wall + 3_600_001));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, overLead), wall,
                        dead("event time max-event-lead + 1 ms after arrival", DeadLetterReason.INVALID, "max-event-lead"));
                UsageEvent old = event("too-old-" + n, sub, "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(wall - Duration.ofDays(35).toMillis() - 60_000));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, old), wall,
                        dead("event time beyond max-event-age", DeadLetterReason.INVALID, "max-event-age"));
                // the extremes of timestamp-millis
                UsageEvent endOfTime = event("end-of-time-" + n, sub, "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(Long.MAX_VALUE));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, endOfTime), wall,
                        dead("event time Long.MAX_VALUE ms", DeadLetterReason.INVALID, "max-event-lead"));
                UsageEvent startOfTime = event("start-of-time-" + n, sub, "vcpu", BigDecimal.ONE, Instant.ofEpochMilli(Long.MIN_VALUE));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, startOfTime), wall,
                        dead("event time Long.MIN_VALUE ms", DeadLetterReason.INVALID, "max-event-age"));
            }
            case 3 -> {
                // S-3: a record just under Kafka's 1 MB limit
                UsageEvent big = padded(serializer, usage, event("s3-" + n, sub, "vcpu", BigDecimal.ONE, t), 1_000_000 - sub.length());
                send(producer, expected, usage, p, key(sub), value(serializer, usage, big), ts,
                        dead("S-3 a record of 1,000,000 bytes", DeadLetterReason.INVALID, "more than max-event-size"));
                // the max-event-size edge: key + value exactly at it is valid (and too large for this run's rated topic), one byte more is not
                UsageEvent edge = padded(serializer, usage, event("size-edge-" + n, sub, "vcpu", BigDecimal.ONE, t), MAX_EVENT_SIZE - sub.length());
                send(producer, expected, usage, p, key(sub), value(serializer, usage, edge), ts,
                        dead("key + value exactly max-event-size (valid)", DeadLetterReason.UNDELIVERABLE, "max.message.bytes " + RATED_MAX_MESSAGE_BYTES));
                UsageEvent over = padded(serializer, usage, event("size-over-" + n, sub, "vcpu", BigDecimal.ONE, t), MAX_EVENT_SIZE - sub.length() + 1);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, over), ts,
                        dead("key + value max-event-size + 1", DeadLetterReason.INVALID, "more than max-event-size"));
                // valid, well within max-event-size, but its rated record is over the rated topic's max.message.bytes
                UsageEvent wide = padded(serializer, usage, event("wide-" + n, sub, "vcpu", BigDecimal.ONE, t), 100_000);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, wide), ts,
                        dead("rated record over the rated topic's max.message.bytes", DeadLetterReason.UNDELIVERABLE, "max.message.bytes"));
            }
            case 4 -> {
                send(producer, expected, usage, p, key(sub), null, ts, dead("tombstone", DeadLetterReason.UNDECODABLE, "NO_VALUE"));
                send(producer, expected, usage, p, null, "no key, not avro".getBytes(StandardCharsets.UTF_8), ts,
                        dead("null key, garbage", DeadLetterReason.UNDECODABLE, "BAD_FRAMING"));
                send(producer, expected, usage, p, key(sub), new byte[0], ts, dead("empty value", DeadLetterReason.UNDECODABLE, "BAD_FRAMING"));
                send(producer, expected, usage, p, key(sub), new byte[] {0, 0, 0, 1}, ts, dead("4-byte value", DeadLetterReason.UNDECODABLE, "BAD_FRAMING"));
                send(producer, expected, usage, p, key(sub), new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4}, ts,
                        dead("unknown schema id", DeadLetterReason.UNDECODABLE, "UNKNOWN_SCHEMA_ID"));
                byte[] whole = value(serializer, usage, event("cut-" + n, sub, "vcpu", BigDecimal.ONE, t));
                send(producer, expected, usage, p, key(sub), java.util.Arrays.copyOf(whole, whole.length - 3), ts,
                        dead("truncated body", DeadLetterReason.UNDECODABLE, "CORRUPT_PAYLOAD"));
                send(producer, expected, usage, p, key(sub), java.util.Arrays.copyOf(whole, whole.length + 2), ts,
                        dead("bytes left over", DeadLetterReason.UNDECODABLE, "CORRUPT_PAYLOAD"));
                send(producer, expected, usage, p, key(sub), incompatible(usage), ts,
                        dead("incompatible writer schema", DeadLetterReason.UNDECODABLE, "INCOMPATIBLE_SCHEMA"));
                byte[] hugeKey = new byte[200_000];
                send(producer, expected, usage, p, hugeKey, "x".getBytes(StandardCharsets.UTF_8), ts,
                        dead("a 200 KB key", DeadLetterReason.UNDECODABLE, "BAD_FRAMING"));
                // a valid event without a key: keyed by its subscription, rated
                UsageEvent keyless = event("keyless-" + n, sub, "vcpu", new BigDecimal("2.5"), t);
                send(producer, expected, usage, p, null, value(serializer, usage, keyless), ts, rated("valid usage without a key", keyless));
            }
            case 5 -> {
                send(producer, expected, usage, p, key(sub), value(serializer, usage, event("", sub, "vcpu", BigDecimal.ONE, t)), ts,
                        dead("empty eventId", DeadLetterReason.INVALID, "eventId"));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, event("x".repeat(129), sub, "vcpu", BigDecimal.ONE, t)), ts,
                        dead("eventId of 129 characters", DeadLetterReason.INVALID, "eventId must be 1 to 128"));
                UsageEvent longId = event("i".repeat(128), sub, "vcpu", BigDecimal.ONE, t);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, longId), ts, rated("eventId of 128 characters", longId));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, event("blank-sub-" + n, " ", "vcpu", BigDecimal.ONE, t)), ts,
                        dead("blank subscriptionId", DeadLetterReason.INVALID, "subscriptionId"));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, event("blank-meter-" + n, sub, "", BigDecimal.ONE, t)), ts,
                        dead("empty meterId", DeadLetterReason.INVALID, "meterId"));
                send(producer, expected, usage, p, key(sub), value(serializer, usage,
                        event("negative-" + n, sub, "vcpu", new BigDecimal("-0.000000001"), t)), ts,
                        dead("quantity below 0", DeadLetterReason.INVALID, "quantity must be >= 0"));
                UsageEvent zero = event("zero-" + n, sub, "vcpu", BigDecimal.ZERO, t);
                send(producer, expected, usage, p, key(sub), value(serializer, usage, zero), ts, rated("quantity 0", zero));
                send(producer, expected, usage, p, key("ghost"), value(serializer, usage, event("ghost-" + n, "ghost", "vcpu", BigDecimal.ONE, t)), ts,
                        dead("unknown subscription", DeadLetterReason.UNKNOWN_SUBSCRIPTION, "ghost"));
                send(producer, expected, usage, p, key("s3"), value(serializer, usage, event("suspended-" + n, "s3", "vcpu", BigDecimal.ONE, t)), ts,
                        dead("suspended subscription", DeadLetterReason.INACTIVE_SUBSCRIPTION, "s3"));
                send(producer, expected, usage, p, key(sub), value(serializer, usage, event("unpriced-" + n, sub, "qubits", BigDecimal.ONE, t)), ts,
                        dead("unpriced meter", DeadLetterReason.UNPRICED, "qubits"));
            }
            default -> { }
        }
    }

    // ------------------------------------------------------------------ records

    private static UsageEvent event(String id, String sub, String meter, BigDecimal q, Instant t) {
        return UsageEvent.newBuilder().setEventId(id).setSubscriptionId(sub).setMeterId(meter).setQuantity(q.setScale(9))
                .setEventTime(t).setRegion(null).setAttributes(Map.of()).build();
    }

    /** The event with an attribute padding its framed value to exactly {@code valueBytes}. */
    private static UsageEvent padded(AvroSerializer serializer, String topic, UsageEvent e, int valueBytes) {
        int base = value(serializer, topic, e).length;
        for (int pad = Math.max(0, valueBytes - base - 8); pad <= valueBytes; pad++) {
            UsageEvent p = UsageEvent.newBuilder(e).setAttributes(Map.of("pad", "p".repeat(pad))).build();
            int size = value(serializer, topic, p).length;
            if (size == valueBytes) {
                return p;
            }
            if (size > valueBytes) {
                break;
            }
        }
        throw new IllegalStateException("cannot pad to " + valueBytes);
    }

    private static byte[] value(AvroSerializer serializer, String topic, UsageEvent e) {
        return serializer.serialize(topic, e);
    }

    /** A writer that ignores the precision: UsageEvent with quantity decimal(38,9), under a subject of its own. */
    private byte[] wideDecimal(String topic, String id, String sub, BigDecimal q, Instant t) throws Exception {
        Schema wide = new Schema.Parser().parse(UsageEvent.getClassSchema().toString().replace("\"precision\":28", "\"precision\":38"));
        int schemaId = registry.register(topic + "-wide-value", wide);
        GenericData data = new GenericData();
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
        GenericRecord r = new GenericData.Record(wide);
        r.put("eventId", id);
        r.put("subscriptionId", sub);
        r.put("meterId", "vcpu");
        r.put("quantity", q.setScale(9));
        r.put("eventTime", t.toEpochMilli());
        r.put("region", null);
        r.put("resourceId", null);
        r.put("attributes", Map.of());
        return frame(schemaId, wide, data, r);
    }

    /** A record called UsageEvent that cannot be read as one (eventId an int, the other fields missing). */
    private byte[] incompatible(String topic) throws Exception {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"UsageEvent\",\"namespace\":\"cms.avro\","
                + "\"fields\":[{\"name\":\"eventId\",\"type\":\"int\"}]}");
        int schemaId = registry.register(topic + "-other-value", other);
        GenericRecord r = new GenericData.Record(other);
        r.put("eventId", 7);
        return frame(schemaId, other, new GenericData(), r);
    }

    private static byte[] frame(int schemaId, Schema schema, GenericData data, GenericRecord r) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(body, null);
        new GenericDatumWriter<GenericRecord>(schema, data).write(r, encoder);
        encoder.flush();
        return ConfluentFrame.frame(schemaId, body.toByteArray());
    }

    private static Expected rated(String what, UsageEvent e) {
        // vcpu: 0.01 per unit, no included quantity (the book below)
        return new Expected(what, null, null, e, e.getQuantity().multiply(new BigDecimal("0.01")));
    }

    private static Expected dead(String what, DeadLetterReason reason, String detail) {
        return new Expected(what, reason, detail, null, null);
    }

    private static byte[] key(UsageEvent e) {
        return key(e.getSubscriptionId());
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void send(KafkaProducer<byte[], byte[]> producer, Map<String, Expected> expected, String topic, int partition, byte[] key,
                      byte[] value, long timestamp, Expected outcome) throws Exception {
        RecordMetadata m = producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value)).get();
        String at = m.partition() + "@" + m.offset();
        expected.put(at, outcome);
        originals.put(at, value);
    }

    private void publishReferenceData(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, PipelineConfig config)
            throws Exception {
        String from = "2026-01-01T00:00:00Z";
        for (var c : List.of(node(NodeLevel.DISTRIBUTOR, "d1", null, from), node(NodeLevel.PARTNER, "p1", "d1", from),
                node(NodeLevel.TENANT, "t1", "p1", from),
                node(NodeLevel.SUBSCRIPTION, "s1", "t1", from, NodeStatus.ACTIVE, "b1", null),
                node(NodeLevel.SUBSCRIPTION, "s2", "t1", from, NodeStatus.ACTIVE, "b1", null),
                node(NodeLevel.SUBSCRIPTION, "s3", "t1", from, NodeStatus.SUSPENDED, "b1", null))) {
            producer.send(new ProducerRecord<>(config.hierarchyTopic(), key(VersionKeys.hierarchy(c)), serializer.serialize(config.hierarchyTopic(), c)));
        }
        var b = book("b1", "EUR", from, rate("vcpu", null, PricingModel.PER_UNIT, "0", tier(null, "0.01")),
                rate("gold", null, PricingModel.PER_UNIT, "0", tier(null, "1000")));
        producer.send(new ProducerRecord<>(config.priceBookTopic(), key(VersionKeys.priceBook(b)), serializer.serialize(config.priceBookTopic(), b)));
        var p = plan("default", PlanOwner.PLATFORM, null, from, flat("0.10"), flat("0.05"));
        producer.send(new ProducerRecord<>(config.commissionPlanTopic(), key(VersionKeys.commissionPlan(p)),
                serializer.serialize(config.commissionPlanTopic(), p))).get();
    }

    // ------------------------------------------------------------------ checks

    /** No failure in the job's history and a restart count of 0, from the job's REST API (the MiniCluster's web monitor). */
    private void assertNoRestarts(RestClusterClient<?> flink, JobClient job) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = flink.getWebInterfaceURL() + "/jobs/" + job.getJobID();
        String exceptions = http.send(HttpRequest.newBuilder(URI.create(base + "/exceptions")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(exceptions).as("the job's exception history").contains("\"entries\":[]");
        String[] restarts = {null};
        await("the job's numRestarts metric", () -> {
            try {
                restarts[0] = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics?get=numRestarts")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return restarts[0].contains("\"value\"");
            } catch (Exception e) {
                return false;
            }
        }, () -> String.valueOf(restarts[0]));
        assertThat(restarts[0]).as("numRestarts").contains("\"value\":\"0\"");
        LOG.info("run {}: {} {}", run, restarts[0], exceptions);
    }

    /** SUBSCRIPTION MONTH rows the good usage makes: "sub|meter|month" to "count amount". */
    private static Map<String, BigDecimal> expectedMonthRows(Map<String, Expected> expected) {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (Expected x : expected.values()) {
            if (x.rated() != null) {
                String month = YearMonth.from(x.rated().getEventTime().atZone(ZoneOffset.UTC)).toString();
                String k = x.rated().getSubscriptionId() + "|" + x.rated().getMeterId() + "|" + month;
                out.merge(k + "|count", BigDecimal.ONE, BigDecimal::add);
                out.merge(k + "|amount", x.amount(), BigDecimal::add);
            }
        }
        return out;
    }

    private Map<String, BigDecimal> monthRows() {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (ItSupport.StoredRow r : ItSupport.storedRows(cassandra, keyspace)) {
            if (!r.level().equals("SUBSCRIPTION") || !r.granularity().equals("MONTH")) {
                continue;
            }
            String k = r.nodeId() + "|" + r.meterId() + "|" + YearMonth.from(Instant.ofEpochMilli(r.windowStart()).atZone(ZoneOffset.UTC));
            out.put(k + "|count", BigDecimal.valueOf(r.eventCount()));
            out.put(k + "|amount", r.amount());
        }
        return out;
    }

    private void awaitRollups(Map<String, BigDecimal> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!sameValues(monthRows(), expected) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        Map<String, String> actual = new TreeMap<>();
        monthRows().forEach((k, v) -> actual.put(k, v.stripTrailingZeros().toPlainString()));
        Map<String, String> wanted = new TreeMap<>();
        expected.forEach((k, v) -> wanted.put(k, v.stripTrailingZeros().toPlainString()));
        assertThat(actual).as("subscription MONTH roll-ups: the good usage only").isEqualTo(wanted);
    }

    private static boolean sameValues(Map<String, BigDecimal> a, Map<String, BigDecimal> b) {
        return a.keySet().equals(b.keySet()) && a.entrySet().stream().allMatch(e -> e.getValue().compareTo(b.get(e.getKey())) == 0);
    }

    // ------------------------------------------------------------------ Kafka

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafkaBootstrap()));
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        return ItSupport.committed(STACK, topic);
    }

    private static long count(String topic) {
        return records(topic).size();
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer copy = b.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " " + state.get());
            }
            Thread.sleep(500);
        }
        LOG.info("run {}: {}", run, what);
    }
}
