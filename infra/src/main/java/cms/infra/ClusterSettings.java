package cms.infra;

import cms.stack.LocalStackAddresses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Everything the local cluster ({@link LocalCluster}) can be told. Environment variables (a system
 * property of the same name in lower case with dots, e.g. cms.cluster.dir, wins). Every default port lies
 * below 32768, outside Linux's ephemeral range (32768-60999, net.ipv4.ip_local_port_range), where the
 * kernel hands out the local ports of outgoing connections: a listener there can find its port taken
 * by any client's connection (the earlier 44000-49999 defaults collided twice).
 *
 * <pre>
 *   CMS_CLUSTER_DIR              &lt;root&gt;/.cluster                logs, data, pid files, checkpoints, savepoints
 *   CMS_CLUSTER_KAFKA_PORT       29092      broker i (0..2) listens on this + 100 i, its controller on this + 1 + 100 i
 *   CMS_CLUSTER_CASSANDRA_PORT   29042      CQL of the three nodes, on 127.0.0.1, 127.0.0.2, 127.0.0.3
 *   CMS_CLUSTER_CASSANDRA_STORAGE_PORT 27000  their gossip
 *   CMS_CLUSTER_REGISTRY_PORT    28085
 *   CMS_CLUSTER_FLINK_PORT       28081      the JobManager's REST API and web UI
 *   CMS_CLUSTER_FLINK_RPC_PORT   26123      JobManager RPC; blob server + 1; task manager i RPC + 100 + i, data + 200 + i;
 *                                           metric queries + 300 .. + 320
 *   CMS_CLUSTER_API_PORT         28080      the API (admin: CMS_CLUSTER_API_ADMIN_PORT, 28091)
 *   CMS_CLUSTER_ZOOKEEPER_PORT   22181      ZooKeeper, Flink's high-availability services (leader election, job graphs, checkpoints)
 *   CMS_CLUSTER_HEARTBEAT_TIMEOUT 60        seconds: Flink's heartbeat.timeout (a TaskManager or JobManager silent that long is lost)
 *   CMS_CLUSTER_KAFKA_HEAP       320m
 *   CMS_CLUSTER_CASSANDRA_HEAP   512m
 *   CMS_CLUSTER_TASK_HEAP        256m       a task manager's task heap (its process: 704m more, 960m in all)
 *   CMS_CLUSTER_TASK_SLOTS       2          slots per task manager (2 task managers)
 *   CMS_CLUSTER_RESTART_DELAY    10         seconds before the supervisor restarts a member that died
 *   CMS_USAGE_PARTITIONS         4          partitions of the usage topics
 *   CMS_KEYSPACE                 cms
 * </pre>
 */
record ClusterSettings(
        Path root,
        Path dir,
        String host,
        List<Integer> kafkaPorts,
        List<String> cassandraHosts,
        int cassandraPort,
        int cassandraStoragePort,
        int registryPort,
        int flinkRestPort,
        int flinkRpcPort,
        int apiPort,
        int apiAdminPort,
        int zookeeperPort,
        Duration heartbeatTimeout,
        String kafkaHeap,
        String cassandraHeap,
        String taskHeap,
        int taskSlots,
        Duration restartDelay,
        int usagePartitions,
        String keyspace,
        Duration readyTimeout,
        Path java17Home) {

    static final int NODES = 3;
    static final int TASK_MANAGERS = 2;
    /** Replication factor of every topic and of the keyspace; min.insync.replicas of the topics. */
    static final int REPLICATION = 3;
    static final int MIN_IN_SYNC = 2;

    static ClusterSettings fromEnvironment() {
        Path root = LocalStackAddresses.projectRoot();
        String dir = value("CMS_CLUSTER_DIR", null);
        int kafka = integer("CMS_CLUSTER_KAFKA_PORT", 29092);
        StackSettings stack = StackSettings.fromEnvironment();
        return new ClusterSettings(
                root,
                dir == null ? root.resolve(".cluster") : Path.of(dir).toAbsolutePath().normalize(),
                LocalStackAddresses.HOST,
                IntStream.range(0, NODES).mapToObj(i -> kafka + 100 * i).toList(),
                List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"),
                integer("CMS_CLUSTER_CASSANDRA_PORT", 29042),
                integer("CMS_CLUSTER_CASSANDRA_STORAGE_PORT", 27000),
                integer("CMS_CLUSTER_REGISTRY_PORT", 28085),
                integer("CMS_CLUSTER_FLINK_PORT", 28081),
                integer("CMS_CLUSTER_FLINK_RPC_PORT", 26123),
                integer("CMS_CLUSTER_API_PORT", 28080),
                integer("CMS_CLUSTER_API_ADMIN_PORT", 28091),
                integer("CMS_CLUSTER_ZOOKEEPER_PORT", 22181),
                Duration.ofSeconds(integer("CMS_CLUSTER_HEARTBEAT_TIMEOUT", 60)),
                value("CMS_CLUSTER_KAFKA_HEAP", "320m"),
                value("CMS_CLUSTER_CASSANDRA_HEAP", "512m"),
                value("CMS_CLUSTER_TASK_HEAP", "256m"),
                integer("CMS_CLUSTER_TASK_SLOTS", 2),
                Duration.ofSeconds(integer("CMS_CLUSTER_RESTART_DELAY", 10)),
                stack.usagePartitions(),
                stack.addresses().keyspace(),
                Duration.ofSeconds(Math.max(300, stack.readyTimeout().toSeconds())),
                stack.java17Home());
    }

    String kafkaBootstrap() {
        return String.join(",", kafkaPorts.stream().map(p -> host + ":" + p).toList());
    }

    String cassandraContactPoints() {
        return String.join(",", cassandraHosts.stream().map(h -> h + ":" + cassandraPort).toList());
    }

    String registryUrl() {
        return "http://" + host + ":" + registryPort + LocalStackAddresses.REGISTRY_CONFLUENT_PATH;
    }

    String flinkUrl() {
        return "http://" + host + ":" + flinkRestPort;
    }

    String apiUrl() {
        return "http://" + host + ":" + apiPort;
    }

    Path serversDir() {
        return root.resolve("infra").resolve("servers");
    }

    Path checkpoints() {
        return dir.resolve("flink").resolve("checkpoints");
    }

    /** Flink's high-availability storage (job graphs, jars, checkpoint metadata; ZooKeeper holds pointers to them). */
    Path haStorage() {
        return dir.resolve("flink").resolve("ha");
    }

    String zookeeperQuorum() {
        return host + ":" + zookeeperPort;
    }

    Path savepoints() {
        return dir.resolve("flink").resolve("savepoints");
    }

    private static String value(String env, String dflt) {
        String p = System.getProperty(env.toLowerCase().replace('_', '.'));
        if (p != null && !p.isBlank()) {
            return p.strip();
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? e.strip() : dflt;
    }

    private static int integer(String env, int dflt) {
        String v = value(env, Integer.toString(dflt));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(env + " must be an integer, was '" + v + "'");
        }
    }
}
