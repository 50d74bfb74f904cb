package cms.infra;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How each server is laid out and launched from the jars infra/servers lays out: one Kafka node (KRaft,
 * broker and controller in one process), one Cassandra node, the registry. The single-node stack
 * ({@link LocalStack}) runs one of each; the cluster ({@link LocalCluster}) three Kafka and three
 * Cassandra nodes. {@code dir} is the stack's or the cluster's directory (data/, logs/, pids/), and the
 * marker every process carries names it, so that leftovers are recognised and ended.
 */
final class Servers {
    private final Path dir;
    private final Path serversDir;
    private final Path java17Home;

    Servers(Path dir, Path serversDir, Path java17Home) {
        this.dir = dir;
        this.serversDir = serversDir;
        this.java17Home = java17Home;
    }

    Path dir() {
        return dir;
    }

    Path serversDir() {
        return serversDir;
    }

    /**
     * One Kafka node. {@code voters}: the controller quorum (id@host:port,...); {@code replication}: the
     * replication factor of the internal topics (offsets, transaction state) and the topics' default;
     * {@code minIsr}: min.insync.replicas, for the transaction state log too. {@code clusterId} formats an
     * empty log directory (a node restarted on its data keeps it).
     */
    record KafkaNode(String name, int nodeId, String host, int port, int controllerPort, String voters, int replication,
                     int minIsr, String heap) {}

    /**
     * A controller quorum of several nodes (the local cluster's) tolerates a node that stalls for seconds, as one in a
     * long GC pause or on a busy machine does: with Kafka's defaults (a leader is replaced after 2 s without fetches,
     * elections time out after 1 s, a broker is fenced after 9 s without a heartbeat and gives up registering after
     * 60 s) three nodes on the loaded 2-core machine re-elected their leader over and over and two brokers shut down
     * ("unable to register with the controller quorum"). A single node is its own quorum and keeps the defaults.
     */
    static final String QUORUM_TIMEOUTS = """
            controller.quorum.fetch.timeout.ms=10000
            controller.quorum.election.timeout.ms=5000
            broker.session.timeout.ms=18000
            initial.broker.registration.timeout.ms=300000
            """;

