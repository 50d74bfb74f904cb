package cms.pipeline.job;

import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.PeriodRow;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.hierarchy.KafkaReferenceSnapshot;
import cms.pipeline.hierarchy.ReferenceSnapshot;
import cms.pipeline.cassandra.CassandraConnection;
import cms.pipeline.cassandra.CassandraSink;
import cms.pipeline.kafka.EncodedRecordSerializationSchema;
import cms.pipeline.cassandra.PeriodStatements;
import cms.pipeline.kafka.TopicLimits;
import cms.pipeline.cassandra.FamilyRollupStatements;
import cms.pipeline.ingest.RawRecordDeserializationSchema;
import cms.pipeline.hierarchy.ReferenceDeserializationSchema;
import cms.pipeline.ingest.UsageRules;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;
import java.util.Properties;

/**
 * The rating job. {@code flink run cms-pipeline.jar [--key value ...]} on a cluster; add
 * {@code --local-web-ui [--web-ui-port 8081]} to run it in-process with Flink's web UI. Every key
 * is in {@link PipelineConfig}; without any, it reads and writes the local stack.
 */
public final class RatingJob {
    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        PipelineConfig config;
        try {
            config = PipelineConfig.from(params.toMap());
        } catch (IllegalArgumentException e) {
            System.err.println("cms-pipeline: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean localWebUi = params.has("local-web-ui") && !"false".equalsIgnoreCase(params.get("local-web-ui"));
        StreamExecutionEnvironment env = environment(config, localWebUi, params.getInt("web-ui-port", 8081),
                params.get("metrics-port", "9249-9259"));
        env.setParallelism(config.parallelism());
        Workflow.build(env, config, sources(config), sinks(config));
        env.execute("cms rating pipeline");
    }

    /**
     * The environment: the cluster's (flink run: its metric reporters are the cluster's, see README-PIPELINE), or an
     * in-process one serving Flink's web UI on 127.0.0.1:webUiPort and Prometheus metrics on metricsPort for local runs.
     */
    public static StreamExecutionEnvironment environment(PipelineConfig config, boolean localWebUi, int webUiPort, String metricsPort) {
        Configuration flink = flinkConfiguration(config);
        if (!localWebUi) {
            return StreamExecutionEnvironment.getExecutionEnvironment(flink);
        }
        if (metricsPort != null) {
            prometheus(flink, metricsPort);
        }
        if (config.checkpointDir() == null) {
            // Without a directory Flink keeps checkpoints in the JobManager's memory, at most 5 MB a state: the
            // broadcast reference data of 100,000 subscriptions alone is more, and every checkpoint would fail.
            checkpointTo(flink, localCheckpointDir(config).toUri().toString());
        }
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, webUiPort);
        flink.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        flink.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        flink.set(TaskManagerOptions.HOST, "127.0.0.1");
        flink.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    }

    /** The local environment without the Prometheus reporter. */
    public static StreamExecutionEnvironment environment(PipelineConfig config, boolean localWebUi, int webUiPort) {
        return environment(config, localWebUi, webUiPort, null);
    }

    /**
     * Flink's Prometheus reporter: every metric of the job (the pipeline's own, its operators', checkpoints, restarts) in
     * the Prometheus text format on http://host:port/metrics; {@code port} may be a range ("9250-9260"), the first free
     * one is taken. A cluster sets the same two keys in its Flink configuration.
     */
    public static Configuration prometheus(Configuration flink, String port) {
        flink.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", port);
        return flink;
    }

