package cms.pipeline.it;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.RatedUsage;
import cms.pipeline.job.PipelineConfig;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.wire.AvroDeserializer;
import cms.wire.AvroSerializer;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The month of {@link RatingPipelineIT} through the clustered deployment ({@code infra/bin/cluster up}, started
 * here in its own directory): the packaged job jar submitted to the Flink standalone session cluster (two task
 * managers) with Flink's REST API ({@code infra/bin/cluster submit}), three Kafka brokers (RF 3,
 * min.insync.replicas 2), three Cassandra nodes (RF 3, LOCAL_QUORUM writes and reads), the registry and the API.
 *
 * <p>At parallelism 2 the January usage is produced in slices while one Kafka broker and then one Cassandra node
 * are killed with SIGKILL (the cluster's supervisor restarts each on its data after its restart delay). Once January
 * is FINAL the job is stopped with a savepoint and resumed from it at parallelism 4, the late usage is produced,
 * and every roll-up row, every commission, the conservation count and the dead letters are compared with the
 * scenario's own arithmetic (exactly as {@link RatingPipelineIT} does on the single-node stack), and every tenant's
 * statement through the API. Then stop with a savepoint again and back to parallelism 2: nothing may change.
 * Throughout, the API is asked for January's period and a distributor's usage twice a second: every answer must be 200.
 *
 * <p>Then, on the same cluster (its start is the expensive part), the faults of the Flink cluster itself with usage
 * flowing ({@link ClusterFaults}): a task manager killed, one hung beyond the heartbeat timeout, the JobManager killed
 * (ZooKeeper high availability recovers the job), the checkpoint disk full.
 *
 * <p>What it took on the shared 2-core machine (2026-12-02): at a load average of 20 to 45 it passed in 459 s (the
 * cluster ready in 150 s, the month 270 s), and before that at 15 to 40 in 400 s; at 40 to 60 every roll-up, statement and count was exact but one dashboard
 * read sent to the Cassandra node that was just rejoining timed out (the API now sends a slow read to the next replica
 * too). Above that the cluster itself could not start: a KRaft quorum that kept re-electing (the quorum's timeouts are
 * now raised), a JobManager whose RPC system missed a 10 s start-up timeout Flink's own setting does not reach (now set
 * as Pekko reads it), and at 30 to 45 a Cassandra node that had not received the keyspace 120 s after it was created
 * (CassandraSchema's schema-agreement wait, which stops the start with the nodes' schema versions).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RatingClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(RatingClusterIT.class);
    private static final Path ROOT = LocalStackAddresses.projectRoot();
    static final Path DIR = Path.of(System.getProperty("cms.cluster.it.dir", ROOT.resolve("pipeline/target/cluster-it").toString()));
    static final Duration WAIT = Duration.ofSeconds(Long.getLong("cms.cluster.it.wait-seconds", 600));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process cluster;
    static Properties ready;
    static CqlSession cassandra;
    static SchemaRegistryClient registry;
    private static String keyspace;
    private static String token;

    @BeforeAll
    static void startCluster() throws Exception {
        // part of the suite; -Dcms.cluster.it=false skips it (it starts 11 JVMs, about 6 GB, for about 7 minutes)
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.parseBoolean(System.getProperty("cms.cluster.it", "true")),
                "the cluster test is skipped (-Dcms.cluster.it=false)");
        Path apiJar = ROOT.resolve("api/target/cms-api-1.0.0-SNAPSHOT-app.jar");
        Path jobJar = ROOT.resolve("pipeline/target/cms-pipeline-1.0.0-SNAPSHOT.jar");
        assertThat(apiJar).as("the API jar (the root pom builds api before pipeline; with -pl pipeline build it first:"
                + " mvn -pl api -am package -DskipTests)").exists();
        assertThat(jobJar).as("the job jar (package phase)").exists();
        Files.createDirectories(DIR.resolve("logs"));
        Instant began = Instant.now();
        ProcessBuilder up = new ProcessBuilder(ROOT.resolve("infra/bin/cluster").toString(), "up")
                .directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(DIR.resolve("logs/cluster.out").toFile());
        up.environment().put("CMS_SKIP_BUILD", "1");
        up.environment().put("CMS_CLUSTER_DIR", DIR.toString());
        // the scenario writes to two partitions (as on the single-node stack, where RatingPipelineIT makes its topics)
        up.environment().put("CMS_USAGE_PARTITIONS", "2");
        // short enough for the hung task manager of ClusterFaults to be declared lost within a test (Flink's default: 50 s)
        up.environment().putIfAbsent("CMS_CLUSTER_HEARTBEAT_TIMEOUT", "20");
        cluster = up.start();
        Path readyFile = DIR.resolve("ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.getLong("cms.cluster.it.start-seconds", 600)).toNanos();
        while (!Files.exists(readyFile)) {
            if (!cluster.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the cluster did not start:\n" + tail(DIR.resolve("logs/cluster.out"), 60));
            }
            Thread.sleep(1000);
        }
        ready = new Properties();
        try (Reader r = Files.newBufferedReader(readyFile)) {
            ready.load(r);
        }
        LOG.info("cluster ready in {} s (its own figure: {} s)", Duration.between(began, Instant.now()).toSeconds(),
                ready.getProperty("started.seconds"));
        keyspace = ready.getProperty("cassandra.keyspace");
        var builder = CqlSession.builder().withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        // the test reads as the API does: a quorum of the 3 replicas, retried elsewhere when a node goes away
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, DefaultConsistencyLevel.LOCAL_QUORUM.name())
                        .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20)).build());
        for (String hp : ready.getProperty("cassandra.contact-points").split(",")) {
            builder.addContactPoint(new InetSocketAddress(hp.substring(0, hp.lastIndexOf(':')), Integer.parseInt(hp.substring(hp.lastIndexOf(':') + 1))));
        }
        cassandra = builder.build();
        registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(ready.getProperty("registry.url")));
        token = mintToken(apiJar);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cassandra != null) {
            cassandra.close();
        }
        if (cluster != null) {
            cluster.destroy();   // SIGTERM: the supervisor stops every member
            if (!cluster.waitFor(90, TimeUnit.SECONDS)) {
                cluster.destroyForcibly();
            }
        }
    }

    @Test
    @Order(1)
    void theMonthOnTheClusterWithANodeOfEachKilledAndARescaleIsExact() throws Exception {
        Scenario scenario = new Scenario(3, 10, 50, 500, Integer.getInteger("cms.it.events", 3000), 20260101L);
        scenario.computeExpectations();
        Instant started = Instant.now();
        List<String> jobArgs = List.of(
                "--" + PipelineConfig.CONSUMER_GROUP, "cluster-it", "--" + PipelineConfig.TRANSACTIONAL_ID_PREFIX, "cluster-it",
                "--" + PipelineConfig.ALLOWED_LATENESS, "1h",
                "--" + PipelineConfig.OUT_OF_ORDERNESS, Scenario.OUT_OF_ORDERNESS.toMinutes() + "min",
                // no subtask may be declared idle while another races a month ahead (see RatingPipelineIT)
                "--" + PipelineConfig.SOURCE_IDLENESS, "10min",
                "--" + PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "3s",
                "--" + PipelineConfig.REFRESH_INTERVAL, "500ms",
                "--" + PipelineConfig.CHECKPOINT_INTERVAL, "2s");
        // kafka.transaction-timeout stays the product's 5 min: a transaction must outlive its checkpoint plus a recovery or
        // a stop-with-savepoint, and the 30 s this test used to set is less than those took on the loaded machine (a
        // 20 s timeout lost rated records that way in RatingPipelineIT: the broker aborted a transaction whose checkpoint
        // had completed). A transaction a failed attempt leaves open is aborted by the next attempt's writer.
        ApiProbe probe = new ApiProbe();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            AvroSerializer serializer = new AvroSerializer(registry, true);
            publishReferenceData(producer, serializer, scenario);
            await("the API knows the scenario's hierarchy", () -> apiGet("/v1/distributors/d0") == 200);
            probe.start();

            String job = cluster("submit", "--parallelism", "2", jobArgs);
            LOG.info("job {} submitted at parallelism 2", job);
            send(producer, serializer, List.of(scenario.canary));
            await("canary rated", () -> count(Topics.RATED) >= 1);

            // January in ten slices while one broker, then one Cassandra node, is killed and comes back
            List<List<Scenario.Record>> slices = slices(scenario.phase1, 10);
            for (int i = 0; i < slices.size(); i++) {
                if (i == 2) {
                    kill("kafka-2");
                }
                if (i == 5) {
                    kill("cassandra-3");
                }
                send(producer, serializer, slices.get(i));
                Thread.sleep(1500);
            }
            awaitRestarted("kafka-2");
            awaitRestarted("cassandra-3");
            long phase1 = 1 + scenario.phase1.size();
            await("phase 1 consumed", () -> outputs(scenario) >= phase1,
                    () -> "rated " + count(Topics.RATED) + ", dead letters " + count(Topics.DEAD_LETTER) + ", duplicates "
                            + scenario.count(Scenario.Kind.DUPLICATE) + " of " + phase1 + "; usage records in Kafka " + count(Topics.USAGE)
                            + "; not rated (first 20): " + missingRated(scenario));
            await("January FINAL", () -> "FINAL".equals(ItSupport.periodStatus(cassandra, keyspace, "2026-01")));

            // rescale: stop with a savepoint at parallelism 2, resume from it at parallelism 4
            String savepoint = cluster("stop", job);
            LOG.info("stopped with savepoint {}", savepoint);
            List<String> at4 = new ArrayList<>(List.of("--parallelism", "4", "--from-savepoint", savepoint));
            at4.addAll(jobArgs);
            job = cluster("submit", at4);
            LOG.info("job {} resumed at parallelism 4", job);

            send(producer, serializer, scenario.phase2);
            long total = scenario.allRecords().size();
            await("phase 2 consumed", () -> outputs(scenario) >= total,
                    () -> "rated " + count(Topics.RATED) + ", dead letters " + count(Topics.DEAD_LETTER) + " of " + total);
            Map<String, String> expected = scenario.expectedRows(Scenario.ADVANCE_HOUR.plusSeconds(50 * 60).toEpochMilli());
            awaitRollups(expected);
            checkOutputs(scenario);
            checkCommissions(scenario);
            checkStatements(scenario, expected);

            // and back to parallelism 2: the same state, nothing rewritten differently, nothing emitted again
            String again = cluster("stop", job);
            List<String> at2 = new ArrayList<>(List.of("--parallelism", "2", "--from-savepoint", again));
            at2.addAll(jobArgs);
            job = cluster("submit", at2);
            LOG.info("job {} back at parallelism 2 from {}", job, again);
            String resumed = job;
            await("job running at parallelism 2", () -> flinkRunning(resumed));
            Thread.sleep(5000);   // several refresh intervals and checkpoints
            assertThat(ItSupport.rollupRows(cassandra, keyspace)).as("roll-ups after rescaling back to 2").isEqualTo(expected);
            checkOutputs(scenario);
            cluster("stop", job);
        } finally {
            probe.stop();
        }
        LOG.info("cluster month: {} records in {} s; API answered {} requests, {} not 200", scenario.allRecords().size(),
                Duration.between(started, Instant.now()).toSeconds(), probe.requests.get(), probe.failures.size());
        assertThat(probe.requests.get()).as("API requests during the run").isGreaterThan(50);
        assertThat(probe.failures).as("API answers other than 200 while nodes were killed and the job rescaled").isEmpty();
    }

    /** Issue 17's faults of the Flink cluster (task managers killed and hung, the JobManager killed, the checkpoint disk full): {@link ClusterFaults}. */
    @Test
    @Order(2)
    void theFlinkClustersFaultsWhileUsageFlowsLoseNothingAndCountNothingTwice() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.parseBoolean(System.getProperty("cms.cluster.faults", "true")),
                "the cluster's faults are skipped (-Dcms.cluster.faults=false)");
        new ClusterFaults().run();
    }

    // ------------------------------------------------------------------ checks

    /** Conservation (rated + dead letters + duplicates = produced, each once), the dead letters' reasons, every rated event. */
    private static void checkOutputs(Scenario scenario) {
        List<RatedUsage> rated = read(Topics.RATED, RatedUsage.class);
        List<DeadLetter> dead = read(Topics.DEAD_LETTER, DeadLetter.class);
        long duplicates = scenario.count(Scenario.Kind.DUPLICATE);
        assertThat(rated.size() + dead.size() + duplicates).as("conservation").isEqualTo(scenario.allRecords().size());
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
        Map<String, Scenario.Record> byId = new HashMap<>();
        scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED).forEach(r -> byId.put(r.event.getEventId(), r));
        for (RatedUsage r : rated) {
            Scenario.Record e = byId.get(r.getEvent().getEventId());
            assertThat(r.getLineage().getPartnerId()).as(r.getEvent().getEventId()).isEqualTo(e.partner);
            assertThat(r.getAmount()).as("amount of " + r.getEvent().getEventId()).isEqualByComparingTo(e.amount);
            assertThat(r.getLateAdjustment()).isEqualTo(e.late);
            assertThat(r.getBookedPeriod()).isEqualTo(Scenario.period(e.bookingTime));
        }
    }

    private static void checkCommissions(Scenario scenario) {
        Map<String, String> expectedCommissions = new TreeMap<>();
        scenario.expectedCommissions().forEach((k, v) -> expectedCommissions.put(k, Scenario.plain(v)));
        assertThat(ItSupport.commissions(cassandra, keyspace)).as("commissions").isEqualTo(expectedCommissions);
    }

    /**
     * Every tenant's January statement through the API: FINAL, and each line's event count and unrounded amount those
     * of the scenario's MONTH row of that subscription, meter and currency (which the statement is made of).
     */
    private static void checkStatements(Scenario scenario, Map<String, String> expected) throws Exception {
        long january = Scenario.JAN.toEpochMilli();
        Map<String, String> lines = new TreeMap<>();
        Map<String, String> expectedLines = new TreeMap<>();
        java.util.Set<String> tenants = new java.util.TreeSet<>();
        for (var r : scenario.allRecords()) {
            if (r.kind == Scenario.Kind.RATED && "2026-01".equals(Scenario.period(r.bookingTime))) {
                tenants.add(r.tenant);
                String sub = r.event.getSubscriptionId();
                String row = expected.get(Scenario.key("SUBSCRIPTION", sub, "MONTH", january, "", r.event.getMeterId(), r.currency));
                expectedLines.put(sub + "|" + r.event.getMeterId() + "|" + r.currency, countAndAmount(row));
            }
        }
        for (String tenant : tenants) {
            HttpResponse<String> r = api("/v1/statements/" + tenant + "?period=2026-01");
            assertThat(r.statusCode()).as("statement of " + tenant + ": " + r.body()).isEqualTo(200);
            JsonNode statement = JSON.readTree(r.body());
            assertThat(statement.path("status").asText()).isEqualTo("FINAL");
            for (JsonNode line : statement.path("lines")) {
                lines.put(line.path("subscriptionId").asText() + "|" + line.path("meterId").asText() + "|" + line.path("currency").asText(),
                        "n=" + line.path("eventCount").asLong() + " a=" + Scenario.plain(new BigDecimal(line.path("unroundedAmount").asText())));
            }
        }
        assertThat(lines).as("statement lines of " + tenants.size() + " tenants").isEqualTo(expectedLines);
    }

    /** "n=… a=…" of a Scenario.values string. */
    private static String countAndAmount(String values) {
        String[] parts = values.split(" ");
        return parts[1] + " " + parts[3];
    }

    // ------------------------------------------------------------------ the cluster

    /** Runs infra/bin/cluster with {@code args} against this test's cluster; returns its last line of output. */
    static String cluster(String command, Object... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("infra/bin/cluster").toString(), command));
        for (Object a : args) {
            if (a instanceof List<?> list) {
                list.forEach(x -> cmd.add(x.toString()));
            } else {
                cmd.add(a.toString());
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("CMS_SKIP_BUILD", "1");
        pb.environment().put("CMS_CLUSTER_DIR", DIR.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(6, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("infra/bin/cluster " + command + ":\n" + out).isZero();
        String[] lines = out.split("\n");
        return lines[lines.length - 1].strip();
    }

    private static final Map<String, Long> KILLED = new ConcurrentHashMap<>();

    /** SIGKILL, as a crashed machine: no shutdown hook, no flush. */
    static long kill(String member) throws IOException {
        long pid = Long.parseLong(Files.readString(DIR.resolve("pids").resolve(member + ".pid")).strip());
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        LOG.info("killing {} (pid {}) with SIGKILL", member, pid);
        handle.destroyForcibly();
        KILLED.put(member, pid);
        return pid;
    }

    /** The supervisor restarted the member (a new pid) and it serves again. */
    static void awaitRestarted(String member) throws Exception {
        long old = KILLED.get(member);
        await(member + " restarted", () -> {
            try {
                long pid = Long.parseLong(Files.readString(DIR.resolve("pids").resolve(member + ".pid")).strip());
                return pid != old && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            } catch (IOException | NumberFormatException e) {
                return false;
            }
        });
    }

    private static boolean flinkRunning(String job) {
        try {
            for (JsonNode j : JSON.readTree(get(ready.getProperty("flink.url") + "/jobs/overview").body()).path("jobs")) {
                if (j.path("jid").asText().equals(job)) {
                    JsonNode tasks = j.path("tasks");
                    return "RUNNING".equals(j.path("state").asText()) && tasks.path("running").asInt() == tasks.path("total").asInt();
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ the API

    /** Asks the API for January's period and a distributor's January usage, twice a second, and keeps what was not 200. */
    private static final class ApiProbe {
        final AtomicLong requests = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::run, "api-probe");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        private void run() {
            List<String> paths = List.of("/v1/periods/2026-01",
                    "/v1/usage/distributor/d0?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&granularity=DAY&breakdown=child");
            while (running.get()) {
                for (String path : paths) {
                    requests.incrementAndGet();
                    try {
                        int status = apiGet(path);
                        if (status != 200) {
                            failures.add(Instant.now() + " " + path + " " + status);
                        }
                    } catch (RuntimeException e) {
                        failures.add(Instant.now() + " " + path + " " + e);
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static int apiGet(String path) {
        try {
            return api(path).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e.toString(), e);
        }
    }

    private static HttpResponse<String> api(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(ready.getProperty("api.url") + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(15)).build());
    }

    private static HttpResponse<String> get(String url) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A token of the configured first platform admin (auth.firstAdmin, "admin") from the API's own token command. */
    private static String mintToken(Path apiJar) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", apiJar.toString(),
                "token", ROOT.resolve("api/config.yml").toString(), "--user", "admin")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("token command: " + out).isZero();
        // the token is the one line that is a JWT (anything else is the command's logging)
        return out.lines().map(String::strip).filter(l -> l.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("the token command printed no token: " + out));
    }

    // ------------------------------------------------------------------ Kafka

    /** The cluster's first broker as the clients' bootstrap (they find the other two from it). */
    static LocalStackAddresses kafka() {
        String first = ready.getProperty("kafka.bootstrap").split(",")[0];
        return new LocalStackAddresses(first.substring(0, first.lastIndexOf(':')), Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)),
                0, 0, 0, 0, keyspace);
    }

    /**
     * Idempotent, acks=all, and patient: while a broker is down and back, the in-sync replicas of a partition can
     * shrink below min.insync.replicas for a while on a loaded machine; a record must wait, never be dropped.
     */
    static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ready.getProperty("kafka.bootstrap"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void publishReferenceData(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, Scenario scenario) {
        for (var c : scenario.hierarchy) {
            producer.send(new ProducerRecord<>(Topics.HIERARCHY, key(cms.topics.VersionKeys.hierarchy(c)), serializer.serialize(Topics.HIERARCHY, c)));
        }
        for (var b : scenario.books) {
            producer.send(new ProducerRecord<>(Topics.PRICE_BOOKS, key(cms.topics.VersionKeys.priceBook(b)), serializer.serialize(Topics.PRICE_BOOKS, b)));
        }
        for (var p : scenario.plans) {
            producer.send(new ProducerRecord<>(Topics.COMMISSION_PLANS, key(cms.topics.VersionKeys.commissionPlan(p)),
                    serializer.serialize(Topics.COMMISSION_PLANS, p)));
        }
        producer.flush();
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends and waits for every acknowledgement: a record the brokers refused fails the test here, not as a missing count later. */
    private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, List<Scenario.Record> records)
            throws Exception {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
        for (Scenario.Record r : records) {
            byte[] value = r.event != null ? serializer.serialize(Topics.USAGE, r.event) : r.rawIsNull ? null : r.raw;
            acks.add(producer.send(new ProducerRecord<>(Topics.USAGE, r.partition, r.timestamp, key(r.key), value)));
        }
        producer.flush();
        for (var ack : acks) {
            ack.get();
        }
    }

    private static List<List<Scenario.Record>> slices(List<Scenario.Record> records, int n) {
        List<List<Scenario.Record>> out = new ArrayList<>();
        int size = (records.size() + n - 1) / n;
        for (int i = 0; i < records.size(); i += size) {
            out.add(records.subList(i, Math.min(records.size(), i + size)));
        }
        return out;
    }

    /** Committed records of a topic (read_committed: what exactly-once consumers see). */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        return ItSupport.committed(kafka(), topic);
    }

    /** Up to 20 eventIds the scenario expects rated that the rated topic does not hold (read_committed). */
    private static List<String> missingRated(Scenario scenario) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        read(Topics.RATED, RatedUsage.class).forEach(r -> seen.add(r.getEvent().getEventId()));
        return scenario.allRecords().stream().filter(r -> r.kind == Scenario.Kind.RATED && !seen.contains(r.event.getEventId()))
                .map(r -> r.event.getEventId() + "@p" + r.partition).limit(20).toList();
    }

    private static long count(String topic) {
        return records(topic).size();
    }

    private static long outputs(Scenario scenario) {
        return count(Topics.RATED) + count(Topics.DEAD_LETTER) + scenario.count(Scenario.Kind.DUPLICATE);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String topic, Class<T> type) {
        AvroDeserializer<T> d = new AvroDeserializer<>(registry, type);
        return records(topic).stream().map(r -> d.deserialize(r.value())).toList();
    }

    // ------------------------------------------------------------------ Cassandra


    private static void awaitRollups(Map<String, String> expected) throws InterruptedException {
        awaitRollups(keyspace, expected);
    }

    static void awaitRollups(String keyspace, Map<String, String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> actual = ItSupport.rollupRows(cassandra, keyspace);
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            actual = ItSupport.rollupRows(cassandra, keyspace);
        }
        assertThat(actual).as("roll-ups in Cassandra").containsExactlyInAnyOrderEntriesOf(expected);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " " + state.get() + "\n" + tail(DIR.resolve("logs/cluster.out"), 30));
            }
            Thread.sleep(1000);
        }
        LOG.info("{}", what);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }
}