    ServerProcess kafka(KafkaNode node, String clusterId) {
        Path home = dir.resolve("data").resolve(node.name());
        Path config = home.resolve("server.properties");
        String lib = requireDir(serversDir.resolve("kafka/target/lib"), "Kafka") + "/*";
        write(config, """
                process.roles=broker,controller
                node.id=%5$d
                controller.quorum.voters=%6$s
                listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
                advertised.listeners=PLAINTEXT://%1$s:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%4$s
                num.partitions=1
                auto.create.topics.enable=false
                default.replication.factor=%7$d
                min.insync.replicas=%8$d
                offsets.topic.replication.factor=%7$d
                offsets.topic.num.partitions=4
                transaction.state.log.replication.factor=%7$d
                transaction.state.log.min.isr=%8$d
                transaction.state.log.num.partitions=4
                share.coordinator.state.topic.replication.factor=%7$d
                share.coordinator.state.topic.min.isr=%8$d
                group.initial.rebalance.delay.ms=0
                log.retention.hours=168
                """.formatted(node.host(), node.port(), node.controllerPort(), home.resolve("log"), node.nodeId(), node.voters(),
                node.replication(), node.minIsr()) + (node.voters().contains(",") ? QUORUM_TIMEOUTS : ""));
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
        List<String> java = List.of(javaBin(Path.of(System.getProperty("java.home"))), marker(node.name()),
                "-Dlog4j2.configurationFile=" + log4j, "-cp", lib);
        // KRaft needs its log directory formatted with the cluster's id once, before the first start.
        if (!Files.exists(home.resolve("log").resolve("meta.properties"))) {
            List<String> format = new ArrayList<>(java);
            format.addAll(List.of("-Xmx256m", "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
            ServerProcess.runToCompletion("Kafka storage format of " + node.name(), format, home,
                    dir.resolve("logs/" + node.name() + "-format.log"), Duration.ofSeconds(180));
        }
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("-Xms" + node.heap(), "-Xmx" + node.heap(), "-XX:+UseG1GC",
                "-Djava.net.preferIPv4Stack=true", "kafka.Kafka", config.toString()));
        return new ServerProcess(node.name(), cmd, home, dir.resolve("logs"), dir.resolve("pids"));
    }

    static String newKafkaClusterId() {
        return Uuid.randomUuid().toString();
    }

    /**
     * One Cassandra node. {@code seeds}: host:storagePort,...; {@code replicationHint}: the replication factor
     * its tokens are allocated for (0: random tokens); {@code offHeapMemtables}: memtable_offheap_space.
     */
    record CassandraNode(String name, String host, int cqlPort, int storagePort, String seeds, int replicationHint,
                         String heap, String offHeapMemtables) {}

    ServerProcess cassandra(CassandraNode node) {
        return cassandra(node, false);
    }

    /**
     * {@code syncedCommitlog}: acknowledge a write only once its commit log is on disk (group commit, a sync at most
     * every 20 ms). Cassandra's default (periodic, every 10 s here) acknowledges before: a node killed with SIGKILL comes
     * back without the writes of the last period, because replay stops at the last sync marker (CassandraOutageIT lost
     * the last 4 of 400 acknowledged rows so). A replicated keyspace written at quorum survives one node so; a single
     * node that is to be killed in a test and lose nothing needs this.
     */
    ServerProcess cassandra(CassandraNode node, boolean syncedCommitlog) {
        Path home = dir.resolve("data").resolve(node.name());
        Path libDir = requireDir(serversDir.resolve("cassandra/target/lib"), "Cassandra");
        Path jamm = firstJar(libDir, "jamm-");
        Path yaml = home.resolve("cassandra.yaml");
        write(yaml, """
                cluster_name: cms-local
                num_tokens: 16
                %5$s
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "%6$s"
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
                %8$s
                concurrent_compactors: 1
                # the roll-up sink sends a family's rows as one single-partition batch of up to cassandra.batch-size rows
                # (about 200 B each); the default 5 KiB warning would be logged, and sent to the client, for most of them
                batch_size_warn_threshold: 64KiB
                # The roll-ups rewrite the same rows every few seconds: trie memtables with their data off heap hold them
                # in less heap (flushes and compactions took a third of Cassandra's CPU in the benchmark, see BENCHMARKS.md).
                memtable_allocation_type: offheap_objects
                memtable_heap_space: 128MiB
                memtable_offheap_space: %7$s
                memtable:
                  configurations:
                    default:
                      class_name: TrieMemtable
                disk_failure_policy: stop
                # a replica on a machine shared with other servers may take seconds to acknowledge: the coordinator waits
                # up to 8 s (the default 2 s failed quorum writes of the cluster under a load average of 50; the job's
                # driver gives up at 10 s)
                write_request_timeout: 8000ms
                read_request_timeout: 8000ms
                """.formatted(node.host(), node.storagePort(), node.cqlPort(), home,
                // nodes of a new cluster starting at once, each allocating for an empty ring, could pick the same
                // tokens: they take random ones (0) instead
                node.replicationHint() > 0 ? "allocate_tokens_for_local_replication_factor: " + node.replicationHint() : "",
                node.seeds(),
                node.offHeapMemtables(),
                syncedCommitlog ? "commitlog_sync: group\ncommitlog_sync_group_window: 20ms" : "commitlog_sync: periodic\ncommitlog_sync_period: 10000ms"));
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
        cmd.add(javaBin(java17Home));
        cmd.add(marker(node.name()));
        cmd.addAll(List.of("-Xms" + node.heap(), "-Xmx" + node.heap(), "-Xss256k",
                "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1", "-XX:G1HeapRegionSize=16m",
                "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + home,
                "-javaagent:" + jamm,
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.storagedir=" + home,
                "-Dlogback.configurationFile=" + logback,
                "-Dcassandra.logdir=" + dir.resolve("logs"),
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                // the ring delay is also how long gossip keeps a node that has not announced its tokens yet (a "FatClient")
                // while it is silent: at 1 s, nodes of the starting cluster paused 25-41 s by the loaded machine were removed
                // from each other's gossip and re-added over and over, and missed the keyspace's schema change for minutes
                // ("did not agree on the schema within 120 s"). A single node has no peers to lose and keeps the short one.
                "-Dcassandra.ring_delay_ms=" + (node.seeds().contains(",") ? 30_000 : 1000),
                "-Dcassandra.superuser_setup_delay_ms=0",
                // the nodes of a new cluster join at once (nothing to stream): no waiting for each other's token moves
                "-Dcassandra.consistent.rangemovement=false",
                "-Djava.net.preferIPv4Stack=true",
                "-Dio.netty.tryReflectionSetAccessible=true"));
        cmd.addAll(CASSANDRA_JPMS);
        cmd.addAll(List.of("-cp", libDir + "/*", "org.apache.cassandra.service.CassandraDaemon"));
        return new ServerProcess(node.name(), cmd, home, dir.resolve("logs"), dir.resolve("pids"));
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

    ServerProcess registry(String host, int port, String heap) {
        Path home = dir.resolve("data").resolve("registry");
        Path runner = firstJar(requireDir(serversDir.resolve("registry/target"), "Apicurio Registry"), "registry-server-");
        if (!runner.getFileName().toString().endsWith("-runner.jar")) {
            runner = runner.resolveSibling(runner.getFileName().toString().replace(".jar", "-runner.jar"));
        }
        if (!Files.exists(runner)) {
            throw new IllegalStateException("Apicurio Registry is not built (" + runner + "); run: mvn -f infra/servers/pom.xml package");
        }
        List<String> cmd = List.of(javaBin(Path.of(System.getProperty("java.home"))), marker("registry"),
                "-Xms" + heap, "-Xmx" + heap,
                "-Dquarkus.http.host=" + host, "-Dquarkus.http.port=" + port,
                "-Djava.net.preferIPv4Stack=true", "-jar", runner.toString());
        return new ServerProcess("registry", cmd, home, dir.resolve("logs"), dir.resolve("pids"));
    }

    /**
     * One ZooKeeper server, standalone, on {@code host} only (Flink's high-availability services: leader election, job
     * graphs, completed checkpoints). Its admin HTTP server (port 8080 by default) is off; "srvr" answers readiness.
     */
    ServerProcess zookeeper(String host, int port) {
        Path home = dir.resolve("data").resolve("zookeeper");
        String lib = requireDir(serversDir.resolve("zookeeper/target/lib"), "ZooKeeper") + "/*";
        Path config = home.resolve("zoo.cfg");
        write(config, """
                tickTime=2000
                initLimit=10
                syncLimit=5
                dataDir=%s
                clientPort=%d
                clientPortAddress=%s
                maxClientCnxns=0
                admin.enableServer=false
                4lw.commands.whitelist=ruok,srvr,stat
                # a session lives up to 60 s (Flink asks for its own high-availability.zookeeper.client.session-timeout)
                maxSessionTimeout=60000
                """.formatted(home.resolve("data"), port, host));
        Path logback = home.resolve("logback.xml");
        write(logback, """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%date{ISO8601} %-5level [%thread] %logger{1} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="out"/></root>
                </configuration>
                """);
        List<String> cmd = List.of(javaBin(Path.of(System.getProperty("java.home"))), marker("zookeeper"), "-Xms64m", "-Xmx128m",
                "-Dlogback.configurationFile=" + logback, "-Dzookeeper.admin.enableServer=false", "-Djava.net.preferIPv4Stack=true",
                "-cp", lib, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config.toString());
        return new ServerProcess("zookeeper", cmd, home, dir.resolve("logs"), dir.resolve("pids"));
    }

    String marker(String server) {
        return ServerProcess.MARKER_PROPERTY + dir + "#" + server;
    }

    static String javaBin(Path javaHome) {
        Path bin = javaHome.resolve("bin").resolve("java");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no java at " + bin + " (Cassandra 5.0 needs Java 17: set CMS_JAVA17_HOME)");
        }
        return bin.toString();
    }

    static Path requireDir(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(what + " is not laid out at " + dir + "; run: mvn -f infra/servers/pom.xml package");
        }
        return dir;
    }

    static Path firstJar(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jar"))
                    .min(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
