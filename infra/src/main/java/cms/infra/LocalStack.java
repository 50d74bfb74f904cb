package cms.infra;

import cms.cassandra.CassandraSchema;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import com.datastax.oss.driver.api.core.CqlSession;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Starts Apache Kafka (KRaft, one process), Apache Cassandra (one node) and Apicurio Registry (the
 * Confluent API) as local processes on 127.0.0.1, from the jars infra/servers lays out; waits until
 * each really answers; creates the topics, the keyspace and the tables; and stops all of it.
 * Each start begins from empty data. Leftovers of a run that was killed are ended first.
 *
 * <p>Command line: {@code up} (start, then keep running until interrupted), {@code down} (end a
 * stack started by another process), {@code status}.
 */
public final class LocalStack implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final StackSettings settings;
    private final List<ServerProcess> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

    LocalStack(StackSettings settings) {
        this.settings = settings;
    }

    public static LocalStack fromEnvironment() {
        return new LocalStack(StackSettings.fromEnvironment());
    }

    public LocalStackAddresses addresses() {
        return settings.addresses();
    }

    /** Starts the three servers, waits for them, provisions topics and tables. */
    public LocalStack start() {
        Instant began = Instant.now();
        Path dir = settings.dir();
        endLeftovers();
        requirePortsFree();
        wipe(dir.resolve("data"));
        deleteQuietly(readyFile());

        try {
            // Cassandra is the slowest to come up: start it first, Kafka last (its storage format runs first).
            ServerProcess cassandra = launch(cassandra());
            ServerProcess registry = launch(registry());
            ServerProcess kafka = launch(kafka());
            LocalStackAddresses a = settings.addresses();
            Instant deadline = Instant.now().plus(settings.readyTimeout());
            waitUntil(kafka, deadline, this::kafkaAnswers);
            waitUntil(registry, deadline, () -> httpOk("http://" + a.host() + ":" + a.registryPort() + "/health/ready")
                    && httpOk(a.registryUrl() + "/subjects"));
            waitUntil(cassandra, deadline, this::cassandraAnswers);
            provision();
            Duration took = Duration.between(began, Instant.now());
            writeReadyFile(took);
            log("ready in %.1f s: kafka %s, registry %s, cassandra %s (keyspace %s); logs in %s",
                    took.toMillis() / 1000.0, a.kafkaBootstrap(), a.registryUrl(), a.cassandraContactPoint(), a.keyspace(),
                    dir.resolve("logs"));
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServerProcess launch(ServerProcess server) {
        servers.add(server);
        server.start();
        return server;
    }

    /** Stops every server this instance started (SIGTERM, then SIGKILL after a grace period). */
    @Override
    public void close() {
        deleteQuietly(readyFile());
        List<ServerProcess> reversed = new ArrayList<>(servers);
        java.util.Collections.reverse(reversed);
        reversed.parallelStream().forEach(s -> s.stop(STOP_GRACE));
        servers.clear();
    }

    /** Every server still running; the first one found dead fails with its log. */
    public void requireAllAlive() {
        servers.forEach(ServerProcess::requireAlive);
    }

    Path readyFile() {
        return settings.dir().resolve("ready");
    }

    // --- the servers -------------------------------------------------------------------------

    private ServerProcess kafka() {
        LocalStackAddresses a = settings.addresses();
        Path home = settings.dir().resolve("data").resolve("kafka");
        Path config = home.resolve("server.properties");
        String lib = requireDir(settings.serversDir().resolve("kafka/target/lib"), "Kafka") + "/*";
        write(config, """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@%1$s:%3$d
                listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
                advertised.listeners=PLAINTEXT://%1$s:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%4$s
                num.partitions=1
                auto.create.topics.enable=false
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=4
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                transaction.state.log.num.partitions=4
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                log.retention.hours=168
                """.formatted(a.host(), a.kafkaPort(), a.kafkaControllerPort(), home.resolve("log")));
        Path log4j = home.resolve("log4j2.xml");
        write(log4j, """
                <?xml version="1.0" encoding="UTF-8"?>
                <Configuration status="WARN">
                  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
                  <Loggers>
                    <Logger name="kafka.coordinator" level="WARN"/>
                    <Logger name="org.apache.kafka.coordinator" level="WARN"/>
                    <Logger name="kafka.log" level="WARN"/>
                    <Logger name="org.apache.kafka.storage" level="WARN"/>
                    <Root level="INFO"><AppenderRef ref="out"/></Root>
                  </Loggers>
                </Configuration>
                """);
        List<String> java = List.of(javaBin(Path.of(System.getProperty("java.home"))), marker("kafka"),
                "-Dlog4j2.configurationFile=" + log4j, "-cp", lib);
        // KRaft needs its log directory formatted with a cluster id once, before the first start.
        List<String> format = new ArrayList<>(java);
        format.addAll(List.of("-Xmx256m", "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()));
        ServerProcess.runToCompletion("Kafka storage format", format, home, settings.dir().resolve("logs/kafka-format.log"),
                Duration.ofSeconds(60));

        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("-Xms" + settings.kafkaHeap(), "-Xmx" + settings.kafkaHeap(), "-XX:+UseG1GC",
                "-Djava.net.preferIPv4Stack=true", "kafka.Kafka", config.toString()));
        return new ServerProcess("kafka", cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"));
    }

    private ServerProcess cassandra() {
        LocalStackAddresses a = settings.addresses();
        Path home = settings.dir().resolve("data").resolve("cassandra");
        Path libDir = requireDir(settings.serversDir().resolve("cassandra/target/lib"), "Cassandra");
        Path jamm = firstJar(libDir, "jamm-");
        Path yaml = home.resolve("cassandra.yaml");
        write(yaml, """
                cluster_name: cms-local
                num_tokens: 16
                allocate_tokens_for_local_replication_factor: 1
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "%1$s:%2$d"
                listen_address: %1$s
                rpc_address: %1$s
                storage_port: %2$d
                native_transport_port: %3$d
                start_native_transport: true
                data_file_directories:
                  - %4$s/data
                commitlog_directory: %4$s/commitlog
                saved_caches_directory: %4$s/saved_caches
                hints_directory: %4$s/hints
                cdc_raw_directory: %4$s/cdc_raw
                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                concurrent_compactors: 1
                # The roll-ups rewrite the same rows every few seconds: trie memtables with their data off heap hold them
                # in less heap (flushes and compactions took a third of Cassandra's CPU in the benchmark, see BENCHMARKS.md).
                memtable_allocation_type: offheap_objects
                memtable_heap_space: 128MiB
                memtable_offheap_space: 512MiB
                memtable:
                  configurations:
                    default:
                      class_name: TrieMemtable
                disk_failure_policy: stop
                """.formatted(a.host(), a.cassandraStoragePort(), a.cassandraPort(), home));
        Path logback = home.resolve("logback.xml");
        write(logback, """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="out"/></root>
                </configuration>
                """);
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin(settings.java17Home()));
        cmd.add(marker("cassandra"));
        cmd.addAll(List.of("-Xms" + settings.cassandraHeap(), "-Xmx" + settings.cassandraHeap(), "-Xss256k",
                "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1", "-XX:G1HeapRegionSize=16m",
                "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + home,
                "-javaagent:" + jamm,
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.storagedir=" + home,
                "-Dlogback.configurationFile=" + logback,
                "-Dcassandra.logdir=" + settings.dir().resolve("logs"),
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=1000",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-Djava.net.preferIPv4Stack=true",
                "-Dio.netty.tryReflectionSetAccessible=true"));
        cmd.addAll(CASSANDRA_JPMS);
        cmd.addAll(List.of("-cp", libDir + "/*", "org.apache.cassandra.service.CassandraDaemon"));
        return new ServerProcess("cassandra", cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"));
    }

    /** The JPMS block of Cassandra 5.0's conf/jvm17-server.options. */
    private static final List<String> CASSANDRA_JPMS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");

    private ServerProcess registry() {
        LocalStackAddresses a = settings.addresses();
        Path home = settings.dir().resolve("data").resolve("registry");
        Path runner = firstJar(requireDir(settings.serversDir().resolve("registry/target"), "Apicurio Registry"), "registry-server-");
        if (!runner.getFileName().toString().endsWith("-runner.jar")) {
            runner = runner.resolveSibling(runner.getFileName().toString().replace(".jar", "-runner.jar"));
        }
        if (!Files.exists(runner)) {
            throw new IllegalStateException("Apicurio Registry is not built (" + runner + "); run: mvn -f infra/servers/pom.xml package");
        }
        List<String> cmd = List.of(javaBin(Path.of(System.getProperty("java.home"))), marker("registry"),
                "-Xms" + settings.registryHeap(), "-Xmx" + settings.registryHeap(),
                "-Dquarkus.http.host=" + a.host(), "-Dquarkus.http.port=" + a.registryPort(),
                "-Djava.net.preferIPv4Stack=true", "-jar", runner.toString());
        return new ServerProcess("registry", cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"));
    }

    // --- readiness and provisioning ----------------------------------------------------------

    private boolean kafkaAnswers() {
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception notYet) {
            return false;
        }
    }

    private boolean cassandraAnswers() {
        if (!portOpen(settings.addresses().cassandraPort())) {
            return false;
        }
        try (CqlSession session = cql()) {
            return session.execute("SELECT release_version FROM system.local").one() != null;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private void provision() {
        try (Admin admin = admin()) {
            List<NewTopic> topics = Topics.all(settings.usagePartitions()).stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.config()))
                    .toList();
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
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
            CassandraSchema.apply(session, settings.addresses().keyspace(), 1);
        }
        // Our schemas are registered here, one at a time, as a deployment would: Apicurio 2.4's in-memory
        // store deadlocks on its id sequence when several clients register their first schemas at once.
        // The registry then checks new versions of the usage subject for backward compatibility.
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(settings.addresses().registryUrl()));
        for (Topics.Spec topic : Topics.all(settings.usagePartitions())) {
            registry.register(Topics.valueSubject(topic.name()), topic.valueSchema());
        }
        registry.setCompatibility(Topics.valueSubject(Topics.USAGE), "BACKWARD");
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.addresses().kafkaBootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    private CqlSession cql() {
        LocalStackAddresses a = settings.addresses();
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(a.host(), a.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                .build();
    }

    private void waitUntil(ServerProcess server, Instant deadline, Supplier<Boolean> answers) {
        while (true) {
            server.requireAlive();
            if (answers.get()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(server.name() + " did not answer within " + settings.readyTimeout()
                        + "; last lines of " + server.log() + ":\n" + server.tail(40));
            }
            sleep(250);
        }
    }

    private static boolean httpOk(String url) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(settings.addresses().host(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // --- housekeeping ------------------------------------------------------------------------

    private void endLeftovers() {
        List<String> ended = ServerProcess.endLeftovers(settings.dir().resolve("pids"), settings.dir().toString(), STOP_GRACE);
        if (!ended.isEmpty()) {
            log("ended leftovers of an earlier run: %s", String.join(", ", ended));
        }
    }

    private void requirePortsFree() {
        LocalStackAddresses a = settings.addresses();
        Map<String, Integer> ports = Map.of(
                "CMS_KAFKA_PORT", a.kafkaPort(), "CMS_KAFKA_CONTROLLER_PORT", a.kafkaControllerPort(),
                "CMS_CASSANDRA_PORT", a.cassandraPort(), "CMS_CASSANDRA_STORAGE_PORT", a.cassandraStoragePort(),
                "CMS_REGISTRY_PORT", a.registryPort());
        Instant deadline = Instant.now().plusSeconds(10); // a just-ended server may hold its port a moment
        for (var e : ports.entrySet()) {
            while (!bindable(a.host(), e.getValue())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("port " + e.getValue() + " on " + a.host() + " is in use by a process"
                            + " this stack did not start; stop it or choose another port with " + e.getKey());
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
        LocalStackAddresses a = settings.addresses();
        write(readyFile(), """
                kafka.bootstrap=%s
                registry.url=%s
                cassandra.contact-point=%s
                cassandra.keyspace=%s
                started.seconds=%.1f
                """.formatted(a.kafkaBootstrap(), a.registryUrl(), a.cassandraContactPoint(), a.keyspace(),
                took.toMillis() / 1000.0));
    }

    private String marker(String server) {
        return ServerProcess.MARKER_PROPERTY + settings.dir() + "#" + server;
    }

    private static String javaBin(Path javaHome) {
        Path bin = javaHome.resolve("bin").resolve("java");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no java at " + bin + " (Cassandra 5.0 needs Java 17: set CMS_JAVA17_HOME)");
        }
        return bin.toString();
    }

    private static Path requireDir(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(what + " is not laid out at " + dir + "; run: mvn -f infra/servers/pom.xml package");
        }
        return dir;
    }

    private static Path firstJar(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jar"))
                    .min(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(LocalStack::deleteQuietly);
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
        System.out.println("[local-stack] " + String.format(format, args));
        System.out.flush();
    }

    // --- command line ------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        StackSettings settings = StackSettings.fromEnvironment();
        switch (command) {
            case "up" -> up(settings);
            case "down" -> {
                List<String> ended = ServerProcess.endLeftovers(settings.dir().resolve("pids"), settings.dir().toString(), STOP_GRACE);
                deleteQuietly(settings.dir().resolve("ready"));
                log(ended.isEmpty() ? "nothing was running" : "ended " + String.join(", ", ended));
            }
            case "status" -> {
                Path ready = settings.dir().resolve("ready");
                System.out.println(Files.exists(ready) ? Files.readString(ready) : "not running (no " + ready + ")");
            }
            default -> {
                System.err.println("usage: LocalStack up|down|status");
                System.exit(2);
            }
        }
    }

    private static void up(StackSettings settings) throws InterruptedException {
        LocalStack stack = new LocalStack(settings);
        // The supervisor itself is recorded too, so `down` (or the next `up`) can end it.
        Path pid = settings.dir().resolve("pids").resolve("supervisor.pid");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping");
            stack.close();
            deleteQuietly(pid);
            log("stopped");
        }, "local-stack-shutdown"));
        write(pid, Long.toString(ProcessHandle.current().pid()));
        stack.start();
        while (true) {
            Thread.sleep(1000);
            try {
                stack.requireAllAlive();
            } catch (IllegalStateException died) {
                log("a server died: %s", died.getMessage());
                System.exit(1);
            }
        }
    }
}
