package cms.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes of a Flink standalone session cluster, launched as Flink's own scripts would
 * (bin/jobmanager.sh, bin/taskmanager.sh): the same main classes, a conf/config.yaml, and the JVM
 * memory flags Flink's BashJavaUtils derives from it. lib/ is the jars infra/servers/flink lays out.
 */
final class FlinkCluster {
    /** What Flink's default config.yaml passes every JVM on Java 17 (env.java.default-opts.all). */
    private static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /**
     * Flink 2.2 writes its pekko.startup-timeout to Pekko's pekko.remote.startup-timeout, which the classic remoting
     * Flink runs on does not read: that one reads pekko.remote.classic.startup-timeout and keeps its 10 s default, and a
     * JobManager on the loaded machine failed with "Could not create actor system ... Futures timed out after [10000
     * milliseconds]". A system property overrides a Pekko default (its configuration falls back to reference.conf with
     * system properties over it); on a real cluster the same goes into env.java.opts.all.
     */
    static final String CLASSIC_REMOTING_STARTUP_TIMEOUT = "-Dpekko.remote.classic.startup-timeout=60s";

    private final ClusterSettings settings;
    private final Servers servers;
    private final Path home;
    private final Path conf;
    private final String lib;

    FlinkCluster(ClusterSettings settings, Servers servers) {
        this.settings = settings;
        this.servers = servers;
        this.home = settings.dir().resolve("flink");
        this.conf = home.resolve("conf");
        this.lib = Servers.requireDir(settings.serversDir().resolve("flink/target/lib"), "Flink") + "/*";
        writeConfiguration();
    }

