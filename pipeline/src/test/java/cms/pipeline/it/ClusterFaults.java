package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.RatedUsage;
import cms.cassandra.CassandraSchema;
import cms.infra.FlinkJobs;
import cms.pipeline.job.PipelineConfig;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroDeserializer;
import cms.wire.AvroSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17's faults of the Flink cluster itself, on the cluster {@link RatingClusterIT} started (one start for both):
 * a TaskManager killed with SIGKILL (the supervisor restarts it), a TaskManager hung with SIGSTOP for longer than the
 * heartbeat timeout and then continued, the JobManager killed with SIGKILL and restarted (ZooKeeper high availability:
 * the restarted one recovers the job from its latest checkpoint), and the job's checkpoint directory's disk full (a
 * tmpfs of its own kept full, then emptied). The month of {@link FaultSuiteIT} flows at a steady rate meanwhile into a
 * job with topics and a keyspace of the run's own (RF 3); the run ends with the accounting and every roll-up and
 * commission compared with the scenario's own arithmetic, no FINAL window changed, and each fault's figures in
 * {@code pipeline/target/cluster-faults-report.md}.
 *
 * <p>In the suite a randomized selection of two faults ({@code -Dcms.faults.seed=N} replays one); {@code
 * -Dcms.faults.full=true} runs all of them; {@code -Dcms.cluster.faults.only=KIND,...} the named ones in that order;
 * {@code -Dcms.cluster.faults=false} skips them. The disk fault needs root (mount), and is left out otherwise.
 */
