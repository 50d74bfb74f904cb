package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.RatedUsage;
import cms.cassandra.CassandraSchema;
import cms.infra.LocalStack;
import cms.pipeline.job.PipelineConfig;
import cms.pipeline.job.RatingJob;
import cms.pipeline.job.Workflow;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.cassandra.CassandraSink;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroDeserializer;
import cms.wire.AvroSerializer;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite (issue 17): the month of {@link RatingPipelineIT} flows at a steady rate into the job on a MiniCluster,
 * against a local stack of the suite's own ({@link FaultStack}), while faults are injected one after another; the run
 * ends with the accounting and every roll-up compared with the scenario's own arithmetic for the same usage (the
 * expected values of a run without faults), no FINAL window ever changed (a watcher reads the roll-ups throughout), and
 * each fault's figures written as a table to {@code pipeline/target/fault-suite-report.md} and printed.
 *
 * <p>The faults: Kafka down (the broker killed -9, restarted after the outage on its data); Cassandra down (killed -9,
 * restarted: the sinks retry and the job waits, its failed checkpoints tolerated); the registry down (hung with SIGSTOP:
 * its in-memory schemas would be gone after a restart, which is data loss rather than an outage; the job's cached
 * schemas keep decoding); the checkpoint directory's disk full (a tmpfs of its own filled up, then emptied); and the
 * job failing at random points right after a roll-up write landed in Cassandra and before the checkpoint covering it
 * ({@link FailingSink}), and after a checkpoint completed but before its Kafka transactions were committed
 * ({@link FailingKafkaSink}).
 *
 * <p>By default (the suite's run in {@code infra/bin/test}) a randomized selection: 10 job failures (5 of each kind) and
 * one of the outages, at random. {@code -Dcms.faults.full=true}: every outage and 12 job failures. The disk-full fault
 * only with {@code -Dcms.faults.disk=true} (see {@link #DISK}). {@code -Dcms.faults.seed=N} replays a selection (the seed
 * is printed), {@code -Dcms.faults.only=KIND,...} runs those faults in that order, {@code -Dcms.faults.outage-seconds} (60).
 */
class FaultSuiteIT {
    private static final Logger LOG = LoggerFactory.getLogger(FaultSuiteIT.class);
    private static final boolean FULL = Boolean.getBoolean("cms.faults.full");
    private static final long SEED = Long.getLong("cms.faults.seed", System.nanoTime());
    /**
     * The disk-full fault is opt-in ({@code -Dcms.faults.disk=true}) because the job does not survive it yet: a failed
     * write of an unaligned checkpoint's channel state (ENOSPC) fails the task, whose cleanup then fails fatally in Flink
     * 2.2 ("unable to send request to worker": the channel-state writer already stopped), which ends the TaskManager; the
     * MiniCluster has no other, so the job waits for slots for good (on the cluster, where the supervisor restarts a
     * TaskManager that ended, it is {@link ClusterFaults}' CHECKPOINT_DISK_FULL).
     */
    private static final boolean DISK = Boolean.getBoolean("cms.faults.disk");
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("cms.faults.outage-seconds", 60));
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("cms.faults.wait-seconds", 300));
    private static final Path REPORT = LocalStackAddresses.projectRoot().resolve("pipeline/target/fault-suite-report.md");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(RatingPipelineIT.localOnly())
            .build());

    private static LocalStack stack;
    private static LocalStackAddresses addresses;
    private static CqlSession cassandra;
    private static SchemaRegistryClient registry;
    private static FullDisk checkpointDisk;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String keyspace = "faults_" + run;
    private final Map<String, String> topics = ItSupport.topics(run);

    /** The kinds of fault. */
    enum Kind {
        KAFKA_DOWN, CASSANDRA_DOWN, REGISTRY_DOWN, CHECKPOINT_DISK_FULL, FAIL_AFTER_CASSANDRA_WRITE, FAIL_BEFORE_KAFKA_COMMIT;

        boolean outage() {
            return ordinal() <= CHECKPOINT_DISK_FULL.ordinal();
        }

        /** Seconds a fault of this kind is expected to take, recovery included: paces the usage. */
        long estimateSeconds() {
            return outage() ? OUTAGE.toSeconds() + 45 : 20;
        }
    }

    @BeforeAll
    static void stack() throws Exception {
        stack = FaultStack.get();
        addresses = stack.addresses();
        cassandra = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(addresses.host(), addresses.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                        .build())
                .build();
        registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(addresses.registryUrl()));
        // the checkpoint directory on a small file system of its own, so that it can be filled up
        checkpointDisk = new FullDisk(Files.createTempDirectory("cms-faults-checkpoints-"), "256m");
        if (!checkpointDisk.mounted()) {
            LOG.warn("cannot mount a tmpfs on {} (not root?): the disk-full fault is left out", checkpointDisk.dir());
        }
    }

    @AfterAll
    static void close() {
        if (cassandra != null) {
            cassandra.close();
        }
        if (checkpointDisk != null) {
            checkpointDisk.unmount();
        }
    }

    @Test
    void everyFaultIsRecoveredFromWithNothingLostNothingCountedTwiceAndNoFinalWindowChanged(@InjectMiniCluster MiniCluster mini)
            throws Exception {
        Random random = new Random(SEED);
        List<Kind> plan = plan(random);
        LOG.info("fault suite run {}: seed {} ({}), faults {}", run, SEED, selection(), plan);
        provision();

        Scenario scenario = new Scenario(3, 10, 50, 500, Integer.getInteger("cms.faults.events", 3000), 20260117L);
        scenario.computeExpectations();
        PipelineConfig config = config();
        FlinkRest rest = new FlinkRest(mini.getRestAddress().get());
        FailingSink.INJECTED.set(0);
        FailingSink.ARMED.set(-1);
        FailingKafkaSink.INJECTED.set(0);
        FailingKafkaSink.ARMED.set(-1);

        List<FaultReport.Figures> figures = new ArrayList<>();
        long began = System.nanoTime();
        JobClient job;
        FinalWatch watch = new FinalWatch(cassandra, keyspace);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            RatingPipelineIT.publishReferenceData(producer, serializer, config, scenario);
            job = start(config);
            String jobId = job.getJobID().toHexString();
            RatingPipelineIT.send(producer, serializer, config, List.of(scenario.canary));
            await("canary rated", () -> count(config.ratedTopic()) >= 1);
            FlinkRest.await("a first checkpoint", () -> rest.checkpointedSince(jobId, -1), WAIT);

            // the usage, at a pace that keeps it flowing until the last fault (re-paced as faults finish)
            List<Scenario.Record> usage = new ArrayList<>(scenario.phase1);
            usage.addAll(scenario.phase2);
            AtomicLong plannedEnd = new AtomicLong(System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.stream().mapToLong(Kind::estimateSeconds).sum()));
            AtomicInteger sent = new AtomicInteger();
            AtomicBoolean faultsDone = new AtomicBoolean();
            Thread sender = SteadyUsage.start(producer, serializer, config, usage, sent, plannedEnd, faultsDone);
            watch.start();
            try {
                for (int i = 0; i < plan.size(); i++) {
                    Thread.sleep(2000 + random.nextInt(4000));
                    Kind kind = plan.get(i);
                    FaultReport.Figures f = inject(kind, random, rest, jobId, config, began);
                    figures.add(f);
                    LOG.info("fault {}/{}: {}", i + 1, plan.size(), f);
                    long remaining = plan.subList(i + 1, plan.size()).stream().mapToLong(Kind::estimateSeconds).sum();
                    plannedEnd.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(remaining));
                }
            } finally {
                faultsDone.set(true);
            }
            sender.join(TimeUnit.MINUTES.toMillis(10));
            assertThat(sent.get()).as("usage sent").isEqualTo(usage.size());
            LOG.info("run {}: every fault injected and recovered from, {} records sent; waiting for the outputs", run, sent.get());

            long total = scenario.allRecords().size();
            await("every record consumed", () -> outputs(config, scenario) >= total);
            Map<String, String> expected = scenario.expectedRows(Scenario.ADVANCE_HOUR.plusSeconds(50 * 60).toEpochMilli());
            awaitRollups(expected);
            watch.stop();
            List<RatedUsage> rated = read(config.ratedTopic(), RatedUsage.class);
            List<DeadLetter> dead = read(config.deadLetterTopic(), DeadLetter.class);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
            String table = FaultReport.table("Fault suite, run " + run + " (seed " + SEED + ", " + selection() + ", outages "
                            + OUTAGE.toSeconds() + " s)", figures, FaultReport.accounting(scenario, rated.size(), dead.size(), expected.size(), watch)
                            + "; job restarts in all " + rest.restarts(jobId) + "; " + seconds + " s");
            FaultReport.write(REPORT, table);
            System.out.println(table);
            LOG.info("fault suite report ({}):\n{}", REPORT, table);
            job.cancel().get();

            RatingPipelineIT.assertOutputs(scenario, rated, dead, config.usageTopic());
            RatingPipelineIT.assertCommissions(cassandra, keyspace, scenario);
            RatingPipelineIT.assertGranularitiesAddUp(cassandra, keyspace);
            assertThat(watch.changed).as("FINAL windows that changed after they were first read FINAL").isEmpty();
            assertThat(watch.finalSeen.size()).as("FINAL windows watched").isPositive();
            long jobFailures = plan.stream().filter(k -> !k.outage()).count();
            assertThat(FailingSink.INJECTED.get() + FailingKafkaSink.INJECTED.get()).as("job failures injected").isEqualTo((int) jobFailures);
            assertThat(figures).as("faults injected").hasSizeGreaterThanOrEqualTo(10);
        } finally {
            watch.stop();
            FailingSink.ARMED.set(-1);
            FailingKafkaSink.ARMED.set(-1);
            dropRun();
        }
    }

    private static String selection() {
        String only = System.getProperty("cms.faults.only", "");
        return !only.isBlank() ? "the faults named by cms.faults.only" : FULL ? "full list" : "CI selection";
    }

    /** The faults of this run, in a random order ({@code -Dcms.faults.only=KIND,KIND...}: those, in that order). */
    private List<Kind> plan(Random random) {
        String only = System.getProperty("cms.faults.only", "");
        if (!only.isBlank()) {
            return java.util.Arrays.stream(only.split(",")).map(k -> Kind.valueOf(k.strip())).toList();
        }
        List<Kind> outages = new ArrayList<>(List.of(Kind.KAFKA_DOWN, Kind.CASSANDRA_DOWN, Kind.REGISTRY_DOWN));
        if (checkpointDisk.mounted() && DISK) {
            outages.add(Kind.CHECKPOINT_DISK_FULL);
        }
        List<Kind> plan = new ArrayList<>();
        int failuresEach = FULL ? 6 : 5;
        for (int i = 0; i < failuresEach; i++) {
            plan.add(Kind.FAIL_AFTER_CASSANDRA_WRITE);
            plan.add(Kind.FAIL_BEFORE_KAFKA_COMMIT);
        }
        if (FULL) {
            plan.addAll(outages);
        } else {
            plan.add(outages.get(random.nextInt(outages.size())));
        }
        Collections.shuffle(plan, random);
        return plan;
    }

    // ------------------------------------------------------------------ the faults

    private FaultReport.Figures inject(Kind kind, Random random, FlinkRest rest, String jobId, PipelineConfig config, long began) throws Exception {
        long at = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        long restartsBefore = rest.restarts(jobId);
        long[] checkpointsBefore = rest.checkpoints(jobId);
        long ratedBefore = kind == Kind.KAFKA_DOWN ? -1 : count(config.ratedTopic());
        long faultStart = System.nanoTime();
        double serverRestart = Double.NaN;
        String note = "";
        switch (kind) {
            case KAFKA_DOWN -> {
                stack.kill(LocalStack.Member.KAFKA);
                Thread.sleep(OUTAGE.toMillis());
                serverRestart = stack.restart(LocalStack.Member.KAFKA).toMillis() / 1000.0;
            }
            case CASSANDRA_DOWN -> {
                stack.kill(LocalStack.Member.CASSANDRA);
                Thread.sleep(OUTAGE.toMillis());
                serverRestart = stack.restart(LocalStack.Member.CASSANDRA).toMillis() / 1000.0;
            }
            case REGISTRY_DOWN -> {
                stack.pause(LocalStack.Member.REGISTRY);
                try {
                    Thread.sleep(OUTAGE.toMillis());
                } finally {
                    stack.resume(LocalStack.Member.REGISTRY);
                }
            }
            case CHECKPOINT_DISK_FULL -> {
                long filled = checkpointDisk.keepFull(OUTAGE);
                long failedMeanwhile = rest.checkpoints(jobId)[1] - checkpointsBefore[1];
                String latest = rest.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed").path("external_path").asText();
                note = "filled " + (filled >> 20) + " MiB";
                LOG.info("disk full: {} MiB written, {} checkpoints failed meanwhile, the latest completed at {}", filled >> 20,
                        failedMeanwhile, latest);
                assertThat(failedMeanwhile).as("checkpoints failed while the disk was full").isPositive();
            }
            case FAIL_AFTER_CASSANDRA_WRITE -> {
                int before = FailingSink.INJECTED.get();
                long skip = random.nextInt(400);
                FailingSink.arm(skip);
                await("a failure after roll-up write " + (skip + 1), () -> FailingSink.INJECTED.get() > before);
                note = "after write " + (skip + 1) + " from arming";
            }
            case FAIL_BEFORE_KAFKA_COMMIT -> {
                int before = FailingKafkaSink.INJECTED.get();
                long skip = random.nextInt(3);
                FailingKafkaSink.arm(skip);
                await("a failure before Kafka commit " + (skip + 1), () -> FailingKafkaSink.INJECTED.get() > before);
                note = "before commit " + (skip + 1) + " from arming";
            }
        }
        long faultEnd = System.nanoTime();
        double down = (faultEnd - faultStart) / 1e9;
        if (!kind.outage()) {
            // the failure thrown: the job restarts (the checkpoint whose commit failed had completed, so it is no sign)
            await("the restart after " + kind, () -> rest.restarts(jobId) > restartsBefore);
        }
        // recovered: the job RUNNING again and a checkpoint completed after the fault ended (and the restart); the lag
        // drained: the committed offsets within the few seconds of usage a checkpoint interval leaves behind
        long bound = 20 + 4 * Math.round(config.checkpointInterval().toMillis() / 1000.0 * 20);
        FlinkRest.Recovery r = rest.awaitRecovery(kind.name(), jobId, rest.latestCheckpoint(jobId), faultEnd, () -> lag(config), bound, WAIT);
        long ratedDuring = ratedBefore < 0 ? -1 : count(config.ratedTopic()) - ratedBefore;
        long[] checkpointsAfter = rest.checkpoints(jobId);
        return new FaultReport.Figures(kind.name(), at, down, serverRestart, r.recoverSeconds(), r.drainSeconds(), r.lagAtCheckpoint(),
                r.peakLag(), rest.restarts(jobId) - restartsBefore, checkpointsAfter[1] - checkpointsBefore[1], ratedDuring, note);
    }

    // ------------------------------------------------------------------ the job

    private PipelineConfig config() {
        Map<String, String> o = ItSupport.faultJobOptions(topics, keyspace, "faults-" + run);
        o.put(PipelineConfig.PARALLELISM, "2");
        o.put(PipelineConfig.CHECKPOINT_DIR, checkpointDisk.dir().resolve("job").toUri().toString());
        // the product's default: a transaction opened before a 60 s outage must outlive it, recovery included
        o.put(PipelineConfig.TRANSACTION_TIMEOUT, "5min");
        return PipelineConfig.from(o, addresses);
    }

    @SuppressWarnings("unchecked")
    private JobClient start(PipelineConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(RatingJob.flinkConfiguration(config));
        // as a checkpointed job on a cluster restarts by default: exponential delay, without a limit
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(10));
        env.configure(restarts);
        env.setParallelism(config.parallelism());
        Workflow.Sinks sinks = RatingJob.sinks(config);
        sinks = new Workflow.Sinks(new FailingKafkaSink<>((KafkaSink<EncodedRecord>) sinks.rated()), sinks.deadLetters(),
                new FailingSink<>((CassandraSink<FamilyRow>) sinks.rollups()), sinks.periods(), null);
        Workflow.build(env, config, RatingJob.sources(config), sinks);
        return env.executeAsync("fault suite " + run);
    }

    /** The usage records not yet covered by the job's committed offsets (they move at checkpoints). */
    private long lag(PipelineConfig config) {
        return ItSupport.committedLag(addresses.kafkaBootstrap(), config.consumerGroup(), config.usageTopic());
    }

    // ------------------------------------------------------------------ the stack

    private void provision() throws Exception {
        ItSupport.createTopics(addresses.kafkaBootstrap(), topics);
        CassandraSchema.apply(cassandra, keyspace, 1);
    }

    private void dropRun() {
        try {
            cassandra.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace)
                    .setTimeout(Duration.ofSeconds(60)));
        } catch (RuntimeException e) {
            LOG.warn("could not drop {}: {}", keyspace, e.toString());
        }
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, addresses.kafkaBootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    /** The usage producer: it waits out a Kafka outage (buffering, retrying in order) instead of failing a send. */
    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, addresses.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString((int) TimeUnit.MINUTES.toMillis(10)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(TimeUnit.MINUTES.toMillis(10)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private long count(String topic) {
        return ItSupport.committed(addresses, topic).size();
    }

    private long outputs(PipelineConfig config, Scenario scenario) {
        return count(config.ratedTopic()) + count(config.deadLetterTopic()) + scenario.count(Scenario.Kind.DUPLICATE);
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String topic, Class<T> type) {
        AvroDeserializer<T> d = new AvroDeserializer<>(registry, type);
        return ItSupport.committed(addresses, topic).stream().map(r -> d.deserialize(r.value())).toList();
    }

    private void awaitRollups(Map<String, String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> actual = ItSupport.rollupRows(cassandra, keyspace);
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            actual = ItSupport.rollupRows(cassandra, keyspace);
        }
        assertThat(new TreeMap<>(actual)).as("roll-ups in Cassandra").containsExactlyInAnyOrderEntriesOf(expected);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