    private void writeConfiguration() {
        int rpc = settings.flinkRpcPort();
        Servers.write(conf.resolve("config.yaml"), """
                jobmanager.rpc.address: %1$s
                jobmanager.rpc.port: %2$d
                jobmanager.bind-host: %1$s
                blob.server.port: %3$d
                rest.address: %1$s
                rest.bind-address: %1$s
                rest.port: %4$d
                taskmanager.host: %1$s
                taskmanager.bind-host: %1$s
                taskmanager.numberOfTaskSlots: %5$d
                metrics.internal.query-service.port: %6$d-%7$d
                # small processes: several engineers' servers share 2 cores and 24 GB
                jobmanager.memory.heap.size: 320m
                jobmanager.memory.off-heap.size: 64m
                jobmanager.memory.jvm-metaspace.size: 160m
                jobmanager.memory.jvm-overhead.min: 64m
                jobmanager.memory.jvm-overhead.max: 64m
                taskmanager.memory.framework.heap.size: 64m
                taskmanager.memory.task.heap.size: %8$s
                taskmanager.memory.managed.size: 64m
                taskmanager.memory.network.min: 32m
                taskmanager.memory.network.max: 32m
                taskmanager.memory.framework.off-heap.size: 64m
                taskmanager.memory.task.off-heap.size: 64m
                # every job submitted loads its jar's classes anew, and a finished job's class loader is not always freed: the
                # fourth job on a task manager ran out of 160m ("OutOfMemoryError: Metaspace", then "Could not initialize
                # class" on every restart)
                taskmanager.memory.jvm-metaspace.size: 320m
                taskmanager.memory.jvm-overhead.min: 96m
                taskmanager.memory.jvm-overhead.max: 96m
                # one directory every process shares, as a distributed file system would be on a real cluster
                execution.checkpointing.dir: %9$s
                execution.checkpointing.savepoint-dir: %10$s
                state.changelog.dstl.dfs.base-path: %11$s
                execution.checkpointing.num-retained: 2
                web.upload.dir: %12$s
                io.tmp.dirs: %13$s
                # generous timeouts: on a shared 2-core machine a JVM can stall for seconds (the defaults, 10 s to start
                # the RPC system, failed a JobManager under a load average of 50)
                pekko.startup-timeout: 60 s
                pekko.ask.timeout: 60 s
                pekko.tcp.timeout: 60 s
                # a TaskManager or JobManager silent this long is lost and its tasks restarted elsewhere (a process that died
                # is noticed sooner: its heartbeat RPCs fail); CMS_CLUSTER_HEARTBEAT_TIMEOUT, the cluster test's is short
                heartbeat.timeout: %14$d
                heartbeat.interval: %15$d
                web.timeout: 300000
                # high availability: the leading JobManager is elected in ZooKeeper, which also points to each job's graph
                # and completed checkpoints (in storageDir, the shared directory): a JobManager that died and was restarted
                # recovers the running jobs from their latest checkpoint. Its RPC port stays fixed (the HA default is random).
                high-availability.type: zookeeper
                high-availability.zookeeper.quorum: %16$s
                high-availability.storageDir: %17$s
                high-availability.cluster-id: /cms-local
                high-availability.jobmanager.port: %2$d
                # a killed JobManager's leadership ends when its ZooKeeper session expires: the restarted one waits that long
                high-availability.zookeeper.client.session-timeout: 20 s
                """.formatted(settings.host(), rpc, rpc + 1, settings.flinkRestPort(), settings.taskSlots(), rpc + 300, rpc + 320,
                settings.taskHeap(), settings.checkpoints().toUri(), settings.savepoints().toUri(),
                home.resolve("changelog").toUri(), home.resolve("uploads"), home.resolve("tmp"),
                settings.heartbeatTimeout().toMillis(), Math.max(1000, Math.min(10_000, settings.heartbeatTimeout().toMillis() / 5)),
                settings.zookeeperQuorum(), settings.haStorage().toUri()));
        Servers.write(conf.resolve("log4j.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n
                logger.kafka.name = org.apache.kafka
                logger.kafka.level = WARN
                logger.driver.name = com.datastax.oss.driver
                logger.driver.level = WARN
                """);
        try {
            Files.createDirectories(home.resolve("uploads"));
            Files.createDirectories(home.resolve("tmp"));
            Files.createDirectories(settings.checkpoints());
            Files.createDirectories(settings.savepoints());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ServerProcess jobManager() {
        Launch launch = launch("flink-jobmanager", "GET_JM_RESOURCE_PARAMS", List.of());
        List<String> cmd = new ArrayList<>(launch.jvm());
        cmd.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        cmd.addAll(List.of("--configDir", conf.toString()));
        cmd.addAll(launch.dynamicProperties());
        return new ServerProcess("flink-jobmanager", cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"));
    }

    ServerProcess taskManager(int i) {
        int rpc = settings.flinkRpcPort();
        List<String> own = List.of("-D", "taskmanager.rpc.port=" + (rpc + 100 + i), "-D", "taskmanager.data.port=" + (rpc + 200 + i),
                "-D", "taskmanager.resource-id=tm-" + i);
        String name = "flink-taskmanager-" + i;
        Launch launch = launch(name, "GET_TM_RESOURCE_PARAMS", own);
        List<String> cmd = new ArrayList<>(launch.jvm());
        cmd.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        cmd.addAll(List.of("--configDir", conf.toString()));
        cmd.addAll(launch.dynamicProperties());
        cmd.addAll(own);
        return new ServerProcess(name, cmd, home, settings.dir().resolve("logs"), settings.dir().resolve("pids"));
    }

    /** A process's java command up to its main class, and the dynamic properties (-D key=value) BashJavaUtils derived. */
    private record Launch(List<String> jvm, List<String> dynamicProperties) {}

    private Launch launch(String name, String resourceCommand, List<String> own) {
        List<String> derived = bashJavaUtils(resourceCommand, own);
        List<String> cmd = new ArrayList<>(List.of(Servers.javaBin(Path.of(System.getProperty("java.home"))), servers.marker(name)));
        cmd.addAll(Arrays.asList(derived.get(0).strip().split("\\s+")));
        cmd.addAll(JAVA_17_OPTS);
        cmd.addAll(List.of("-Djava.net.preferIPv4Stack=true", CLASSIC_REMOTING_STARTUP_TIMEOUT,
                "-Dlog.file=" + settings.dir().resolve("logs").resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                "-cp", lib));
        return new Launch(cmd, derived.size() > 1 && !derived.get(1).isBlank()
                ? Arrays.asList(derived.get(1).strip().split("\\s+")) : List.of());
    }

    /** What Flink's scripts ask BashJavaUtils: the JVM flags (first line) and dynamic properties (second) of a process. */
    private List<String> bashJavaUtils(String command, List<String> own) {
        List<String> cmd = new ArrayList<>(List.of(Servers.javaBin(Path.of(System.getProperty("java.home"))), "-Xmx128m",
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(), "-cp", lib,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", conf.toString()));
        cmd.addAll(own);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("Flink's BashJavaUtils " + command + " failed:\n" + out);
            }
            String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
            List<String> results = out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
            if (results.isEmpty()) {
                throw new IllegalStateException("Flink's BashJavaUtils " + command + " printed no result:\n" + out);
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How many task managers have registered with the JobManager (its REST API), or -1. */
    int taskManagersRegistered() {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(settings.flinkUrl() + "/taskmanagers")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? LocalCluster.json(r.body()).path("taskmanagers").size() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
