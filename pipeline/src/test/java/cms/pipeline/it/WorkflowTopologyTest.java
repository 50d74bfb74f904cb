package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.RatedUsage;
import cms.cassandra.FamilyRollups;
import cms.pipeline.hierarchy.ReferenceSnapshot;
import cms.pipeline.ingest.UsageRules;
import cms.pipeline.job.PipelineConfig;
import cms.pipeline.job.RatingJob;
import cms.pipeline.job.Workflow;
import cms.pipeline.kafka.KafkaOutput;
import cms.pipeline.kafka.TopicLimits;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.PeriodRow;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.wire.AvroSerializer;
import cms.wire.ConfluentFrame;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's topology ({@link Workflow}) on a MiniCluster with finite sources and collecting sinks, no servers: the
 * month scenario of the ITs ({@link Scenario}, small) held to the same expectations as RatingPipelineIT holds the job
 * on the real stack to. Usage arrives as the Kafka source's deserialization would deliver it (decoded and validated by
 * {@link UsageRules}, the undecodable records marked so: decoding itself is RawRecordDeserializationSchema's, tested
 * apart), one split per partition; the reference data through the start-up snapshot and the broadcast source; the
 * outputs encode with fixed schema ids, the sinks collect. The late January usage is released once the period sink has
 * seen January FINAL, as the IT sends it; the input ends once every record is accounted for, and its end-of-input
 * watermark finalizes every window and period.
 *
 * <p>What it holds the job to: conservation (every record rated, dead-lettered or a duplicate, once); the dead
 * letters' reason codes; each rated event's lineage at event time (a tenant moves partner mid-month), amount (per
 * unit, graduated, volume, included quantities, a regional rate, a price change), late flag and booked period
 * (usage behind its partition but on time, late adjustments into January and, after January is FINAL, into February);
 * the de-duplicated eventIds; every roll-up window at every level, by meter and currency, as a reader adds the parts,
 * with the commissions and adjustments; HOUR, DAY and MONTH adding up; every window part FINAL exactly once, last and
 * with the highest write timestamp; each period FINAL once at its end plus the lateness.
 */
