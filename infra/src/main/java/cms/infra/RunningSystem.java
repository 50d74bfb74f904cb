package cms.infra;

import cms.stack.LocalStackAddresses;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The product's two processes on a running local stack, started exactly as the run command starts
 * them: the rating job in local mode with Flink's web UI, and the API's shaded jar with
 * api/config.yml. Used by the run command, the journey tests and the benchmark, so all three
 * exercise the same artifacts. Both processes carry the stack's marker, so a later stack start ends
 * them if this JVM dies without closing.
 */
public final class RunningSystem implements AutoCloseable {

    /**
     * Where the processes listen and what the job is told. {@code pipelineArgs} are extra
     * {@code --key value} pairs of the job's configuration (see pipeline/README-PIPELINE.md);
     * {@code environment} is set for both processes on top of this JVM's (e.g. CMS_KEYSPACE, which
     * both follow). {@code pipelineJvmArgs} are extra flags of the job's JVM (e.g. GC or JFR
     * options, as the benchmark uses); none by default.
     */
    public record Options(int apiPort, int apiAdminPort, int flinkUiPort, String pipelineHeap, List<String> pipelineArgs,
                          Map<String, String> environment, List<String> pipelineJvmArgs, String flinkCluster) {
        public Options {
            pipelineArgs = List.copyOf(pipelineArgs);
            environment = Map.copyOf(environment);
            pipelineJvmArgs = List.copyOf(pipelineJvmArgs);
        }

        public Options(int apiPort, int apiAdminPort, int flinkUiPort, String pipelineHeap, List<String> pipelineArgs,
                       Map<String, String> environment) {
            this(apiPort, apiAdminPort, flinkUiPort, pipelineHeap, pipelineArgs, environment, List.of(), null);
        }

        /**
         * The job submitted to the Flink session cluster whose REST API is {@code url} (infra/bin/cluster, whose ready
         * file in CMS_STACK_DIR gives the brokers and Cassandra nodes) instead of a local-mode process.
         */
        public Options withFlinkCluster(String url) {
            return new Options(apiPort, apiAdminPort, flinkUiPort, pipelineHeap, pipelineArgs, environment, pipelineJvmArgs, url);
        }

        /** The run command's: API 8080 (admin 8091), Flink web UI 8081. */
        public static Options defaults() {
            return new Options(8080, 8091, 8081, "1g", List.of(), Map.of());
        }

        public Options withPipelineArgs(String... args) {
            List<String> all = new ArrayList<>(pipelineArgs);
            all.addAll(List.of(args));
            return new Options(apiPort, apiAdminPort, flinkUiPort, pipelineHeap, all, environment, pipelineJvmArgs, flinkCluster);
        }

        public Options withPorts(int api, int apiAdmin, int flinkUi) {
            return new Options(api, apiAdmin, flinkUi, pipelineHeap, pipelineArgs, environment, pipelineJvmArgs, flinkCluster);
        }

        /** API, admin and Flink UI on ports nothing listens on now (held together while chosen, so they differ). */
        public Options withFreePorts() throws IOException {
            java.net.ServerSocket[] sockets = new java.net.ServerSocket[3];
            try {
                for (int i = 0; i < sockets.length; i++) {
                    sockets[i] = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(LocalStackAddresses.HOST));
                }
                return withPorts(sockets[0].getLocalPort(), sockets[1].getLocalPort(), sockets[2].getLocalPort());
            } finally {
                for (java.net.ServerSocket socket : sockets) {
                    if (socket != null) {
                        socket.close();
                    }
                }
            }
        }

        public Options withPipelineHeap(String heap) {
            return new Options(apiPort, apiAdminPort, flinkUiPort, heap, pipelineArgs, environment, pipelineJvmArgs, flinkCluster);
        }

        public Options withEnvironment(String name, String value) {
            Map<String, String> all = new java.util.HashMap<>(environment);
            all.put(name, value);
            return new Options(apiPort, apiAdminPort, flinkUiPort, pipelineHeap, pipelineArgs, all, pipelineJvmArgs, flinkCluster);
        }