final class ClusterFaults {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFaults.class);
    private static final boolean FULL = Boolean.getBoolean("cms.faults.full");
    private static final long SEED = Long.getLong("cms.faults.seed", System.nanoTime());
    private static final Duration DISK_FULL = Duration.ofSeconds(Long.getLong("cms.cluster.faults.disk-seconds", 30));
    private static final Duration WAIT = RatingClusterIT.WAIT;
    private static final Path REPORT = LocalStackAddresses.projectRoot().resolve("pipeline/target/cluster-faults-report.md");

    enum Kind {
        TASK_MANAGER_KILLED, TASK_MANAGER_HUNG, JOB_MANAGER_KILLED, CHECKPOINT_DISK_FULL;

        /** Seconds a fault of this kind is expected to take, recovery included: paces the usage. */
        long estimateSeconds(Duration heartbeat) {
            return switch (this) {
                case TASK_MANAGER_KILLED -> 45;
                case TASK_MANAGER_HUNG -> heartbeat.toSeconds() + 50;
                case JOB_MANAGER_KILLED -> 90;
                case CHECKPOINT_DISK_FULL -> DISK_FULL.toSeconds() + 60;
            };
        }
    }

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String keyspace = "cfaults_" + run;
    private final Map<String, String> topics = ItSupport.topics("cf" + run);
    private final LocalStackAddresses kafka = RatingClusterIT.kafka();
    private final FlinkRest rest = new FlinkRest(URI.create(RatingClusterIT.ready.getProperty("flink.url")));
    private final FlinkJobs jobs = new FlinkJobs(RatingClusterIT.ready.getProperty("flink.url"));
    private final Path pids = RatingClusterIT.DIR.resolve("pids");

    void run() throws Exception {
        Random random = new Random(SEED);
        FullDisk disk = new FullDisk(RatingClusterIT.DIR.resolve("checkpoint-disk"), "256m");
        List<Kind> plan = plan(random, disk.mounted());
        Duration heartbeat = heartbeatTimeout();
        LOG.info("cluster faults run {}: seed {} ({}), faults {}, heartbeat.timeout {}", run, SEED, selection(), plan, heartbeat);

        ItSupport.createTopics(RatingClusterIT.ready.getProperty("kafka.bootstrap"), topics, 3, 2);
        CassandraSchema.apply(RatingClusterIT.cassandra, keyspace, 3);
        Scenario scenario = new Scenario(3, 10, 50, 500, Integer.getInteger("cms.faults.events", 3000), 20260117L);
        scenario.computeExpectations();
        Map<String, String> options = options(disk);
        PipelineConfig config = PipelineConfig.from(options, kafka);

        List<FaultReport.Figures> figures = new ArrayList<>();
        FinalWatch watch = new FinalWatch(RatingClusterIT.cassandra, keyspace);
        long began = System.nanoTime();
        String jobId = null;
        try (KafkaProducer<byte[], byte[]> producer = RatingClusterIT.producer()) {
            AvroSerializer serializer = new AvroSerializer(RatingClusterIT.registry, true);
            RatingPipelineIT.publishReferenceData(producer, serializer, config, scenario);
            jobId = RatingClusterIT.cluster("submit", "--parallelism", "2", jobArgs(options));
            String job = jobId;
            LOG.info("cluster faults job {} submitted at parallelism 2", job);
            RatingPipelineIT.send(producer, serializer, config, List.of(scenario.canary));
            RatingClusterIT.await("canary rated", () -> count(config.ratedTopic()) >= 1);
            FlinkRest.await("a first checkpoint", () -> rest.checkpointedSince(job, -1), WAIT);

            List<Scenario.Record> usage = new ArrayList<>(scenario.phase1);
            usage.addAll(scenario.phase2);
            AtomicLong plannedEnd = new AtomicLong(System.nanoTime()
                    + TimeUnit.SECONDS.toNanos(plan.stream().mapToLong(k -> k.estimateSeconds(heartbeat)).sum()));
            AtomicInteger sent = new AtomicInteger();
            AtomicBoolean faultsDone = new AtomicBoolean();
            Thread sender = SteadyUsage.start(producer, serializer, config, usage, sent, plannedEnd, faultsDone);
            watch.start();
            try {
                for (int i = 0; i < plan.size(); i++) {
                    Thread.sleep(3000 + random.nextInt(5000));
                    // every fault starts from the whole cluster: two task managers registered
                    FlinkRest.await("two task managers registered", () -> taskManagers().size() == 2, WAIT);
                    FaultReport.Figures f = inject(plan.get(i), random, job, config, heartbeat, disk, began);
                    figures.add(f);
                    LOG.info("cluster fault {}/{}: {}", i + 1, plan.size(), f);
                    long remaining = plan.subList(i + 1, plan.size()).stream().mapToLong(k -> k.estimateSeconds(heartbeat)).sum();
                    plannedEnd.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(remaining));
                }
            } finally {
                faultsDone.set(true);
            }
            sender.join(TimeUnit.MINUTES.toMillis(10));
            assertThat(sent.get()).as("usage sent").isEqualTo(usage.size());

            long total = scenario.allRecords().size();
            RatingClusterIT.await("every record consumed", () -> outputs(config, scenario) >= total,
                    () -> "outputs " + outputs(config, scenario) + " of " + total);
            Map<String, String> expected = scenario.expectedRows(Scenario.ADVANCE_HOUR.plusSeconds(50 * 60).toEpochMilli());
            RatingClusterIT.awaitRollups(keyspace, expected);
            watch.stop();
            List<RatedUsage> rated = read(config.ratedTopic(), RatedUsage.class);
            List<DeadLetter> dead = read(config.deadLetterTopic(), DeadLetter.class);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
            String table = FaultReport.table("Cluster faults, run " + run + " (seed " + SEED + ", " + selection() + ", heartbeat.timeout "
                            + heartbeat.toSeconds() + " s, disk full " + DISK_FULL.toSeconds() + " s)", figures,
                    FaultReport.accounting(scenario, rated.size(), dead.size(), expected.size(), watch) + "; " + seconds + " s");
            FaultReport.write(REPORT, table);
            System.out.println(table);
            LOG.info("cluster faults report ({}):\n{}", REPORT, table);

            RatingPipelineIT.assertOutputs(scenario, rated, dead, config.usageTopic());
            RatingPipelineIT.assertCommissions(RatingClusterIT.cassandra, keyspace, scenario);
            RatingPipelineIT.assertGranularitiesAddUp(RatingClusterIT.cassandra, keyspace);
            assertThat(watch.changed).as("FINAL windows that changed after they were first read FINAL").isEmpty();
            assertThat(watch.finalSeen.size()).as("FINAL windows watched").isPositive();
            assertThat(figures).as("faults injected").hasSize(plan.size());
        } finally {
            watch.stop();
            if (jobId != null) {
                try {
                    jobs.cancel(jobId);
                } catch (IOException e) {
                    LOG.warn("could not cancel {}: {}", jobId, e.toString());
                }
            }
            disk.unmount();
        }
    }

    // ------------------------------------------------------------------ the faults

    private FaultReport.Figures inject(Kind kind, Random random, String job, PipelineConfig config, Duration heartbeat, FullDisk disk, long began)
            throws Exception {
        long at = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        long restartsBefore = rest.restarts(job);
        long[] checkpointsBefore = rest.checkpoints(job);
        long latestBefore = rest.latestCheckpoint(job);
        long ratedBefore = count(config.ratedTopic());
        Map<String, Long> tmPidsBefore = taskManagerPids();
        long faultStart = System.nanoTime();
        double serverRestart = Double.NaN;
        double down;
        long faultEnd;
        long checkpointBefore;
        String note;
        switch (kind) {
            case TASK_MANAGER_KILLED -> {
                String member = busyTaskManager(job, random);
                RatingClusterIT.kill(member);
                faultEnd = System.nanoTime();
                RatingClusterIT.awaitRestarted(member);
                serverRestart = (System.nanoTime() - faultStart) / 1e9;
                FlinkRest.await("two task managers registered again", () -> taskManagers().size() == 2, WAIT);
                down = (System.nanoTime() - faultStart) / 1e9;
                FlinkRest.await("the job's restart after " + member + " was killed", () -> rest.restarts(job) > restartsBefore, WAIT);
                checkpointBefore = rest.latestCheckpoint(job);
                note = member + " killed; restarted by the supervisor";
            }
            case TASK_MANAGER_HUNG -> {
                String member = busyTaskManager(job, random);
                long pid = pid(member);
                Duration hang = heartbeat.plusSeconds(10);
                long stoppedAt = System.currentTimeMillis();
                signal(pid, "STOP");
                try {
                    // the JobManager declares it lost after heartbeat.timeout and restarts the job on the other task manager
                    Thread.sleep(hang.toMillis());
                } finally {
                    signal(pid, "CONT");
                }
                faultEnd = System.nanoTime();
                down = (faultEnd - faultStart) / 1e9;
                FlinkRest.await("the job's restart after " + member + " hung", () -> rest.restarts(job) > restartsBefore, WAIT);
                checkpointBefore = rest.latestCheckpoint(job);
                note = member + " hung " + hang.toSeconds() + " s; " + failureSince(job, stoppedAt) + "; "
                        + (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        ? "the task manager went on after SIGCONT" : "the task manager ended after SIGCONT and was restarted");
            }
            case JOB_MANAGER_KILLED -> {
                RatingClusterIT.kill("flink-jobmanager");
                faultEnd = System.nanoTime();
                RatingClusterIT.awaitRestarted("flink-jobmanager");
                serverRestart = (System.nanoTime() - faultStart) / 1e9;
                // the restarted JobManager takes the leadership once the killed one's ZooKeeper session expired, then
                // recovers the job (its graph and latest checkpoint from the high-availability services)
                FlinkRest.await("the job recovered by the restarted JobManager", () -> running(job), WAIT);
                down = (System.nanoTime() - faultStart) / 1e9;
                long restored = rest.get("/jobs/" + job + "/checkpoints").path("latest").path("restored").path("id").asLong(-1);
                assertThat(restored).as("the checkpoint the recovered job restored (the latest before the kill: " + latestBefore + ")")
                        .isGreaterThanOrEqualTo(latestBefore);
                checkpointBefore = Math.max(latestBefore, restored);
                note = "the restarted JobManager recovered the job from checkpoint " + restored + " (the latest before the kill: "
                        + latestBefore + ")";
            }
            case CHECKPOINT_DISK_FULL -> {
                long filled = disk.keepFull(DISK_FULL);
                faultEnd = System.nanoTime();
                down = (faultEnd - faultStart) / 1e9;
                long failed = rest.checkpoints(job)[1] - checkpointsBefore[1];
                Map<String, Long> after = taskManagerPids();
                Set<String> ended = new TreeSet<>();
                tmPidsBefore.forEach((m, pid) -> {
                    if (!pid.equals(after.get(m))) {
                        ended.add(m);
                    }
                });
                assertThat(failed).as("checkpoints failed while the disk was full").isPositive();
                checkpointBefore = rest.latestCheckpoint(job);
                note = "filled " + (filled >> 20) + " MiB; " + failed + " checkpoints failed; "
                        + (ended.isEmpty() ? "no task manager ended" : String.join(", ", ended) + " ended and restarted by the supervisor");
            }
            default -> throw new IllegalStateException(kind.name());
        }
        long bound = 20 + 4 * Math.round(config.checkpointInterval().toMillis() / 1000.0 * 20);
        FlinkRest.Recovery r = rest.awaitRecovery(kind.name(), job, checkpointBefore, faultEnd,
                () -> ItSupport.committedLag(kafka.kafkaBootstrap(), config.consumerGroup(), config.usageTopic()), bound, WAIT);
        long ratedDuring = count(config.ratedTopic()) - ratedBefore;
        // a recovered JobManager counts restarts and checkpoints from its own start
        boolean newJobMaster = kind == Kind.JOB_MANAGER_KILLED;
        long restarts = newJobMaster ? -1 : rest.restarts(job) - restartsBefore;
        long failed = newJobMaster ? rest.checkpoints(job)[1] : rest.checkpoints(job)[1] - checkpointsBefore[1];
        return new FaultReport.Figures(kind.name(), at, down, serverRestart, r.recoverSeconds(), r.drainSeconds(), r.lagAtCheckpoint(),
                r.peakLag(), restarts, failed, ratedDuring, note);
    }

    /**
     * When and why the job failed after {@code sinceMillis}, from its exception history (the REST API's numRestarts
     * lags while a task manager hangs: the metric fetcher waits for it too).
     */
    private String failureSince(String job, long sinceMillis) throws InterruptedException {
        JsonNode entries;
        try {
            entries = rest.get("/jobs/" + job + "/exceptions?maxExceptions=20").path("exceptionHistory").path("entries");
        } catch (IOException e) {
            return "exception history not read: " + e.getMessage();
        }
        JsonNode first = null;
        for (JsonNode e : entries) {
            if (e.path("timestamp").asLong() >= sinceMillis && (first == null || e.path("timestamp").asLong() < first.path("timestamp").asLong())) {
                first = e;
            }
        }
        if (first == null) {
            return "no failure in the job's exception history";
        }
        String cause = first.path("stacktrace").asText().lines().findFirst().orElse(first.path("exceptionName").asText());
        return String.format("the job failed %.1f s after SIGSTOP: %s", (first.path("timestamp").asLong() - sinceMillis) / 1000.0,
                cause.length() > 120 ? cause.substring(0, 120) + "…" : cause);
    }

    /** The job RUNNING with every task running. */
    private boolean running(String job) {
        try {
            return "RUNNING".equals(jobs.state(job)) && jobs.allTasksRunning(job);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The registered task managers' ids (tm-1, tm-2), empty when the JobManager does not answer. */
    private List<String> taskManagers() {
        try {
            List<String> ids = new ArrayList<>();
            rest.get("/taskmanagers").path("taskmanagers").forEach(t -> ids.add(t.path("id").asText()));
            return ids;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** A task manager running tasks of the job, as the cluster's member name (flink-taskmanager-N), picked at random. */
    private String busyTaskManager(String job, Random random) throws Exception {
        Set<String> busy = new TreeSet<>();
        for (JsonNode vertex : rest.get("/jobs/" + job).path("vertices")) {
            for (JsonNode tm : rest.get("/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/taskmanagers").path("taskmanagers")) {
                if ("RUNNING".equals(tm.path("status").asText())) {
                    busy.add(tm.path("taskmanager-id").asText());
                }
            }
        }
        assertThat(busy).as("task managers running the job's tasks").isNotEmpty();
        List<String> ids = new ArrayList<>(busy);
        String id = ids.get(random.nextInt(ids.size()));
        // the cluster names its task managers' resource ids tm-N (cms.infra.FlinkCluster)
        return "flink-taskmanager-" + id.substring(id.lastIndexOf('-') + 1);
    }

    private Map<String, Long> taskManagerPids() throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String m : List.of("flink-taskmanager-1", "flink-taskmanager-2")) {
            out.put(m, pid(m));
        }
        return out;
    }

    private long pid(String member) throws IOException {
        return Long.parseLong(Files.readString(pids.resolve(member + ".pid")).strip());
    }

    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal + " " + pid).isTrue();
        LOG.info("kill -{} {}", signal, pid);
    }

    /** The cluster's heartbeat.timeout, from its JobManager's configuration. */
    private Duration heartbeatTimeout() throws Exception {
        for (JsonNode e : rest.get("/jobmanager/config")) {
            if ("heartbeat.timeout".equals(e.path("key").asText())) {
                return org.apache.flink.util.TimeUtils.parseDuration(e.path("value").asText());
            }
        }
        return Duration.ofSeconds(50);   // Flink's default
    }

    // ------------------------------------------------------------------ the plan and the job

    private static String selection() {
        String only = System.getProperty("cms.cluster.faults.only", "");
        return !only.isBlank() ? "the faults named by cms.cluster.faults.only" : FULL ? "full list" : "CI selection";
    }

    private static List<Kind> plan(Random random, boolean diskAllowed) {
        String only = System.getProperty("cms.cluster.faults.only", "");
        if (!only.isBlank()) {
            return java.util.Arrays.stream(only.split(",")).map(k -> Kind.valueOf(k.strip())).toList();
        }
        List<Kind> all = new ArrayList<>(List.of(Kind.TASK_MANAGER_KILLED, Kind.TASK_MANAGER_HUNG, Kind.JOB_MANAGER_KILLED));
        if (diskAllowed) {
            all.add(Kind.CHECKPOINT_DISK_FULL);
        } else {
            LOG.warn("no tmpfs could be mounted (not root?): the checkpoint disk-full fault is left out");
        }
        Collections.shuffle(all, random);
        return FULL ? all : all.subList(0, 2);
    }

    /** The job's keys: the test reads its configuration from them, and the job is submitted with them as arguments. */
    private Map<String, String> options(FullDisk disk) {
        Map<String, String> o = ItSupport.faultJobOptions(topics, keyspace, "cfaults-" + run);
        o.put(PipelineConfig.KAFKA_BOOTSTRAP, RatingClusterIT.ready.getProperty("kafka.bootstrap"));
        o.put(PipelineConfig.REGISTRY_URL, RatingClusterIT.ready.getProperty("registry.url"));
        o.put(PipelineConfig.CASSANDRA_CONTACT_POINT, RatingClusterIT.ready.getProperty("cassandra.contact-points"));
        if (disk.mounted()) {
            o.put(PipelineConfig.CHECKPOINT_DIR, disk.dir().resolve("job").toUri().toString());
        }
        return o;
    }

    /** As {@code --key value} arguments. */
    private static List<String> jobArgs(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> args.addAll(List.of("--" + k, v)));
        return args;
    }

    // ------------------------------------------------------------------ outputs

    private long count(String topic) {
        return ItSupport.committed(kafka, topic).size();
    }

    private long outputs(PipelineConfig config, Scenario scenario) {
        return count(config.ratedTopic()) + count(config.deadLetterTopic()) + scenario.count(Scenario.Kind.DUPLICATE);
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String topic, Class<T> type) {
        AvroDeserializer<T> d = new AvroDeserializer<>(RatingClusterIT.registry, type);
        return ItSupport.committed(kafka, topic).stream().map(r -> d.deserialize(r.value())).toList();
    }
}
