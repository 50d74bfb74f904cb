package cms.infra;

import cms.cassandra.CassandraSchema;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import com.datastax.oss.driver.api.core.CqlSession;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
    /** Cassandra acknowledges writes only once its commit log is synced (see Servers.cassandra). */
    private final boolean syncedCommitlog;

    LocalStack(StackSettings settings) {
        this(settings, false);
    }

    private LocalStack(StackSettings settings, boolean syncedCommitlog) {
        this.settings = settings;
        this.syncedCommitlog = syncedCommitlog;
    }

    public static LocalStack fromEnvironment() {
        return new LocalStack(StackSettings.fromEnvironment());
    }

    /**
     * A stack of its own, in {@code dir} on {@code addresses} (a test that stops and kills servers must not do it to
     * the stack other tests share); heaps and the rest as {@link #fromEnvironment()}. Its Cassandra syncs its commit log
     * before it acknowledges a write, so a SIGKILL loses nothing acknowledged (see Servers.cassandra).
     */
    public static LocalStack at(Path dir, LocalStackAddresses addresses, String kafkaHeap, String cassandraHeap) {
        StackSettings env = StackSettings.fromEnvironment();
        return new LocalStack(new StackSettings(addresses, env.root(), dir.toAbsolutePath().normalize(), kafkaHeap, cassandraHeap,
                env.registryHeap(), env.usagePartitions(), env.readyTimeout(), env.java17Home()), true);
    }

    // --- process control (fault injection) ---------------------------------------------------

    /** The servers of the stack, by the name of their process. */
    public enum Member {
        KAFKA("kafka"), CASSANDRA("cassandra"), REGISTRY("registry");

        final String process;

        Member(String process) {
            this.process = process;
        }
    }

    /** SIGKILL: the server dies at once, as on a crash or an OOM kill (its data stays for {@link #restart}). */
    public void kill(Member member) {
        ProcessHandle.of(server(member).pid()).ifPresent(ProcessHandle::destroyForcibly);
        awaitExit(member);
    }

    /** SIGTERM and the usual grace: an orderly shutdown. */
    public void stop(Member member) {
        server(member).stop(STOP_GRACE);
    }

    /**
     * Starts a stopped or killed server again on its data, on the same ports, and waits until it answers as at the
     * first start. (The registry keeps its schemas in memory, so it comes back without them: to take it away and
     * back with its schemas, {@link #pause} it.)
     */
    public Duration restart(Member member) {
        Instant began = Instant.now();
        ServerProcess server = server(member);
        server.restart();
        Instant deadline = Instant.now().plus(settings.readyTimeout());
        LocalStackAddresses a = settings.addresses();
        switch (member) {
            case KAFKA -> waitUntil(server, deadline, this::kafkaAnswers);
            case CASSANDRA -> waitUntil(server, deadline, this::cassandraAnswers);
            case REGISTRY -> waitUntil(server, deadline, () -> httpOk("http://" + a.host() + ":" + a.registryPort() + "/health/ready")
                    && httpOk(a.registryUrl() + "/subjects"));
        }
        return Duration.between(began, Instant.now());
    }

    /**
     * SIGSTOP: the server hangs; connections are still accepted by the kernel but nothing answers, so clients time
     * out (the harder case of "down"). Its state stays; {@link #resume} continues it.
     */
    public void pause(Member member) {
        signal(member, "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(Member member) {
        signal(member, "CONT");
    }

    private void signal(Member member, String signal) {
        long pid = server(member).pid();
        if (pid < 0) {
            throw new IllegalStateException(member + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the server's process is running. */
    public boolean isAlive(Member member) {
        return server(member).isAlive();
    }

    private ServerProcess server(Member member) {
        return servers.stream().filter(s -> s.name().equals(member.process)).findFirst()
                .orElseThrow(() -> new IllegalStateException(member + " was not started by this stack"));
    }

    private void awaitExit(Member member) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (server(member).isAlive()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(member + " still runs 30 s after SIGKILL");
            }
            sleep(50);
        }
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

    // --- the servers (laid out by Servers) ---------------------------------------------------

    private Servers servers() {
        return new Servers(settings.dir(), settings.serversDir(), settings.java17Home());
    }

    private ServerProcess kafka() {
        LocalStackAddresses a = settings.addresses();
        return servers().kafka(new Servers.KafkaNode("kafka", 1, a.host(), a.kafkaPort(), a.kafkaControllerPort(),
                "1@" + a.host() + ":" + a.kafkaControllerPort(), 1, 1, settings.kafkaHeap()), Servers.newKafkaClusterId());
    }

    private ServerProcess cassandra() {
        LocalStackAddresses a = settings.addresses();
        return servers().cassandra(new Servers.CassandraNode("cassandra", a.host(), a.cassandraPort(), a.cassandraStoragePort(),
                a.host() + ":" + a.cassandraStoragePort(), 1, settings.cassandraHeap(), "512MiB"), syncedCommitlog);
    }

    private ServerProcess registry() {
        LocalStackAddresses a = settings.addresses();
        return servers().registry(a.host(), a.registryPort(), settings.registryHeap());
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
        Servers.write(readyFile(), """
                kafka.bootstrap=%s
                registry.url=%s
                cassandra.contact-point=%s
                cassandra.keyspace=%s
                started.seconds=%.1f
                """.formatted(a.kafkaBootstrap(), a.registryUrl(), a.cassandraContactPoint(), a.keyspace(),
                took.toMillis() / 1000.0));
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
        Servers.write(pid, Long.toString(ProcessHandle.current().pid()));
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