        /** Extra flags for the job's JVM, after the heap and before the class path. */
        public Options withPipelineJvmArgs(String... args) {
            List<String> all = new ArrayList<>(pipelineJvmArgs);
            all.addAll(List.of(args));
            return new Options(apiPort, apiAdminPort, flinkUiPort, pipelineHeap, pipelineArgs, environment, all, flinkCluster);
        }
    }

    private final StackSettings settings;
    private final Options options;
    private final Path apiJar;
    private final String javaBin;
    /** The job's local-mode process; null when the job runs on a Flink cluster. */
    private final ServerProcess pipeline;
    /** The Flink cluster's REST API and the ready file of infra/bin/cluster; null in local mode. */
    private final FlinkJobs cluster;
    private final Properties clusterAddresses;
    private volatile String jobId;
    private final ServerProcess api;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private RunningSystem(StackSettings settings, Options options) throws IOException {
        this.settings = settings;
        this.options = options;
        Path root = settings.root();
        this.apiJar = root.resolve("api/target/cms-api-1.0.0-SNAPSHOT-app.jar");
        Path pipelineJar = root.resolve("pipeline/target/cms-pipeline-1.0.0-SNAPSHOT.jar");
        Path flinkClasspath = root.resolve("pipeline/target/local-classpath.txt");
        for (Path p : options.flinkCluster() == null ? List.of(apiJar, pipelineJar, flinkClasspath) : List.of(apiJar, pipelineJar)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build first (infra/bin/run and infra/bin/test do)");
            }
        }
        Path logs = settings.dir().resolve("logs");
        Path pids = settings.dir().resolve("pids");
        String marker = ServerProcess.MARKER_PROPERTY + settings.dir() + "#";
        this.javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        // on the cluster, whose own API is "api", this one is "run-api"
        String apiName = options.flinkCluster() == null ? "api" : "run-api";
        List<String> apiCommand = new ArrayList<>(List.of(javaBin, marker + apiName, "-Xmx512m"));
        if (options.flinkCluster() == null) {
            List<String> job = new ArrayList<>(List.of(javaBin, marker + "pipeline", "-Xmx" + options.pipelineHeap()));
            job.addAll(options.pipelineJvmArgs());
            job.addAll(List.of("-cp", pipelineJar + ":" + Files.readString(flinkClasspath).strip(),
                    "cms.pipeline.job.RatingJob", "--local-web-ui", "--web-ui-port", Integer.toString(options.flinkUiPort())));
            job.addAll(options.pipelineArgs());
            this.pipeline = new ServerProcess("pipeline", job, root, logs, pids, options.environment());
            this.cluster = null;
            this.clusterAddresses = null;
        } else {
            this.pipeline = null;
            this.cluster = new FlinkJobs(options.flinkCluster());
            this.clusterAddresses = LocalCluster.readyProperties(settings.dir());
            // the API on every broker and Cassandra node of the cluster
            apiCommand.add("-Ddw.kafka.bootstrapServers=" + clusterAddresses.getProperty("kafka.bootstrap"));
            apiCommand.add("-Ddw.cassandra.contactPoints=" + clusterAddresses.getProperty("cassandra.contact-points"));
        }
        apiCommand.addAll(List.of("-jar", apiJar.toString(), "server", root.resolve("api/config.yml").toString()));
        this.api = new ServerProcess(apiName, apiCommand, root, logs, pids, apiEnvironment(options));
    }

    private static Map<String, String> apiEnvironment(Options options) {
        Map<String, String> env = new java.util.HashMap<>(options.environment());
        env.put("CMS_API_PORT", Integer.toString(options.apiPort()));
        env.put("CMS_API_ADMIN_PORT", Integer.toString(options.apiAdminPort()));
        // the API's health check "rating-job" watches this job: its Flink REST API, group and usage topic
        env.put("CMS_FLINK_REST_URL", options.flinkCluster() != null ? options.flinkCluster() : "http://127.0.0.1:" + options.flinkUiPort());
        pipelineArg(options, "--kafka.group").ifPresent(g -> env.put("CMS_PIPELINE_GROUP", g));
        pipelineArg(options, "--topic.usage").ifPresent(t -> env.put("CMS_USAGE_TOPIC", t));
        return env;
    }

    private static java.util.Optional<String> pipelineArg(Options options, String key) {
        List<String> args = options.pipelineArgs();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals(key)) {
                return java.util.Optional.of(args.get(i + 1));
            }
        }
        return java.util.Optional.empty();
    }

    /** Starts both processes on the stack named by the CMS_* environment and waits until both serve. */
    public static RunningSystem start(Options options) throws IOException, InterruptedException {
        RunningSystem system = new RunningSystem(StackSettings.fromEnvironment(), options);
        try {
            if (system.pipeline != null) {
                system.pipeline.start();
            }
            system.api.start();
            if (system.pipeline == null) {
                system.submitToCluster();   // first: the API's health check "rating-job" is red without it
            }
            system.waitFor(system.api, "http://127.0.0.1:" + options.apiAdminPort() + "/healthcheck", "\"healthy\":true");
            if (system.pipeline != null) {
                system.waitFor(system.pipeline, system.flinkUiUrl() + "/jobs/overview", "RUNNING");
            }
            return system;
        } catch (RuntimeException | InterruptedException e) {
            system.close();
            throw e;
        }
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + options.apiPort();
    }

    public String apiAdminUrl() {
        return "http://127.0.0.1:" + options.apiAdminPort();
    }

    public String flinkUiUrl() {
        return options.flinkCluster() != null ? options.flinkCluster() : "http://127.0.0.1:" + options.flinkUiPort();
    }

    /** The job on the Flink cluster, with the cluster's addresses; returns once every task runs. */
    private void submitToCluster() throws IOException, InterruptedException {
        jobId = cluster.submit(settings.root().resolve("pipeline/target/cms-pipeline-1.0.0-SNAPSHOT.jar"),
                LocalCluster.withClusterAddresses(options.pipelineArgs(), clusterAddresses), null);
        Instant deadline = Instant.now().plusSeconds(180);
        while (!cluster.allTasksRunning(jobId)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("job " + jobId + " on " + options.flinkCluster() + " not running within 180 s: "
                        + cluster.state(jobId));
            }
            Thread.sleep(500);
        }
        LocalStack.log("job %s is running on the Flink cluster %s", jobId, options.flinkCluster());
    }

    public LocalStackAddresses addresses() {
        return settings.addresses();
    }

    public Path logs() {
        return settings.dir().resolve("logs");
    }

    /** The job's log: its process's in local mode, the first task manager's on a cluster. */
    public Path pipelineLog() {
        return pipeline != null ? pipeline.log() : logs().resolve("flink-taskmanager-1.log");
    }

    public Path apiLog() {
        return api.log();
    }

    /** The job's process id (for jcmd, e.g. to record a profile); -1 when it is not running. */
    public long pipelinePid() {
        return pipeline != null ? pipeline.pid() : -1;
    }

    /** Ends the rating job's process at once (SIGTERM, then SIGKILL without grace), as a crash would: for tests of what notices. */
    public void killPipeline() {
        pipeline.stop(Duration.ZERO);
    }

    /** Fails with the log's tail if either process has exited. */
    public void requireAlive() {
        if (pipeline != null) {
            pipeline.requireAlive();
        } else {
            String state = jobState();
            if (List.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(state)) {
                throw new IllegalStateException("job " + jobId + " on the Flink cluster is " + state + "; see " + pipelineLog());
            }
        }
        api.requireAlive();
    }

    private String jobState() {
        try {
            return cluster.state(jobId);
        } catch (IOException e) {
            return "UNREACHABLE";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A bearer token for a user (the API accepts it while that user exists and is ACTIVE), minted
     * by the API's own {@code token} command with the same configuration; cached.
     */
    public String token(String user) {
        String cached = tokens.get(user);
        return cached != null ? cached : tokens(List.of(user)).get(user);
    }

    /** Tokens for several users, minted by one run of the token command (a JVM start each would cost seconds); cached. */
    public Map<String, String> tokens(List<String> users) {
        List<String> missing = users.stream().filter(u -> !tokens.containsKey(u)).distinct().toList();
        if (!missing.isEmpty()) {
            List<String> minted = mint(missing);
            for (int i = 0; i < missing.size(); i++) {
                tokens.put(missing.get(i), minted.get(i));
            }
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        users.forEach(u -> out.put(u, tokens.get(u)));
        return out;
    }

    @Override
    public void close() {
        api.stop(Duration.ofSeconds(15));
        if (pipeline != null) {
            pipeline.stop(Duration.ofSeconds(15));
        } else if (jobId != null) {
            try {
                cluster.cancel(jobId);
            } catch (IOException e) {
                LocalStack.log("could not cancel job %s on the Flink cluster: %s", jobId, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<String> mint(List<String> users) {
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-jar", apiJar.toString(), "token",
                settings.root().resolve("api/config.yml").toString(), "--user"));
        cmd.addAll(users);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("could not mint tokens for " + users);
            }
            // one token a line, in order; anything else the command printed (logging) is not a JWT
            List<String> minted = out.lines().map(String::strip)
                    .filter(l -> l.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")).toList();
            if (minted.size() < users.size()) {
                throw new IllegalStateException("the token command printed " + minted.size() + " tokens for " + users);
            }
            return minted.subList(minted.size() - users.size(), minted.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitFor(ServerProcess process, String url, String expected) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            process.requireAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.body().contains(expected)) {
                    LocalStack.log("%s is up", process.name());
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(process.name() + " did not come up within 180 s; last lines of " + process.log()
                + ":\n" + process.tail(40));
    }
}