    /** The local mode's checkpoints when none is configured: one directory per consumer group, under the temp dir. */
    static java.nio.file.Path localCheckpointDir(PipelineConfig config) {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "cms-checkpoints", config.consumerGroup());
    }

    /** Checkpoints to {@code dir}, and the state changelog (state-changelog true) beside them. */
    private static void checkpointTo(Configuration flink, String dir) {
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        flink.set(FsStateChangelogOptions.BASE_PATH, dir.replaceAll("/+$", "") + "/changelog");
    }

    /** Checkpointing (exactly once) and the state backend, from the validated configuration. */
    public static Configuration flinkConfiguration(PipelineConfig config) {
        Configuration flink = new Configuration();
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        // Under backpressure an aligned barrier waits behind every record queued in the network: checkpoints took
        // 20-50 s at a 10 s interval, stalling the inputs that aligned and delaying the commits. After the timeout the
        // barrier overtakes the queue, which is checkpointed.
        flink.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        flink.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, config.checkpointAlignmentTimeout());
        flink.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, tolerableFailedCheckpoints(config));
        flink.set(StateBackendOptions.STATE_BACKEND, config.stateBackend());
        // Records pass between chained operators as they are, not deep-copied at every hop (a RatedEvent with its Avro
        // event crossed four chained hops). Safe because no operator changes a record after emitting it or keeps one it
        // received while changing it (network inputs always deserialize fresh objects).
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        // every record on the wire and in state has a Flink serializer (TypesTest); a Kryo fallback would be a bug
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        if ("rocksdb".equals(config.stateBackend())) {
            // a checkpoint uploads only the files written since the previous one, so its cost follows what changed,
            // not the whole state (the heap backend writes all of it every time); a restarted task reuses its local copy
            flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            flink.set(org.apache.flink.configuration.StateRecoveryOptions.LOCAL_RECOVERY, true);
        }
        if (config.checkpointDir() != null) {
            // without a checkpoint-dir, flink run takes the cluster's directories
            checkpointTo(flink, config.checkpointDir());
        }
        if (config.stateChangelog()) {
            // each checkpoint writes the state changes since the last one (the heap backend would write all of it);
            // the whole state is written in the background every few minutes, which bounds what a restore replays
            flink.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            flink.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
            flink.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, Duration.ofMinutes(3));
        }
        return flink;
    }

    /**
     * Checkpoints that may fail in a row without failing the job: Cassandra down (the roll-up sinks' flush waits for their
     * retried writes, so a checkpoint takes as long as the outage or expires), a full or unwritable checkpoint directory.
     * Failing the job for each would only replay from the same checkpoint into the same fault. The bound is what the
     * Kafka transactions allow: a transaction opened after the last completed checkpoint is committed only after the
     * next one completes, so the failures in a row (interval apart) must stay well within kafka.transaction-timeout, or
     * the broker aborts a transaction whose records a later checkpoint would then count as written. Half of it, as for
     * the Cassandra writes' retries ({@link #cassandraRetryWindow}).
     */
    static int tolerableFailedCheckpoints(PipelineConfig config) {
        return (int) Math.max(1, config.transactionTimeout().dividedBy(2).toMillis() / config.checkpointInterval().toMillis());
    }

    /**
     * How long a Cassandra write is retried (timeouts, no replica, Cassandra down: see AsyncWrites) before it fails the job,
     * which then restarts from its last checkpoint: half of kafka.transaction-timeout, so that a Kafka transaction opened
     * before an outage Cassandra recovers from is still open, and committed, after it (2.5 minutes by default).
     */
    static Duration cassandraRetryWindow(PipelineConfig config) {
        return config.transactionTimeout().dividedBy(2);
    }

    @SuppressWarnings("deprecation") // the connector offers no replacement for OffsetResetStrategy yet
    public static Workflow.Sources sources(PipelineConfig config) {
        KafkaSource<RawRecord> usage = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setTopics(config.usageTopic())
                .setGroupId(config.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperties(consumerProperties())
                .setDeserializer(new RawRecordDeserializationSchema(config.registry(),
                        new UsageRules(config.maxEventAge(), config.maxEventLead(), config.maxEventSize())))
                .build();
        // Reference data is read from the beginning: every effective-dated version may still be needed.
        KafkaSource<ReferenceUpdate> reference = KafkaSource.<ReferenceUpdate>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setTopics(config.hierarchyTopic(), config.priceBookTopic(), config.commissionPlanTopic())
                .setGroupId(config.consumerGroup() + "-reference")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setProperties(consumerProperties())
                .setDeserializer(new ReferenceDeserializationSchema(config.registry(), config.hierarchyTopic(),
                        config.priceBookTopic(), config.commissionPlanTopic()))
                .build();
        ReferenceSnapshot snapshot = new KafkaReferenceSnapshot(config.kafkaBootstrap(), config.registry(), config.hierarchyTopic(),
                config.priceBookTopic(), config.commissionPlanTopic(), Duration.ofMinutes(2));
        return new Workflow.Sources(usage, reference, snapshot);
    }

    /**
     * Both Kafka sinks name their transactions INCREMENTING (one id per subtask and checkpoint, lingering ones aborted
     * by probing on recovery), not POOLING: with pooled ids, a recovery from a checkpoint whose id was since reused can
     * leave the newer transaction open on the broker, hiding later records from read_committed readers (FLINK-40626,
     * open in connector 5.0.0).
     */
    public static Workflow.Sinks sinks(PipelineConfig config) {
        KafkaSink<EncodedRecord> rated = KafkaSink.<EncodedRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new EncodedRecordSerializationSchema(config.ratedTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-rated")
                .setTransactionNamingStrategy(TransactionNamingStrategy.INCREMENTING)
                .setKafkaProducerConfig(producerProperties(config, TopicLimits.RATED_MAX_REQUEST_SIZE))
                .build();
        KafkaSink<EncodedRecord> deadLetters = KafkaSink.<EncodedRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new EncodedRecordSerializationSchema(config.deadLetterTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-dead-letter")
                .setTransactionNamingStrategy(TransactionNamingStrategy.INCREMENTING)
                .setKafkaProducerConfig(producerProperties(config, TopicLimits.DEAD_LETTER_MAX_REQUEST_SIZE))
                .build();
        CassandraConnection cassandra = new CassandraConnection(config.cassandraContactPoint(), config.cassandraDatacenter(),
                config.keyspace(), Duration.ofSeconds(10), config.cassandraConsistency());
        CassandraSink<FamilyRow> rollups = CassandraSink.<FamilyRow>builder()
                .setConnection(cassandra)
                .setStatements(new FamilyRollupStatements())
                .setElementType(TypeInformation.of(FamilyRow.class))
                .setMaxInFlight(config.cassandraMaxInFlight())
                .setBatchSize(config.cassandraBatchSize())
                .setBatchDelay(config.cassandraBatchDelay())
                .setTimeout(cassandraRetryWindow(config))
                .build();
        CassandraSink<PeriodRow> periods = CassandraSink.<PeriodRow>builder()
                .setConnection(cassandra)
                .setStatements(new PeriodStatements())
                .setElementType(TypeInformation.of(PeriodRow.class))
                .setMaxInFlight(config.cassandraMaxInFlight())
                .setBatchSize(config.cassandraBatchSize())
                .setBatchDelay(config.cassandraBatchDelay())
                .setTimeout(cassandraRetryWindow(config))
                .build();
        return new Workflow.Sinks(rated, deadLetters, rollups, periods, null);
    }

    /**
     * The sink's default transaction timeout of 1 hour is above the broker's 15-minute maximum: every transaction would fail.
     * max.request.size: the one the output operator checks each record against (TopicLimits).
     * acks=all and idempotence are what a transactional producer requires anyway; said here so that a replicated topic's
     * min.insync.replicas decides when a write counts (with replication factor 3 and min.insync.replicas 2, one broker
     * may be down).
     */
    private static Properties producerProperties(PipelineConfig config, int maxRequestSize) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", Long.toString(config.transactionTimeout().toMillis()));
        p.setProperty("max.request.size", Integer.toString(maxRequestSize));
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        return p;
    }

    /**
     * Both sources read only committed records (the Kafka consumer's default is read_uncommitted): records of a
     * producer's aborted transaction must never be rated or enter the reference data.
     */
    private static Properties consumerProperties() {
        Properties p = new Properties();
        p.setProperty("isolation.level", "read_committed");
        return p;
    }

    private RatingJob() {}
}
