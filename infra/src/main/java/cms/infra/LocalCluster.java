package cms.infra;

import cms.cassandra.CassandraSchema;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The clustered deployment on one machine, every process on loopback addresses: a Flink standalone
 * session cluster (a JobManager and two TaskManagers, separate JVMs, lib/ laid out by
 * infra/servers/flink), three Kafka nodes (KRaft, each broker and controller; every topic with
 * replication factor 3 and min.insync.replicas 2), three Cassandra nodes (127.0.0.1, .2, .3; keyspace
 * replication 3), the registry, a ZooKeeper server for Flink's high availability (a restarted JobManager
 * recovers the running jobs from their latest checkpoints), and the API reading and writing all of it.
 * Checkpoints, savepoints and the high-availability storage go to one directory every Flink process shares. The job is submitted to it with Flink's REST API
 * ({@link FlinkJobs}, {@code infra/bin/cluster submit}).
 *
 * <p>{@code up} starts it from empty data and then supervises it: a member that dies is restarted on
 * its data after CMS_CLUSTER_RESTART_DELAY, as a service manager would (the cluster test kills nodes
 * with SIGKILL and watches them come back). {@code down} ends a cluster started elsewhere; {@code status}
 * prints its addresses.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterSettings settings;
    private final Servers servers;
    private final Map<String, ServerProcess> members = new LinkedHashMap<>();
    private final Map<String, Instant> deadSince = new HashMap<>();

    LocalCluster(ClusterSettings settings) {
        this.settings = settings;
        this.servers = new Servers(settings.dir(), settings.serversDir(), settings.java17Home());
    }

    /** Starts every member, waits until each answers, provisions topics, keyspace and schemas, starts the API. */
    LocalCluster start() {
        Instant began = Instant.now();
        endLeftovers(settings);
        requirePortsFree();
        wipe(settings.dir().resolve("data"));
        wipe(settings.dir().resolve("flink"));
        deleteQuietly(readyFile());
        try {
            String kafkaClusterId = Servers.newKafkaClusterId();
            String seeds = String.join(",", settings.cassandraHosts().stream().map(h -> h + ":" + settings.cassandraStoragePort()).toList());
            String voters = String.join(",", java.util.stream.IntStream.range(0, ClusterSettings.NODES)
                    .mapToObj(i -> (i + 1) + "@" + settings.host() + ":" + (settings.kafkaPorts().get(i) + 1)).toList());
            // first: the JobManager's high-availability services connect to it as it starts
            launch(servers.zookeeper(settings.host(), settings.zookeeperPort()));
            for (int i = 0; i < ClusterSettings.NODES; i++) {
                // every node is a seed: they start at once and none waits to bootstrap from another (an empty cluster)
                launch(servers.cassandra(new Servers.CassandraNode("cassandra-" + (i + 1), settings.cassandraHosts().get(i),
                        settings.cassandraPort(), settings.cassandraStoragePort(), seeds, 0, settings.cassandraHeap(), "128MiB")));
            }
            launch(servers.registry(settings.host(), settings.registryPort(), "256m"));
            // the three storage formats at once (a JVM each)
            java.util.stream.IntStream.range(0, ClusterSettings.NODES).parallel().mapToObj(i -> {
                int port = settings.kafkaPorts().get(i);
                return servers.kafka(new Servers.KafkaNode("kafka-" + (i + 1), i + 1, settings.host(), port, port + 1, voters,
                        ClusterSettings.REPLICATION, ClusterSettings.MIN_IN_SYNC, settings.kafkaHeap()), kafkaClusterId);
            }).toList().forEach(this::launch);
            FlinkCluster flink = new FlinkCluster(settings, servers);
            launch(flink.jobManager());
            for (int i = 1; i <= ClusterSettings.TASK_MANAGERS; i++) {
                launch(flink.taskManager(i));
            }

            Instant deadline = Instant.now().plus(settings.readyTimeout());
            waitUntil("kafka", deadline, this::kafkaAnswers);
            waitUntil("registry", deadline, () -> httpOk("http://" + settings.host() + ":" + settings.registryPort() + "/health/ready")
                    && httpOk(settings.registryUrl() + "/subjects"));
            waitUntil("cassandra", deadline, this::cassandraAnswers);
            // "srvr" names the mode once the server serves ("ruok" answers as soon as the port is bound, even when its start then fails)
            waitUntil("zookeeper", deadline, () -> fourLetterWord(settings.host(), settings.zookeeperPort(), "srvr").contains("Mode:"));
            waitUntil("flink", deadline, () -> flink.taskManagersRegistered() == ClusterSettings.TASK_MANAGERS);
            provision();
            launch(api());
            // serving (its health check "rating-job" stays red until a job is submitted: the cluster starts without one)
            waitUntil("api", deadline, () -> httpOk("http://" + settings.host() + ":" + settings.apiAdminPort() + "/ping"));
            Duration took = Duration.between(began, Instant.now());
            writeReadyFile(took);
            log("ready in %.1f s: flink %s (2 task managers), kafka %s, cassandra %s (keyspace %s, RF 3), registry %s, api %s; logs in %s",
                    took.toMillis() / 1000.0, settings.flinkUrl(), settings.kafkaBootstrap(), settings.cassandraContactPoints(),
                    settings.keyspace(), settings.registryUrl(), settings.apiUrl(), settings.dir().resolve("logs"));
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void launch(ServerProcess member) {
        synchronized (members) {
            members.put(member.name(), member);
        }
        member.start();
    }

    /** Restarts, on its data, every member that has been dead for the restart delay; called once a second by {@code up}. */
    void supervise() {
        synchronized (members) {
            for (ServerProcess m : members.values()) {
                if (m.isAlive()) {
                    deadSince.remove(m.name());
                    continue;
                }
                Instant since = deadSince.computeIfAbsent(m.name(), n -> {
                    log("%s died; restarting it in %d s", n, settings.restartDelay().toSeconds());
                    return Instant.now();
                });
                if (Duration.between(since, Instant.now()).compareTo(settings.restartDelay()) >= 0) {
                    m.restart();
                    deadSince.remove(m.name());
                    log("%s restarted (pid %d)", m.name(), m.pid());
                }
            }
        }
    }

    @Override
    public void close() {
        deleteQuietly(readyFile());
        List<ServerProcess> reversed;
        synchronized (members) {
            reversed = new ArrayList<>(members.values());
            members.clear();
        }
        java.util.Collections.reverse(reversed);
        // the API and Flink first (they write to the others), then the servers together
        reversed.stream().filter(m -> m.name().equals("api") || m.name().startsWith("flink")).forEach(m -> m.stop(STOP_GRACE));
        reversed.parallelStream().forEach(m -> m.stop(STOP_GRACE));
    }

    Path readyFile() {
        return settings.dir().resolve("ready");
    }

    // --- the API -----------------------------------------------------------------------------

    /** The API jar copied into the cluster's directory: a rebuild of api/target while the cluster runs cannot disturb it. */
    private ServerProcess api() {
        Path built = settings.root().resolve("api/target/cms-api-1.0.0-SNAPSHOT-app.jar");
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " is missing: build it first (mvn -pl api -am install -DskipTests)");
        }
        Path home = settings.dir().resolve("data").resolve("api");
        Path jar = home.resolve("cms-api.jar");
        try {
            Files.createDirectories(home);
            Files.copy(built, jar, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(settings.root().resolve("api/config.yml"), home.resolve("config.yml"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = List.of(Servers.javaBin(Path.of(System.getProperty("java.home"))), servers.marker("api"), "-Xmx256m",
                "-Ddw.kafka.bootstrapServers=" + settings.kafkaBootstrap(),
                "-Ddw.registry.url=" + settings.registryUrl(),
                "-Ddw.cassandra.contactPoints=" + settings.cassandraContactPoints(),
                "-Ddw.cassandra.keyspace=" + settings.keyspace(),
                "-jar", jar.toString(), "server", home.resolve("config.yml").toString());
        return new ServerProcess("api", cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"),
                Map.of("CMS_API_PORT", Integer.toString(settings.apiPort()), "CMS_API_ADMIN_PORT", Integer.toString(settings.apiAdminPort()),
                        "CMS_FLINK_REST_URL", settings.flinkUrl()));
    }

    // --- readiness and provisioning ----------------------------------------------------------

    private boolean kafkaAnswers() {
        try (Admin admin = admin()) {
            return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == ClusterSettings.NODES;
        } catch (Exception notYet) {
            return false;
        }
    }

    /**
     * Every node answers CQL, sees the other two as peers, and all three agree on the schema version, asked of each
     * node itself: a schema change made before that reached only some nodes on the loaded machine (a node that did not
     * list its peers yet was not sent it), and the keyspace then stayed unknown to the others for minutes.
     */
    private boolean cassandraAnswers() {
        for (String host : settings.cassandraHosts()) {
            if (!portOpen(host, settings.cassandraPort())) {
                return false;
            }
        }
        try (CqlSession session = cql()) {
            var nodes = session.getMetadata().getNodes().values();
            if (nodes.size() != ClusterSettings.NODES || nodes.stream().anyMatch(n -> n.getState() != NodeState.UP)) {
                return false;
            }
            java.util.Set<Object> versions = new java.util.HashSet<>();
            for (var node : nodes) {
                var local = session.execute(SimpleStatement.newInstance("SELECT schema_version FROM system.local").setNode(node)).one();
                var peers = session.execute(SimpleStatement.newInstance("SELECT schema_version FROM system.peers_v2").setNode(node)).all();
                if (local == null || peers.size() != ClusterSettings.NODES - 1) {
                    return false;
                }
                versions.add(local.getUuid("schema_version"));
                peers.forEach(p -> versions.add(p.getUuid("schema_version")));
            }
            return versions.size() == 1 && !versions.contains(null);
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private void provision() {
        try (Admin admin = admin()) {
            List<NewTopic> topics = Topics.all(settings.usagePartitions()).stream()
                    .map(t -> {
                        Map<String, String> config = new HashMap<>(t.config());
                        config.put("min.insync.replicas", Integer.toString(ClusterSettings.MIN_IN_SYNC));
                        return new NewTopic(t.name(), t.partitions(), (short) ClusterSettings.REPLICATION).configs(config);
                    })
                    .toList();
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot create topics", e);
        }
        try (CqlSession session = cql()) {
            CassandraSchema.apply(session, settings.keyspace(), ClusterSettings.REPLICATION);
        }
        // one subject at a time (Apicurio 2.4's in-memory store deadlocks on concurrent first registrations)
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(settings.registryUrl()));
        for (Topics.Spec topic : Topics.all(settings.usagePartitions())) {
            registry.register(Topics.valueSubject(topic.name()), topic.valueSchema());
        }
        registry.setCompatibility(Topics.valueSubject(Topics.USAGE), "BACKWARD");
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    private CqlSession cql() {
        var builder = CqlSession.builder().withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER);
        settings.cassandraHosts().forEach(h -> builder.addContactPoint(new InetSocketAddress(h, settings.cassandraPort())));
        return builder.build();
    }

    private void waitUntil(String what, Instant deadline, Supplier<Boolean> answers) {
        while (true) {
            List<ServerProcess> now;
            synchronized (members) {
                now = new ArrayList<>(members.values());
            }
            // a member that dies while the others start is restarted as later on (a JVM on a loaded machine can miss
            // one of its own start-up timeouts, as Flink's RPC system's 10 s did under a load average of 50)
            supervise();
            if (answers.get()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                StringBuilder logs = new StringBuilder();
                now.stream().filter(m -> m.name().startsWith(what)).forEach(m -> logs.append("\n---- ").append(m.log()).append('\n')
                        .append(m.tail(30)));
                throw new IllegalStateException(what + " did not answer within " + settings.readyTimeout() + logs);
            }
            sleep(500);
        }
    }

    static boolean httpOk(String url) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** ZooKeeper's answer to a four-letter command ("srvr": its version, mode and counts), or "" when it does not answer. */
    static String fourLetterWord(String host, int port, String command) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(3000);
            s.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean portOpen(String host, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // --- housekeeping ------------------------------------------------------------------------

    private static List<String> endLeftovers(ClusterSettings settings) {
        List<String> ended = ServerProcess.endLeftovers(settings.dir().resolve("pids"), settings.dir().toString(), STOP_GRACE);
        if (!ended.isEmpty()) {
            log("ended leftovers of an earlier run: %s", String.join(", ", ended));
        }
        return ended;
    }

    private void requirePortsFree() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int p : settings.kafkaPorts()) {
            ports.put(settings.host() + ":" + p, p);
            ports.put(settings.host() + ":" + (p + 1), p + 1);
        }
        for (String h : settings.cassandraHosts()) {
            ports.put(h + ":" + settings.cassandraPort(), settings.cassandraPort());
            ports.put(h + ":" + settings.cassandraStoragePort(), settings.cassandraStoragePort());
        }
        for (int p : List.of(settings.registryPort(), settings.flinkRestPort(), settings.flinkRpcPort(), settings.flinkRpcPort() + 1,
                settings.apiPort(), settings.apiAdminPort(), settings.zookeeperPort())) {
            ports.put(settings.host() + ":" + p, p);
        }
        Instant deadline = Instant.now().plusSeconds(10); // a just-ended server may hold its port a moment
        for (var e : ports.entrySet()) {
            String host = e.getKey().substring(0, e.getKey().lastIndexOf(':'));
            while (!bindable(host, e.getValue())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(e.getKey() + " is in use by a process this cluster did not start; stop it or"
                            + " choose other ports (CMS_CLUSTER_* variables, see ClusterSettings)");
                }
                sleep(200);
            }
        }
    }

    private static boolean bindable(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void writeReadyFile(Duration took) {
        Servers.write(readyFile(), """
                flink.url=%s
                kafka.bootstrap=%s
                registry.url=%s
                cassandra.contact-points=%s
                cassandra.keyspace=%s
                api.url=%s
                api.admin-url=http://%s:%d
                zookeeper=%s
                checkpoints=%s
                savepoints=%s
                started.seconds=%.1f
                """.formatted(settings.flinkUrl(), settings.kafkaBootstrap(), settings.registryUrl(), settings.cassandraContactPoints(),
                settings.keyspace(), settings.apiUrl(), settings.host(), settings.apiAdminPort(), settings.zookeeperQuorum(), settings.checkpoints().toUri(),
                settings.savepoints().toUri(), took.toMillis() / 1000.0));
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(LocalCluster::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wipe " + dir, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the next start wipes again
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void log(String format, Object... args) {
        System.out.println("[cluster] " + String.format(format, args));
        System.out.flush();
    }

    // --- command line ------------------------------------------------------------------------

    /**
     * {@code up | down | status | submit [--parallelism N] [--from-savepoint PATH] [job args] | stop JOB_ID | jobs}.
     * submit adds the cluster's addresses (kafka.bootstrap, registry.url, cassandra.contact-point, cassandra.keyspace)
     * to the job's arguments unless they are given, and prints the job id; stop takes a savepoint into the
     * cluster's savepoint directory, stops the job, and prints the savepoint's path.
     */
    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        ClusterSettings settings = ClusterSettings.fromEnvironment();
        FlinkJobs jobs = new FlinkJobs(settings.flinkUrl());
        switch (command) {
            case "up" -> up(settings);
            case "down" -> {
                List<String> ended = endLeftovers(settings);
                deleteQuietly(settings.dir().resolve("ready"));
                log(ended.isEmpty() ? "nothing was running" : "ended " + String.join(", ", ended));
            }
            case "status" -> {
                Path ready = settings.dir().resolve("ready");
                System.out.print(Files.exists(ready) ? Files.readString(ready) : "not running (no " + ready + ")\n");
                if (Files.exists(ready)) {
                    System.out.println(jobs.overview());
                }
            }
            case "jobs" -> System.out.println(jobs.overview());
            case "submit" -> {
                List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
                Integer parallelism = null;
                String savepoint = null;
                List<String> jobArgs = new ArrayList<>();
                for (int i = 0; i < rest.size(); i++) {
                    switch (rest.get(i)) {
                        case "--parallelism" -> {
                            parallelism = Integer.parseInt(rest.get(++i));
                            jobArgs.addAll(List.of("--parallelism", parallelism.toString()));
                        }
                        case "--from-savepoint" -> savepoint = rest.get(++i);
                        default -> jobArgs.add(rest.get(i));
                    }
                }
                Path jar = settings.root().resolve("pipeline/target/cms-pipeline-1.0.0-SNAPSHOT.jar");
                System.out.println(jobs.submit(jar, withClusterAddresses(jobArgs, readyProperties(settings.dir())), savepoint));
            }
            case "stop" -> {
                if (args.length < 2) {
                    throw new IllegalArgumentException("usage: stop JOB_ID");
                }
                System.out.println(jobs.stopWithSavepoint(args[1], settings.savepoints().toUri().toString(), Duration.ofMinutes(5)));
            }
            default -> {
                System.err.println("usage: LocalCluster up|down|status|jobs|submit [--parallelism N] [--from-savepoint PATH] [args]|stop JOB_ID");
                System.exit(2);
            }
        }
    }

    private static void up(ClusterSettings settings) throws InterruptedException {
        LocalCluster cluster = new LocalCluster(settings);
        Path pid = settings.dir().resolve("pids").resolve("supervisor.pid");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping");
            cluster.close();
            deleteQuietly(pid);
            log("stopped");
        }, "local-cluster-shutdown"));
        Servers.write(pid, Long.toString(ProcessHandle.current().pid()));
        cluster.start();
        while (true) {
            Thread.sleep(1000);
            cluster.supervise();
        }
    }

    /**
     * The job's arguments with the running cluster's addresses (kafka.bootstrap, registry.url, cassandra.contact-point,
     * cassandra.keyspace from its ready file) added where {@code args} does not give them: the job's main() runs on the
     * JobManager, whose defaults are the single-node stack's.
     */
    static List<String> withClusterAddresses(List<String> args, Properties ready) {
        List<String> out = new ArrayList<>(args);
        Map<String, String> addresses = new LinkedHashMap<>();
        addresses.put("--kafka.bootstrap", ready.getProperty("kafka.bootstrap"));
        addresses.put("--registry.url", ready.getProperty("registry.url"));
        addresses.put("--cassandra.contact-point", ready.getProperty("cassandra.contact-points"));
        addresses.put("--cassandra.keyspace", ready.getProperty("cassandra.keyspace"));
        addresses.forEach((k, v) -> {
            if (!out.contains(k)) {
                out.addAll(List.of(k, v));
            }
        });
        return out;
    }

    /** Reads a ready file written by {@code up}: the running cluster's addresses. */
    static Properties readyProperties(Path dir) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("ready"), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("no running cluster at " + dir + " (its ready file): start it with infra/bin/cluster up", e);
        }
        return p;
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
