package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.RatedUsage;
import cms.cassandra.CassandraSchema;
import cms.pipeline.job.PipelineConfig;
import cms.pipeline.job.RatingJob;
import cms.pipeline.job.Workflow;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroDeserializer;
import cms.wire.AvroSerializer;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import cms.pipeline.cassandra.CassandraSink;
import cms.pipeline.model.FamilyRow;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on a MiniCluster against the real Kafka, registry and Cassandra of the local stack
 * (infra/bin/stack up; addresses from CMS_* variables). Each run uses its own topics and keyspace.
 * Size: -Dcms.it.hierarchy=D,P,T,S and -Dcms.it.events=N (default 3,10,50,500 and 3000 events).
 */
class RatingPipelineIT {
    private static final Logger LOG = LoggerFactory.getLogger(RatingPipelineIT.class);
    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("cms.it.wait-seconds", 120));
    private static final java.nio.file.Path CHANGELOG_DIR = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
            "cms-it-changelog-" + UUID.randomUUID());

    /** Where the MiniCluster's Prometheus reporter serves every metric of the jobs it runs (before FLINK, whose configuration reads it). */
    static final int PROMETHEUS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(localOnly())
            .build());

    private final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private final String KEYSPACE = "it_" + RUN;
    private final Map<String, String> TOPICS = ItSupport.topics(RUN);

    private static CqlSession cassandra;
    private static SchemaRegistryClient registry;

    static Configuration localOnly() {
        Configuration c = new Configuration();
        RatingJob.prometheus(c, Integer.toString(PROMETHEUS_PORT));
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, "0");
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        // where a job with state-changelog true logs its state changes: a task manager's setting, as on a cluster
        c.set(org.apache.flink.configuration.StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        c.set(org.apache.flink.changelog.fs.FsStateChangelogOptions.BASE_PATH, CHANGELOG_DIR.toUri().toString());
        return c;
    }

    @BeforeAll
    static void connect() {
        cassandra = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(STACK.host(), STACK.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                // a full-table read of the roll-ups on a loaded 2-core machine can take longer than the driver's 2 s
                .withConfigLoader(com.datastax.oss.driver.api.core.config.DriverConfigLoader.programmaticBuilder()
                        .withDuration(com.datastax.oss.driver.api.core.config.DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
        registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(STACK.registryUrl()));
    }

    @AfterAll
    static void disconnect() throws java.io.IOException {
        if (cassandra != null) {
            cassandra.close();
        }
        org.apache.flink.util.FileUtils.deleteDirectoryQuietly(CHANGELOG_DIR.toFile());
    }

    @BeforeEach
    void provision() throws Exception {
        ItSupport.createTopics(STACK.kafkaBootstrap(), TOPICS);
        CassandraSchema.apply(cassandra, KEYSPACE, 1);
        LOG.info("run {}: topics it.{}.*, keyspace {}", RUN, RUN, KEYSPACE);
    }

    @AfterEach
    void cleanUp() {
        cassandra.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement
                .newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE).setTimeout(Duration.ofSeconds(30)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafkaBootstrap()))) {
            admin.deleteTopics(TOPICS.values()).all().get();
        } catch (Exception e) {
            LOG.warn("could not delete the run's topics: {}", e.toString());
        }
    }

    private PipelineConfig config(String stateBackend) {
        // no subtask may be declared idle while another races a month ahead: that would make usage late
        return config(stateBackend, "10min");
    }

    private PipelineConfig config(String stateBackend, String sourceIdleness) {
        Map<String, String> o = new HashMap<>(TOPICS);
        o.put(PipelineConfig.STATE_BACKEND, stateBackend);
        if (!"hashmap".equals(stateBackend)) {
            // incremental checkpoints need a checkpoint directory (not the JobManager's memory)
            o.put(PipelineConfig.CHECKPOINT_DIR, java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "cms-it-checkpoints", RUN)
                    .toUri().toString());
        }
        o.put(PipelineConfig.KEYSPACE, KEYSPACE);
        o.put(PipelineConfig.CONSUMER_GROUP, "it-" + RUN);
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, "it-" + RUN);
        o.put(PipelineConfig.ALLOWED_LATENESS, "1h");
        o.put(PipelineConfig.OUT_OF_ORDERNESS, Scenario.OUT_OF_ORDERNESS.toMinutes() + "min");
        o.put(PipelineConfig.SOURCE_IDLENESS, sourceIdleness);
        o.put(PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "3s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "500ms");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "1s");
        o.put(PipelineConfig.PARALLELISM, "2");
        // above the time from a transaction's first record to its commit, recovery included: on this loaded 2-core machine a
        // checkpoint took 9 s and a recovery 13 s, and a 20 s timeout let the broker abort a transaction whose checkpoint had
        // completed (its records lost). A transaction a failed attempt leaves open is aborted by the next attempt's writer.
        o.put(PipelineConfig.TRANSACTION_TIMEOUT, "2min");
        return PipelineConfig.from(o, STACK);
    }

    /**
     * The month, with a stop-with-savepoint and a resume from it between the on-time usage and the late
     * usage, then a full replay from scratch: every result exact each time.
     */
    @Test
    void aMonthOfUsageIsRatedRolledUpAndFinalizedExactly() throws Exception {
        run(false);
    }

    /**
     * The same month with the job failing three times at random points (the first subtask's n-th
     * roll-up write, n random), each right after a Cassandra write and before the checkpoint covering it, and recovering from its last checkpoint: every
     * result must be exactly the one of the run without failures (the same expected values). This run keeps its state
     * in RocksDB with incremental checkpoints, so both state backends are recovered from.
     */
    @Test
    void theSameMonthWithFailuresAndRecoveriesGivesIdenticalResults() throws Exception {
        run(true);
    }

    /**
     * Every usage partition idle for longer than source-idleness (a quiet spell) while the reference input
     * is, as always, without event time: the job's watermark must stay where the usage left it. (It once
     * became the reference input's "end of time", finalizing the open period and every window.)
     */
    @Test
    void aQuietSpellLongerThanTheSourceIdlenessFinalizesNothing() throws Exception {
        Scenario scenario = new Scenario(1, 2, 2, 2, 10, 20260102L);
        Map<String, String> o = new HashMap<>(TOPICS);
        o.put(PipelineConfig.KEYSPACE, KEYSPACE);
        o.put(PipelineConfig.CONSUMER_GROUP, "it-" + RUN);
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, "it-" + RUN);
        o.put(PipelineConfig.SOURCE_IDLENESS, "1s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "200ms");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "500ms");
        o.put(PipelineConfig.TRANSACTION_TIMEOUT, "20s");
        // this run also checkpoints through the state changelog (the option's end-to-end check)
        o.put(PipelineConfig.STATE_CHANGELOG, "true");
        PipelineConfig config = PipelineConfig.from(o, STACK);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            publishReferenceData(producer, serializer, config, scenario);
            JobClient job = start(config, "quiet spell IT ");
            try {
                send(producer, serializer, config, List.of(scenario.canary));
                await("canary rated", () -> count(config.ratedTopic()) >= 1);
                await("period 2026-01 recorded", () -> ItSupport.periodStatus(cassandra, KEYSPACE, "2026-01") != null);
                Thread.sleep(6_000);   // every usage partition idle for several source-idleness intervals
                assertThat(ItSupport.periodStatus(cassandra, KEYSPACE, "2026-01")).as("the open period after a quiet spell").isEqualTo("OPEN");
                String canary = scenario.canary.event.getSubscriptionId();
                assertThat(ItSupport.storedRows(cassandra, KEYSPACE).stream()
                        .filter(r -> r.level().equals("SUBSCRIPTION") && r.nodeId().equals(canary) && r.granularity().equals("HOUR"))
                        .map(ItSupport.StoredRow::status).toList())
                        .as("the canary's HOUR window").containsExactly("OPEN");
                assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
                assertThat(CHANGELOG_DIR).as("the state changelog of this run").isDirectoryContaining(p -> true);
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * R-1 and R-2 of issue 12: the month arrives as a burst after a quiet spell longer than source-idleness, as a
     * backfill or a replay does, each partition's share a few seconds after the other's (both within
     * source-idleness). Whichever partition the job reads first, every record must be booked by its own
     * partition's order (the scenario's expectations, computed independently), nothing may reach a FINAL window,
     * and every node's HOUR windows must add up to its DAY windows and those to its MONTH window.
     */
    @Test
    void aBurstAfterAQuietSpellIsBookedExactlyWhicheverPartitionIsReadFirst() throws Exception {
        int[] h = hierarchySize();
        Scenario scenario = new Scenario(h[0], h[1], h[2], h[3], Integer.getInteger("cms.it.events", 3000), 20260103L);
        scenario.computeExpectations();
        // source-idleness above the few seconds between the partitions' shares, below the quiet spell
        PipelineConfig config = config("hashmap", "10s");
        List<RatedUsage> rated;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            publishReferenceData(producer, serializer, config, scenario);
            JobClient job = start(config, "burst after a quiet spell IT ");
            try {
                send(producer, serializer, config, List.of(scenario.canary));
                await("canary rated", () -> count(config.ratedTopic()) >= 1);
                Thread.sleep(14_000);   // a quiet spell: longer than source-idleness
                for (int partition = 0; partition < 2; partition++) {
                    int p = partition;
                    send(producer, serializer, config, scenario.phase1.stream().filter(r -> r.partition == p).toList());
                    LOG.info("run {}: partition {}'s share of the month sent", RUN, p);
                    if (p == 0) {
                        Thread.sleep(2_000);   // the other partition's share a few seconds later, within source-idleness
                    }
                }
                long phase1 = 1 + scenario.phase1.size();
                await("phase 1 consumed", () -> outputs(config, scenario) >= phase1);
                await("January FINAL", () -> "FINAL".equals(ItSupport.periodStatus(cassandra, KEYSPACE, "2026-01")));
                send(producer, serializer, config, scenario.phase2);
                long total = scenario.allRecords().size();
                await("phase 2 consumed", () -> outputs(config, scenario) >= total);
                awaitRollups(scenario.expectedRows(Scenario.ADVANCE_HOUR.plusSeconds(50 * 60).toEpochMilli()));
                rated = read(config.ratedTopic(), RatedUsage.class);
            } finally {
                job.cancel().get();
            }
        }
        Map<String, Scenario.Record> byId = new HashMap<>();
        scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED).forEach(r -> byId.put(r.event.getEventId(), r));
        assertThat(rated).hasSize(byId.size());
        for (RatedUsage r : rated) {
            Scenario.Record e = byId.get(r.getEvent().getEventId());
            assertThat(r.getLateAdjustment()).as("late flag of " + r.getEvent().getEventId()).isEqualTo(e.late);
            assertThat(r.getBookedPeriod()).as("booked period of " + r.getEvent().getEventId()).isEqualTo(Scenario.period(e.bookingTime));
        }
        assertGranularitiesAddUp(cassandra, KEYSPACE);
    }

    /** For every node, meter and currency: its HOUR windows sum to its DAY windows, and those to its MONTH window. */
    static void assertGranularitiesAddUp(CqlSession session, String keyspace) {
        assertGranularitiesAddUp(ItSupport.storedRows(session, keyspace));
    }

    static void assertGranularitiesAddUp(List<ItSupport.StoredRow> stored) {
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        int rows = 0;
        for (ItSupport.StoredRow r : stored) {
            if (!r.childId().isEmpty()) {
                continue;
            }
            Instant start = Instant.ofEpochMilli(r.windowStart());
            String granularity = r.granularity();
            String node = r.level() + "|" + r.nodeId() + "|" + r.meterId() + "|" + r.currency();
            String day = start.truncatedTo(java.time.temporal.ChronoUnit.DAYS).toString();
            String month = day.substring(0, 7);
            BigDecimal[] value = {BigDecimal.valueOf(r.eventCount()), r.amount()};
            switch (granularity) {
                case "HOUR" -> { add(sums, "DAY-from-HOUR|" + node + "|" + day, value); add(sums, "MONTH-from-HOUR|" + node + "|" + month, value); }
                case "DAY" -> { add(sums, "DAY|" + node + "|" + day, value); add(sums, "MONTH-from-DAY|" + node + "|" + month, value); }
                default -> add(sums, "MONTH|" + node + "|" + month, value);
            }
            rows++;
        }
        assertThat(rows).isPositive();
        Map<String, String> day = new TreeMap<>(), dayFromHours = new TreeMap<>(), month = new TreeMap<>(), monthFromDays = new TreeMap<>(),
                monthFromHours = new TreeMap<>();
        sums.forEach((k, v) -> {
            String kind = k.substring(0, k.indexOf('|'));
            String rest = k.substring(k.indexOf('|') + 1);
            String value = Scenario.plain(v[0]) + " " + Scenario.plain(v[1]);
            switch (kind) {
                case "DAY" -> day.put(rest, value);
                case "DAY-from-HOUR" -> dayFromHours.put(rest, value);
                case "MONTH" -> month.put(rest, value);
                case "MONTH-from-DAY" -> monthFromDays.put(rest, value);
                default -> monthFromHours.put(rest, value);
            }
        });
        assertThat(dayFromHours).as("HOUR windows summed by day").isEqualTo(day);
        assertThat(monthFromDays).as("DAY windows summed by month").isEqualTo(month);
        assertThat(monthFromHours).as("HOUR windows summed by month").isEqualTo(month);
    }

    private static void add(Map<String, BigDecimal[]> sums, String key, BigDecimal[] value) {
        sums.merge(key, value.clone(), (a, b) -> new BigDecimal[] {a[0].add(b[0]), a[1].add(b[1])});
    }

    /**
     * Usage of January 2026, rated in December: the broker must keep what the job read and wrote. With the topics
     * keeping records by their CreateTime (the event time, for rated records) every partition was due for deletion at
     * the broker's next retention check, and a full replay saw its committed rated records vanish (issue 17's "stall").
     */
    @Test
    void oldUsageAndItsRatedRecordsAreKeptByTheBroker() throws Exception {
        Scenario scenario = new Scenario(1, 2, 2, 2, 10, 20260103L);
        PipelineConfig config = config("hashmap");
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            publishReferenceData(producer, serializer, config, scenario);
            JobClient job = start(config, "retention IT ");
            try {
                send(producer, serializer, config, List.of(scenario.canary));
                await("canary rated", () -> count(config.ratedTopic()) >= 1);
                assertThat(count(config.ratedTopic())).as("committed rated records").isEqualTo(1);
                assertNothingDueForDeletion(config.usageTopic(), config.ratedTopic(), config.deadLetterTopic());
            } finally {
                job.cancel().get();
            }
        }
    }

    /** The job with the run's configuration, its Kafka sources and Cassandra sinks, started on the MiniCluster. */
    private JobClient start(PipelineConfig config, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(RatingJob.flinkConfiguration(config));
        env.setParallelism(config.parallelism());
        Workflow.build(env, config, RatingJob.sources(config), RatingJob.sinks(config));
        return env.executeAsync(name + RUN);
    }

    static void publishReferenceData(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, PipelineConfig config,
                                             Scenario scenario) {
        for (var c : scenario.hierarchy) {
            producer.send(new ProducerRecord<>(config.hierarchyTopic(), key(cms.topics.VersionKeys.hierarchy(c)),
                    serializer.serialize(config.hierarchyTopic(), c)));
        }
        for (var b : scenario.books) {
            producer.send(new ProducerRecord<>(config.priceBookTopic(), key(cms.topics.VersionKeys.priceBook(b)),
                    serializer.serialize(config.priceBookTopic(), b)));
        }
        for (var p : scenario.plans) {
            producer.send(new ProducerRecord<>(config.commissionPlanTopic(), key(cms.topics.VersionKeys.commissionPlan(p)),
                    serializer.serialize(config.commissionPlanTopic(), p)));
        }
        producer.flush();
    }

    private void run(boolean injectFailures) throws Exception {
        int[] h = hierarchySize();
        Scenario scenario = new Scenario(h[0], h[1], h[2], h[3], Integer.getInteger("cms.it.events", 3000), 20260101L);
        scenario.computeExpectations();
        assertCoversTheLatenessRule(scenario);
        // the run with failures recovers on RocksDB (incremental checkpoints, local recovery), the other on the heap
        PipelineConfig config = config(injectFailures ? "rocksdb" : "hashmap");
        long started = System.nanoTime();
        List<RatedUsage> rated;
        List<DeadLetter> dead;

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            publishReferenceData(producer, serializer, config, scenario);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.configure(RatingJob.flinkConfiguration(config));
            env.setParallelism(config.parallelism());
            Workflow.Sinks sinks = RatingJob.sinks(config);
            if (injectFailures) {
                java.util.Random random = new java.util.Random(RUN.hashCode());
                FailingSink.INJECTED.set(0);
                FailingSink.WRITES.set(0);
                // three distinct points within the first subtask's roll-up writes of phase 1
                long first = 50 + random.nextInt(1000);
                long second = first + 200 + random.nextInt(1500);
                long[] failAfter = {first, second, second + 200 + random.nextInt(1500)};
                LOG.info("run {}: injecting failures after roll-up writes {}", RUN, java.util.Arrays.toString(failAfter));
                Configuration restarts = new Configuration();
                restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
                restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
                env.configure(restarts);
                sinks = new Workflow.Sinks(sinks.rated(), sinks.deadLetters(),
                        new FailingSink<>((CassandraSink<FamilyRow>) sinks.rollups(), failAfter), sinks.periods(), null);
            }
            Workflow.build(env, config, RatingJob.sources(config), sinks);
            java.util.concurrent.atomic.AtomicReference<JobClient> running =
                    new java.util.concurrent.atomic.AtomicReference<>(env.executeAsync("rating pipeline IT " + RUN));
            try {
                // the canary is rated once the reference data is in: only then does the month start
                send(producer, serializer, config, List.of(scenario.canary));
                await("canary rated", () -> count(config.ratedTopic()) >= 1);

                send(producer, serializer, config, scenario.phase1);
                long phase1 = 1 + scenario.phase1.size();
                await("phase 1 consumed", () -> outputs(config, scenario) >= phase1,
                        () -> "rated " + count(config.ratedTopic()) + ", dead letters " + count(config.deadLetterTopic())
                                + ", expected outputs " + phase1 + ", job " + running.get().getJobStatus().join());
                await("January FINAL", () -> "FINAL".equals(ItSupport.periodStatus(cassandra, KEYSPACE, "2026-01")));

                if (!injectFailures) {
                    // stop with a savepoint (suspending: no end-of-time watermark) and resume from it
                    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("cms-it-savepoint-");
                    String savepoint = running.get().stopWithSavepoint(false, dir.toUri().toString(),
                            org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();
                    LOG.info("run {}: stopped with savepoint {}", RUN, savepoint);
                    StreamExecutionEnvironment resumed = StreamExecutionEnvironment.getExecutionEnvironment();
                    Configuration fromSavepoint = RatingJob.flinkConfiguration(config);
                    fromSavepoint.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                    resumed.configure(fromSavepoint);
                    resumed.setParallelism(config.parallelism());
                    Workflow.build(resumed, config, RatingJob.sources(config), RatingJob.sinks(config));
                    running.set(resumed.executeAsync("rating pipeline IT " + RUN + " from savepoint"));
                }
                send(producer, serializer, config, scenario.phase2);
                long total = scenario.allRecords().size();
                await("phase 2 consumed", () -> outputs(config, scenario) >= total,
                        () -> "rated " + count(config.ratedTopic()) + ", dead letters " + count(config.deadLetterTopic())
                                + ", expected outputs " + total + ", job " + running.get().getJobStatus().join()
                                + ", rated missing " + missingRated(config, scenario));

                Map<String, String> expected = scenario.expectedRows(Scenario.ADVANCE_HOUR.plusSeconds(50 * 60).toEpochMilli());
                awaitRollups(expected);
                // read while the job runs: a cancelled job's open transaction hides later records from
                // read_committed readers until the broker times it out
                rated = read(config.ratedTopic(), RatedUsage.class);
                dead = read(config.deadLetterTopic(), DeadLetter.class);
                assertNothingDueForDeletion(config.usageTopic(), config.ratedTopic(), config.deadLetterTopic());
                LOG.info("run {}: {} records, {} roll-up rows, in {} s{}", RUN, total, expected.size(),
                        (System.nanoTime() - started) / 1_000_000_000L, injectFailures ? " with injected failures" : "");
                if (injectFailures) {
                    // the sink runs in this JVM (MiniCluster): each injected failure was thrown, and the job recovered from each
                    assertThat(FailingSink.INJECTED.get()).as("failures injected").isEqualTo(3);
                }
                assertPrometheusFigures(config, scenario, injectFailures);
            } finally {
                running.get().cancel().get();
            }
        }

        assertOutputs(scenario, rated, dead, config.usageTopic());

        assertCommissions(cassandra, KEYSPACE, scenario);

        if (!injectFailures) {
            replayFromScratch(config, rated, dead.size());
        }

        Row jan = cassandra.execute("SELECT status, watermark, final_at FROM " + KEYSPACE + ".periods WHERE period = '2026-01'").one();
        assertThat(jan.getString("status")).isEqualTo("FINAL");
        assertThat(jan.getInstant("final_at")).isEqualTo(Instant.parse("2026-02-01T01:00:00Z"));
        Row feb = cassandra.execute("SELECT status, watermark FROM " + KEYSPACE + ".periods WHERE period = '2026-02'").one();
        assertThat(feb.getString("status")).isEqualTo("OPEN");
        assertThat(feb.getInstant("watermark")).isAfter(Scenario.ADVANCE_HOUR).isBefore(Scenario.ADVANCE_HOUR.plusSeconds(3600));
    }


    /**
     * The Kafka outputs of the scenario's usage: conservation (every consumed record rated, dead-lettered or a duplicate,
     * exactly once), every dead letter with its reason, and every rated event's lineage, amount, currency, late flag
     * and booked period as the scenario computes them. (The fault suite holds its runs to the same.)
     */
    static void assertOutputs(Scenario scenario, List<RatedUsage> rated, List<DeadLetter> dead, String usageTopic) {
        // conservation: every consumed record is rated, dead-lettered or a duplicate, exactly once
        long duplicates = scenario.count(Scenario.Kind.DUPLICATE);
        assertThat(rated.size() + dead.size() + duplicates).isEqualTo(scenario.allRecords().size());
        assertThat(rated).hasSize((int) scenario.count(Scenario.Kind.RATED));
        assertThat(rated).extracting(r -> r.getEvent().getEventId()).doesNotHaveDuplicates();

        Map<DeadLetterReason, Long> reasons = new TreeMap<>();
        dead.forEach(d -> reasons.merge(d.getReason(), 1L, Long::sum));
        Map<DeadLetterReason, Long> expectedReasons = new TreeMap<>();
        for (Scenario.Kind k : Scenario.Kind.values()) {
            if (k != Scenario.Kind.RATED && k != Scenario.Kind.DUPLICATE && scenario.count(k) > 0) {
                expectedReasons.put(DeadLetterReason.valueOf(k.name()), scenario.count(k));
            }
        }
        assertThat(reasons).isEqualTo(expectedReasons);
        DeadLetter garbage = dead.stream().filter(d -> d.getValue() != null
                && StandardCharsets.UTF_8.decode(d.getValue().duplicate()).toString().equals("not avro at all")).findFirst().orElseThrow();
        assertThat(garbage.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(garbage.getSourceTopic()).isEqualTo(usageTopic);
        assertThat(garbage.getKey()).isEqualTo(ByteBuffer.wrap("s0".getBytes(StandardCharsets.UTF_8)));

        // every rated event: lineage at event time, amount, late flag
        Map<String, Scenario.Record> byId = new HashMap<>();
        scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED).forEach(r -> byId.put(r.event.getEventId(), r));
        for (RatedUsage r : rated) {
            Scenario.Record e = byId.get(r.getEvent().getEventId());
            assertThat(r.getLineage().getPartnerId()).as(r.getEvent().getEventId()).isEqualTo(e.partner);
            assertThat(r.getLineage().getDistributorId()).isEqualTo(e.distributor);
            assertThat(r.getAmount()).as("amount of " + r.getEvent().getEventId()).isEqualByComparingTo(e.amount);
            assertThat(r.getCurrency()).isEqualTo(e.currency);
            assertThat(r.getLateAdjustment()).isEqualTo(e.late);
            assertThat(r.getBookedPeriod()).as("booked period of " + r.getEvent().getEventId()).isEqualTo(Scenario.period(e.bookingTime));
        }
    }

    /** The commission per beneficiary and currency over the MONTH windows, against the scenario's. */
    static void assertCommissions(CqlSession session, String keyspace, Scenario scenario) {
        assertCommissions(ItSupport.storedRows(session, keyspace), scenario);
    }

    static void assertCommissions(List<ItSupport.StoredRow> stored, Scenario scenario) {
        // commissions: per beneficiary and currency, over both months' MONTH rows
        Map<String, String> expectedCommissions = new TreeMap<>();
        scenario.expectedCommissions().forEach((k, v) -> expectedCommissions.put(k, Scenario.plain(v)));
        assertThat(ItSupport.commissions(stored)).as("commissions").isEqualTo(expectedCommissions);
    }

    /**
     * A full replay: a second job with fresh state and a fresh consumer group reads the same topics
     * from the start into the same keyspace (its Kafka outputs go to topics of its own). Its outputs
     * must be the same and no roll-up or period may change.
     */
    private void replayFromScratch(PipelineConfig first, List<RatedUsage> firstRated, int dead) throws Exception {
        int rated = firstRated.size();
        Map<String, String> expectedRows = ItSupport.rollupRows(cassandra, KEYSPACE);
        Map<String, String> o = new HashMap<>(TOPICS);
        String ratedAgain = first.ratedTopic() + ".replay";
        String deadAgain = first.deadLetterTopic() + ".replay";
        o.put(PipelineConfig.RATED_TOPIC, ratedAgain);
        o.put(PipelineConfig.DEAD_LETTER_TOPIC, deadAgain);
        o.put(PipelineConfig.KEYSPACE, KEYSPACE);
        o.put(PipelineConfig.CONSUMER_GROUP, "it-" + RUN + "-replay");
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, "it-" + RUN + "-replay");
        o.put(PipelineConfig.SOURCE_IDLENESS, "10min");
        o.put(PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "3s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "500ms");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "1s");
        o.put(PipelineConfig.TRANSACTION_TIMEOUT, "2min");
        PipelineConfig config = PipelineConfig.from(o, STACK);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafkaBootstrap()))) {
            admin.createTopics(List.of(ItTopics.of(PipelineConfig.RATED_TOPIC, ratedAgain, 2),
                    ItTopics.of(PipelineConfig.DEAD_LETTER_TOPIC, deadAgain, 1))).all().get();
        }
        JobClient job = start(config, "rating pipeline IT replay ");
        List<RatedUsage> replayed;
        try {
            await("replay consumed", () -> count(ratedAgain) + count(deadAgain) >= rated + dead,
                    () -> "rated " + count(ratedAgain) + "/" + rated + ", dead letters " + count(deadAgain) + "/" + dead);
            // let every refresh and every deferred FINAL commit of the replay land before comparing
            Thread.sleep(4000);
            // read while the job runs (see run())
            replayed = read(ratedAgain, RatedUsage.class);
            assertNothingDueForDeletion(ratedAgain, deadAgain);
            assertThat(count(deadAgain)).isEqualTo(dead);
        } finally {
            job.cancel().get();
        }
        assertThat(replayed).hasSize(rated);
        // everything but graduated commissions, whose split between events depends on arrival order
        java.util.function.Function<RatedUsage, String> deterministic = r -> r.getEvent().getEventId() + " " + r.getLineage()
                + " " + r.getAmount() + " " + r.getCurrency() + " " + r.getPriceBookVersion() + " " + r.getLateAdjustment()
                + " " + r.getBookedPeriod() + " " + r.getPartnerPlanId() + " " + r.getDistributorPlanId();
        List<String> first1 = firstRated.stream().map(deterministic).toList();
        List<String> again = replayed.stream().map(deterministic).toList();
        assertThat(again).containsExactlyInAnyOrderElementsOf(first1);
        assertThat(ItSupport.rollupRows(cassandra, KEYSPACE)).as("roll-ups after a full replay").isEqualTo(expectedRows);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafkaBootstrap()))) {
            admin.deleteTopics(List.of(ratedAgain, deadAgain)).all().get();
        }
        LOG.info("run {}: full replay changed nothing", RUN);
    }

    /**
     * The scenario must exercise the event-time lateness rule both ways: usage whose partition moved past its
     * hour's end + lateness (booked into January, and into February), and usage behind its partition that is not late.
     */
    static void assertCoversTheLatenessRule(Scenario scenario) {
        List<Scenario.Record> rated = scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED).toList();
        long lateIntoJanuary = rated.stream().filter(r -> r.late && Scenario.period(r.bookingTime).equals("2026-01")).count();
        long lateIntoFebruary = rated.stream().filter(r -> r.late && Scenario.period(r.bookingTime).equals("2026-02")
                && Scenario.period(r.event.getEventTime().toEpochMilli()).equals("2026-01")).count();
        long behindButOnTime = rated.stream().filter(r -> !r.late && r.partitionWatermark != Long.MIN_VALUE
                && r.event.getEventTime().toEpochMilli() < r.partitionWatermark).count();
        for (Scenario.Record r : rated) {
            long hourEnd = r.event.getEventTime().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(3600).toEpochMilli();
            if (r.late) {
                assertThat(r.partitionWatermark).as(r.event.getEventId()).isGreaterThanOrEqualTo(hourEnd + Scenario.LATENESS.toMillis());
            }
        }
        assertThat(lateIntoJanuary).as("late adjustments booked into January").isPositive();
        assertThat(lateIntoFebruary).as("late January usage booked into February").isPositive();
        assertThat(behindButOnTime).as("usage behind its partition's watermark but not late").isPositive();
        assertThat(scenario.allRecords().stream().filter(r -> r.event != null && r.event.getEventId().equals("future-2")))
                .singleElement().satisfies(r -> assertThat(r.kind).isEqualTo(Scenario.Kind.INVALID));
        LOG.info("scenario: {} late into January, {} late into February, {} behind but on time",
                lateIntoJanuary, lateIntoFebruary, behindButOnTime);
    }

    private static int[] hierarchySize() {
        String[] parts = System.getProperty("cms.it.hierarchy", "3,10,50,500").split(",");
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }

    // ------------------------------------------------------------------ Kafka

    private static KafkaProducer<byte[], byte[]> producer() {
        return ItSupport.producer(STACK, 1 << 20);
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void send(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, PipelineConfig config,
                             List<Scenario.Record> records) {
        for (Scenario.Record r : records) {
            byte[] value = r.event != null ? serializer.serialize(config.usageTopic(), r.event) : r.rawIsNull ? null : r.raw;
            producer.send(new ProducerRecord<>(config.usageTopic(), r.partition, r.timestamp, key(r.key), value));
        }
        producer.flush();
    }

    /** Committed records of a topic (read_committed: what exactly-once consumers see). */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        return ItSupport.committed(STACK, topic);
    }

    private static long count(String topic) {
        return records(topic).size();
    }

    private static long outputs(PipelineConfig config, Scenario scenario) {
        return count(config.ratedTopic()) + count(config.deadLetterTopic()) + scenario.count(Scenario.Kind.DUPLICATE);
    }

    /** Up to 20 eventIds the scenario expects rated that the rated topic does not hold (read_committed). */
    private static List<String> missingRated(PipelineConfig config, Scenario scenario) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        read(config.ratedTopic(), RatedUsage.class).forEach(r -> seen.add(r.getEvent().getEventId()));
        return scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED)
                .map(r -> r.event.getEventId() + "@p" + r.partition).filter(id -> !seen.contains(id.substring(0, id.lastIndexOf('@'))))
                .limit(20).toList();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String topic, Class<T> type) {
        AvroDeserializer<T> d = new AvroDeserializer<>(registry, type);
        return records(topic).stream().map(r -> d.deserialize(r.value())).toList();
    }

    // ------------------------------------------------------------------ Cassandra


    /**
     * What an operator sees: the job's Prometheus endpoint (Flink's reporter) carries each of the pipeline's figures,
     * with the labels an alert needs (partition, reason, level), and the JobManager's checkpoint and restart figures.
     */
    private static void assertPrometheusFigures(PipelineConfig config, Scenario scenario, boolean restarted) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        String text = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        String op = "flink_taskmanager_job_task_operator_";
        assertThat(sum(text, op + "ratedRecords", "")).as("records rated").isPositive();
        assertThat(samples(text, op + "lateAdjustments", "")).as("late adjustments").isNotEmpty();
        assertThat(samples(text, op + "duplicates", "")).as("duplicates").isNotEmpty();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertThat(samples(text, op + "reason_deadLetters", "reason=\"" + reason + "\"")).as("dead letters " + reason + " among\n" + around(text, "deadLetters")).isNotEmpty();
        }
        for (int partition = 0; partition < 2; partition++) {
            // the topic label carries the run's usage topic (its dots may be escaped): its run id is in it either way
            assertThat(samples(text, op + "topic_partition_consumerLag", "partition=\"" + partition + "\"", config.usageTopic().split("\\.")[1], "usage"))
                    .as("consumer lag of partition " + partition + " among\n" + around(text, "consumerLag")).isNotEmpty();
        }
        for (cms.avro.NodeLevel level : cms.avro.NodeLevel.values()) {
            assertThat(samples(text, op + "level_freshnessMillis", "level=\"" + level + "\"")).as("freshness of " + level + " among\n" + around(text, "freshness")).isNotEmpty();
        }
        for (String budget : List.of("writeBudgetUse", "writeBudgetRowsPerSecond", "writeBudgetMutationsPerSecond")) {
            assertThat(samples(text, op + budget, "")).as("write-budget use: " + budget + " among\n" + around(text, "writeBudget")).isNotEmpty();
        }
        assertThat(sum(text, op + "writeBudgetMutationsAllowed", "")).as("the job's mutation budget").isPositive();
        assertThat(sum(text, "flink_jobmanager_job_lastCheckpointDuration", "")).as("checkpoint duration").isNotNegative();
        assertThat(sum(text, "flink_jobmanager_job_lastCheckpointSize", "")).as("checkpoint size").isPositive();
        assertThat(sum(text, "flink_jobmanager_job_numberOfFailedCheckpoints", "")).as("failed checkpoints").isNotNegative();
        // at least the injected failures (a loaded machine adds Cassandra timeouts)
        assertThat(sum(text, "flink_jobmanager_job_numRestarts", "")).as("restarts").isGreaterThanOrEqualTo(restarted ? 3 : 0);
    }

    /** The values of a metric's samples whose line contains each of {@code labels} (the text format: name{labels} value). */
    private static List<Double> samples(String text, String name, String... labels) {
        List<Double> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                out.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** The lines naming {@code part}: what a failed lookup shows. */
    private static String around(String text, String part) {
        return java.util.Arrays.stream(text.split("\n")).filter(l -> !l.startsWith("#") && l.contains(part)).limit(8)
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static double sum(String text, String name, String labels) {
        List<Double> values = samples(text, name, labels);
        assertThat(values).as(name + " in the job's Prometheus metrics").isNotEmpty();
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * No record the job read or wrote may already be due for deletion by the broker's retention: the scenario's usage
     * and event times are in January 2026, and a topic keeping records by such timestamps loses them at the broker's
     * next retention check, minutes later (a replay then saw a third of its committed rated records vanish).
     */
    private static void assertNothingDueForDeletion(String... topics) throws Exception {
        assertThat(ItTopics.dueForDeletion(STACK.kafkaBootstrap(), List.of(topics))).as("records due for deletion by retention").isEmpty();
    }

    private void awaitRollups(Map<String, String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> actual = ItSupport.rollupRows(cassandra, KEYSPACE);
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            actual = ItSupport.rollupRows(cassandra, KEYSPACE);
        }
        assertThat(actual).as("roll-ups in Cassandra").containsExactlyInAnyOrderEntriesOf(expected);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    private void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " " + state.get());
            }
            Thread.sleep(500);
        }
        LOG.info("run {}: {}", RUN, what);
    }
}