class WorkflowTopologyTest {
    /** Big enough for every rule (late and behind-but-on-time usage needs 150 events a partition), small enough for seconds. */
    private static final int DISTRIBUTORS = 2, PARTNERS = 4, TENANTS = 8, SUBSCRIPTIONS = 24, EVENTS = 600;
    /** The schema ids the outputs frame their values with (no registry is asked). */
    private static final int RATED_SCHEMA_ID = 7, DEAD_LETTER_SCHEMA_ID = 8, USAGE_SCHEMA_ID = 9;
    private static final long TIMEOUT_SECONDS = 120;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(loopback())
            .build());

    private static Configuration loopback() {
        Configuration c = new Configuration();
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, "0");
        return c;
    }

    /** The reference data of a run, read by the rating tasks' start-up snapshot in this JVM. */
    private static final Map<String, List<ReferenceUpdate>> REFERENCE = new ConcurrentHashMap<>();

    @Test
    void theMonthScenarioHoldsEveryContractRule() throws Exception {
        Scenario scenario = new Scenario(DISTRIBUTORS, PARTNERS, TENANTS, SUBSCRIPTIONS, EVENTS, 20260105L);
        scenario.computeExpectations();
        RatingPipelineIT.assertCoversTheLatenessRule(scenario);
        PipelineConfig config = config();

        CollectingSink<EncodedRecord> rated = new CollectingSink<>();
        CollectingSink<EncodedRecord> dead = new CollectingSink<>();
        CollectingSink<FamilyRow> rollups = new CollectingSink<>();
        CollectingSink<PeriodRow> periods = new CollectingSink<>();
        CollectingSink<ValidUsage> duplicates = new CollectingSink<>();
        int records = scenario.allRecords().size();
        BooleanSupplier januaryFinal = () -> periods.collected().stream()
                .anyMatch(p -> p.period.equals("2026-01") && p.status.equals("FINAL"));
        BooleanSupplier accountedFor = () -> rated.size() + dead.size() + duplicates.size() >= records;

        long[] offsets = new long[2];
        List<List<RawRecord>> phase1 = partitions(config, Stream.concat(Stream.of(scenario.canary), scenario.phase1.stream()).toList(),
                offsets);
        List<List<RawRecord>> phase2 = partitions(config, scenario.phase2, offsets);
        ScriptedSource<RawRecord> usage = new ScriptedSource<>(TypeInformation.of(RawRecord.class),
                List.of(new ScriptedSource.Phase<>(() -> true, phase1), new ScriptedSource.Phase<>(januaryFinal, phase2)), accountedFor);
        List<ReferenceUpdate> reference = reference(scenario);
        ScriptedSource<ReferenceUpdate> referenceSource = new ScriptedSource<>(TypeInformation.of(ReferenceUpdate.class),
                List.of(new ScriptedSource.Phase<>(() -> true, List.of(reference))), accountedFor);
        String run = java.util.UUID.randomUUID().toString();
        REFERENCE.put(run, reference);
        ReferenceSnapshot snapshot = () -> REFERENCE.get(run);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(RatingJob.flinkConfiguration(config));
        Configuration noRestarts = new Configuration();
        // a failure fails the test: the scripted source does not resume
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        env.setParallelism(config.parallelism());
        Workflow.build(env, config, new Workflow.Sources(usage, referenceSource, snapshot),
                new Workflow.Sinks(rated, dead, rollups, periods, duplicates), outputs(config));
        long started = System.nanoTime();
        JobClient job = env.executeAsync("workflow topology test");
        try {
            job.getJobExecutionResult().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            job.cancel().get();
            throw new AssertionError("the job did not finish within " + TIMEOUT_SECONDS + " s: rated " + rated.size() + ", dead letters "
                    + dead.size() + ", duplicates " + duplicates.size() + " of " + records + " records, January FINAL "
                    + januaryFinal.getAsBoolean(), e);
        } finally {
            usage.close();
            referenceSource.close();
            REFERENCE.remove(run);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        // conservation, the dead letters and their reasons, every rated event's lineage, amount, late flag and booked period
        RatingPipelineIT.assertOutputs(scenario, decode(rated.collected(), RatedUsage.class, RATED_SCHEMA_ID),
                decode(dead.collected(), DeadLetter.class, DEAD_LETTER_SCHEMA_ID), config.usageTopic());
        // de-duplication: exactly the repeats, each counted once
        assertThat(duplicates.collected()).extracting(d -> d.event.getSubscriptionId() + "/" + d.event.getEventId())
                .containsExactlyInAnyOrderElementsOf(scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.DUPLICATE)
                        .map(r -> r.event.getSubscriptionId() + "/" + r.event.getEventId()).toList());

        List<FamilyRow> written = rollups.collected();
        assertFinalOnceAndLast(written);
        List<ItSupport.StoredRow> stored = ItSupport.storedRows(asStored(written));
        // every window at every level as a reader adds its parts: the input's end finalized every one of them
        assertThat(ItSupport.rollupRows(stored)).as("roll-ups").containsExactlyInAnyOrderEntriesOf(scenario.expectedRows(Long.MAX_VALUE));
        RatingPipelineIT.assertCommissions(stored, scenario);
        RatingPipelineIT.assertGranularitiesAddUp(stored);

        assertPeriodsFinalOnce(periods.collected());
        System.out.printf("workflow topology test: %d records (%d rated, %d dead letters, %d duplicates; %d late adjustments) through the "
                        + "job in %.1f s; %d roll-up rows written, %d window parts FINAL once%n", records, rated.size(), dead.size(),
                duplicates.size(), scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED && r.late).count(), seconds,
                written.size(), written.stream().filter(FamilyRow::isFinal).count());
        Stream.of(rated, dead, rollups, periods, duplicates).forEach(CollectingSink::close);
    }

    private static PipelineConfig config() {
        Map<String, String> o = new HashMap<>(ItSupport.topics("topology"));
        o.put(PipelineConfig.ALLOWED_LATENESS, Scenario.LATENESS.toHours() + "h");
        o.put(PipelineConfig.OUT_OF_ORDERNESS, Scenario.OUT_OF_ORDERNESS.toMinutes() + "min");
        // no partition may be declared idle while the other races ahead (that would make its usage late), as in the ITs
        o.put(PipelineConfig.SOURCE_IDLENESS, "10min");
        o.put(PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "1s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "200ms");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "1s");
        o.put(PipelineConfig.PARALLELISM, "2");
        // addresses only: nothing here connects to them
        return PipelineConfig.from(o, LocalStackAddresses.fromEnvironment());
    }

    /** The rated and dead-letter outputs with the product's topic limits (cms.topics.Topics) and fixed schema ids. */
    private static Workflow.Outputs outputs(PipelineConfig config) {
        // the rated topic takes Kafka's default max.message.bytes and stamps LogAppendTime (RATED_CONFIG)
        TopicLimits rated = new TopicLimits(config.ratedTopic(), TopicLimits.RATED_MAX_REQUEST_SIZE, 1_048_588, false, 0, 0);
        TopicLimits dead = new TopicLimits(config.deadLetterTopic(), TopicLimits.DEAD_LETTER_MAX_REQUEST_SIZE,
                Topics.DEAD_LETTER_MAX_MESSAGE_BYTES, true, Long.MAX_VALUE, Long.MAX_VALUE);
        return new Workflow.Outputs(KafkaOutput.fixed(rated, RATED_SCHEMA_ID), KafkaOutput.fixed(dead, DEAD_LETTER_SCHEMA_ID));
    }

    /**
     * The records of each of the two partitions, at the partitions' next {@code offsets}, as the Kafka source's
     * deserialization delivers them (in its order of checks): INVALID by size, UNDECODABLE (every record the scenario
     * gives as bytes), INVALID by the contract's rules, or valid usage.
     */
    private static List<List<RawRecord>> partitions(PipelineConfig config, List<Scenario.Record> records, long[] offsets) {
        UsageRules rules = new UsageRules(config.maxEventAge(), config.maxEventLead(), config.maxEventSize());
        // encode() frames with the given id: the registry is never asked
        AvroSerializer serializer = new AvroSerializer(new SchemaRegistryClient(SchemaRegistryClient.Config.of("http://127.0.0.1:1")), false);
        long now = System.currentTimeMillis();
        List<List<RawRecord>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (Scenario.Record r : records) {
            byte[] value = r.event != null ? serializer.encode(USAGE_SCHEMA_ID, r.event) : r.rawIsNull ? null : r.raw;
            RawRecord raw = new RawRecord(config.usageTopic(), r.partition, offsets[r.partition]++, r.timestamp,
                    r.key.getBytes(StandardCharsets.UTF_8), value);
            String tooLarge = rules.sizeViolation(raw.key, raw.value);
            String violation = r.event == null ? null : rules.violation(r.event, UsageRules.arrival(r.timestamp, now));
            if (tooLarge != null) {
                raw.failed(DeadLetterReason.INVALID, tooLarge, null);
            } else if (r.event == null) {
                raw.failed(DeadLetterReason.UNDECODABLE, "not a usage record", null);
            } else if (violation != null) {
                raw.failed(DeadLetterReason.INVALID, violation, r.event.getEventId());
            } else {
                raw.valid(r.event);
            }
            out.get(r.partition).add(raw);
        }
        return out;
    }

    private static List<ReferenceUpdate> reference(Scenario scenario) {
        List<ReferenceUpdate> out = new ArrayList<>();
        scenario.hierarchy.forEach(h -> out.add(ReferenceUpdate.of(h)));
        scenario.books.forEach(b -> out.add(ReferenceUpdate.of(b)));
        scenario.plans.forEach(p -> out.add(ReferenceUpdate.of(p)));
        return out;
    }

    /** The Avro values of the encoded records, each framed with the output's schema id. */
    private static <T extends SpecificRecord> List<T> decode(List<EncodedRecord> records, Class<T> type, int schemaId) {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        List<T> out = new ArrayList<>();
        for (EncodedRecord r : records) {
            ConfluentFrame.Header header = ConfluentFrame.parse(r.value);
            assertThat(header.schemaId()).isEqualTo(schemaId);
            try {
                out.add(reader.read(null, DecoderFactory.get().binaryDecoder(r.value, header.bodyOffset(), header.bodyLength(), null)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The primary key of family_rollups a row upserts. */
    private static String primaryKey(FamilyRow r) {
        return String.join("|", r.level, r.nodeId, r.bucket, r.granularity, r.childId, Long.toString(r.windowStart), r.meterId, r.currency, r.via);
    }

    /**
     * FINAL once: every window part the roll-ups wrote was written FINAL exactly once, as its last row, with a write
     * timestamp above each of its OPEN rows' (so the store keeps it whatever order the writes land in).
     */
    private static void assertFinalOnceAndLast(List<FamilyRow> written) {
        Map<String, List<FamilyRow>> byKey = new LinkedHashMap<>();
        written.forEach(r -> byKey.computeIfAbsent(primaryKey(r), k -> new ArrayList<>()).add(r));
        assertThat(byKey).isNotEmpty();
        byKey.forEach((key, rows) -> {
            assertThat(rows.stream().filter(FamilyRow::isFinal).count()).as("FINAL rows of " + key).isEqualTo(1);
            FamilyRow last = rows.get(rows.size() - 1);
            assertThat(last.isFinal()).as("the last row of " + key + " is FINAL").isTrue();
            for (FamilyRow open : rows.subList(0, rows.size() - 1)) {
                assertThat(open.writeTimestamp).as("write timestamp of an OPEN row of " + key).isLessThan(last.writeTimestamp);
                assertThat(open.eventCount).as("events of an OPEN row of " + key).isLessThanOrEqualTo(last.eventCount);
            }
        });
    }

    /** What Cassandra keeps of the rows: per primary key the row with the highest write timestamp. */
    private static List<ItSupport.FamilyPart> asStored(List<FamilyRow> written) {
        Map<String, FamilyRow> kept = new TreeMap<>();
        written.forEach(r -> kept.merge(primaryKey(r), r, (a, b) -> b.writeTimestamp >= a.writeTimestamp ? b : a));
        List<ItSupport.FamilyPart> out = new ArrayList<>();
        for (FamilyRow r : kept.values()) {
            out.add(new ItSupport.FamilyPart(r.level, r.nodeId, r.granularity, new FamilyRollups.Part(r.childId,
                    Instant.ofEpochMilli(r.windowStart), Instant.ofEpochMilli(r.windowEnd), r.meterId, r.currency, r.status, r.eventCount,
                    r.quantity, r.amount, r.partnerCommission, r.distributorCommission, r.adjustmentCount, r.adjustmentAmount, null)));
        }
        return out;
    }

    /** Each period: OPEN rows with a rising watermark, then FINAL exactly once, last, at its end plus the allowed lateness. */
    private static void assertPeriodsFinalOnce(List<PeriodRow> rows) {
        Map<String, List<PeriodRow>> byPeriod = new TreeMap<>();
        rows.forEach(r -> byPeriod.computeIfAbsent(r.period, k -> new ArrayList<>()).add(r));
        assertThat(byPeriod).containsKeys("2026-01", "2026-02");
        byPeriod.forEach((period, list) -> {
            assertThat(list.stream().filter(r -> r.status.equals("FINAL")).count()).as("FINAL rows of " + period).isEqualTo(1);
            PeriodRow last = list.get(list.size() - 1);
            assertThat(last.status).as("the last row of " + period).isEqualTo("FINAL");
            long finalAt = cms.rollup.BillingPeriod.parse(period).end().plus(Scenario.LATENESS).toEpochMilli();
            assertThat(last.finalAt).as(period + " final at").isEqualTo(finalAt);
            long previous = Long.MIN_VALUE;
            for (PeriodRow r : list.subList(0, list.size() - 1)) {
                assertThat(r.watermark).as(period + " OPEN watermarks").isGreaterThan(previous).isLessThan(finalAt);
                assertThat(r.writeTimestamp).isLessThan(last.writeTimestamp);
                previous = r.watermark;
            }
        });
        assertThat(Instant.ofEpochMilli(byPeriod.get("2026-01").get(byPeriod.get("2026-01").size() - 1).finalAt))
                .isEqualTo(Instant.parse("2026-02-01T01:00:00Z"));
    }
}
