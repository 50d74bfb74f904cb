package cms.infra.bench;

import cms.avro.DeadLetter;
import cms.avro.RatedUsage;
import cms.avro.UsageEvent;
import cms.infra.RunTopics;
import cms.infra.RunningSystem;
import cms.infra.flink.FlinkRest;
import cms.infra.flink.PrometheusMetrics;
import cms.infra.load.UsageMix;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.wire.AvroSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark harness: measures the rating job end to end against its ceiling on a running local
 * stack (CMS_* variables), with the packaged job and API started as processes by
 * {@link RunningSystem}, exactly as the run command starts them.
 *
 * <ol>
 *   <li>Provisions a run of its own: usage, rated, dead-letter and reference topics, consumer group,
 *       transactional ids and Cassandra keyspace, all named after the run.</li>
 *   <li>Publishes the reference data ({@link ReferenceData}) to the run's reference topics (the job's)
 *       and the channel's nodes to the stack's hierarchy topic (the API's, which it cannot be told
 *       otherwise), then preloads a backlog of usage into the run's usage topic before the job
 *       starts, so that no producer competes with the job.</li>
 *   <li>Measures the decode ceiling on that backlog ({@link DecodeCeiling}), then starts the job and
 *       the API and measures the rate of the job's committed offsets until the backlog is drained:
 *       the job commits offsets only when a checkpoint completes, after its Cassandra and Kafka sinks
 *       flushed, so a committed record is rated, rolled up and durable. Lag is printed every 10 s.</li>
 *   <li>Live phase: usage at a fixed share of the measured rate; meanwhile probes measure
 *       event-to-queryable latency through the API and dashboard clients measure API latency.</li>
 *   <li>Soak ({@code --soak}): the live load goes on for the soak's duration, the job started with a 10-minute
 *       dedup-horizon; every {@code --soak-sample} the job JVM's heap after a full GC, its latest checkpoint,
 *       the lag and the committed rate ({@link Soak}).</li>
 *   <li>Injects a task failure (the job's failure-injection-dir) under the same live load and times
 *       the recovery (all tasks RUNNING again, per Flink's REST API) and the drain of the lag back to
 *       its level before the failure.</li>
 *   <li>Stops the load, waits until everything is committed, and accounts for every record sent:
 *       rated, dead-lettered or a duplicate.</li>
 * </ol>
 * Prints the figures and writes them, with the machine and the settings, to {@code results.md} in
 * the output folder. {@code infra/bin/bench} is the command; {@code --short} is the test suite's mode.
 */
public final class Benchmark {

    /** Every figure of one run; the short-mode test asserts on these. */
    public static final class Results {
        public String runId;
        public BenchSettings settings;
        public Instant started;
        public Duration took;
        public String machine;
        public String loadBefore;
        /** Share of all cores busy during 3 s before the run started: other people's work. */
        public double busyBefore = Double.NaN;
        public String loadAfter;
        public int referenceVersions;
        public long backlog;
        public double preloadRate;
        public DecodeCeiling.Result ceiling;
        public long throughputRecords;
        public double throughputSeconds;
        public double throughputRate;
        public boolean backlogDrained;
        public double secondsToFirstCommit;
        public final List<String> lagLines = new ArrayList<>();
        public Map<String, Double> cpuThroughput = Map.of();
        /** The job's Cassandra requests (a single-partition batch is one mutation) and rows per second in the throughput window. */
        public double cassandraRequestsPerSecond = Double.NaN;
        public double cassandraRowsPerSecond = Double.NaN;
        /** Cassandra's own count of partition updates applied to the run's keyspace per second, same window (local stack). */
        public double cassandraServerWritesPerSecond = Double.NaN;
        /** The job's write budget (cassandra.write-budget, rows/s), as its roll-up operators report it. */
        public double writeBudget = Double.NaN;
        /** The job's mutation budget (cassandra.write-budget-mutations, mutations/s), as its roll-up operators report it. */
        public double writeBudgetMutations = Double.NaN;
        /** The latest completed checkpoint at the end of the throughput phase. */
        public long checkpointBytes = -1;
        public long checkpointMillis = -1;
        /** Per level, the job's roll-up freshness (usage in Kafka to its row written) at the end of the live phase: p50, p99 ms. */
        public Map<String, double[]> freshness = new java.util.TreeMap<>();
        /** What each job vertex sent downstream by the end of the throughput phase (Flink's exchanges). */
        public List<FlinkRest.Exchange> exchanges = List.of();
        public double liveTargetRate;
        public double liveActualRate;
        public long liveLagFirst = -1;
        public long liveLagMax = -1;
        public long liveLagLast = -1;
        public long liveLagMin = -1;
        public final List<String> liveLagLines = new ArrayList<>();
        public Latencies probeLatency = new Latencies();
        public Map<String, Latencies> apiLatency = Map.of();
        public Latencies apiAll = new Latencies();
        public boolean failureInjected;
        public double secondsToRunning = Double.NaN;
        public double secondsToDrained = Double.NaN;
        public long preFailureLag = -1;
        public long peakLagAfterFailure = -1;
        public final List<String> failureLines = new ArrayList<>();
        /** The soak's series; null without {@code --soak}. */
        public Soak soak;
        public Map<UsageMix.Kind, Long> sentByKind = Map.of();
        public long probesSent;
        public long produced;
        public long expectedRated;
        public long expectedDeadLetters;
        public long duplicates;
        public long rated = -1;
        public long deadLettered = -1;
        public final List<String> broadcast = new ArrayList<>();
        public String profile;
        public Path jfrFile;
        public final List<String> notes = new ArrayList<>();
        public Path resultsFile;

        public double ceilingRatio() {
            return ceiling == null || ceiling.ratePerSecond() <= 0 ? Double.NaN : throughputRate / ceiling.ratePerSecond();
        }

        /** Every record sent is rated, dead-lettered or a duplicate, each exactly as sent. */
        public boolean accounted() {
            return rated == expectedRated && deadLettered == expectedDeadLetters && rated + deadLettered + duplicates == produced;
        }
    }

    private final BenchSettings s;
    private final PrintStream out;
    private final LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
    private final Results r = new Results();
    private final String run;
    private final String usageTopic;
    private final String ratedTopic;
    private final String deadLetterTopic;
    private final ReferenceData.Topics referenceTopics;
    private final String group;
    private final String keyspace;
    /** The run's topics, subjects and keyspace, once provisioned. */
    private RunTopics resources;
    private final Path failureDir;
    private final Path checkpointDir;
    private volatile RunningSystem running;
    private volatile boolean cleanedUp;
    /** The local job's Prometheus endpoint (one scrape = every metric at one instant); null on a cluster. */
    private String metricsUrl;
    /** Cassandra's own write count of the run's keyspace, during the throughput phase on the local stack; else null. */
    private volatile RunTopics.WriteCount writeCount;

    private Benchmark(BenchSettings settings, PrintStream out) throws IOException {
        this.s = settings;
        this.out = out;
        this.run = UUID.randomUUID().toString().substring(0, 6);
        this.usageTopic = "bench." + run + ".usage";
        this.ratedTopic = "bench." + run + ".rated";
        this.deadLetterTopic = "bench." + run + ".dead-letter";
        this.referenceTopics = new ReferenceData.Topics("bench." + run + ".hierarchy", "bench." + run + ".price-books",
                "bench." + run + ".commission-plans");
        this.group = "bench-" + run;
        this.keyspace = "bench_" + run;
        Files.createDirectories(settings.out());
        this.failureDir = settings.out().toAbsolutePath().resolve("failure-" + run);
        this.checkpointDir = settings.out().toAbsolutePath().resolve("checkpoints-" + run);
        r.runId = run;
        r.settings = settings;
    }

    /** Runs the benchmark on the stack named by the CMS_* environment; the job and API jars must be packaged. */
    public static Results run(BenchSettings settings, PrintStream out) throws Exception {
        Benchmark benchmark = new Benchmark(settings, out);
        // Ctrl-C or SIGTERM: end the job and the API and remove the run's topics, keyspace and files
        Thread hook = new Thread(benchmark::abort, "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return benchmark.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private void abort() {
        RunningSystem system = running;
        if (system != null) {
            system.close();
        }
        cleanUp();
    }

    public static void main(String[] args) throws Exception {
        BenchSettings settings;
        if (List.of(args).contains("--help")) {
            System.out.println(BenchSettings.USAGE);
            return;
        }
        try {
            settings = BenchSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(BenchSettings.USAGE);
            System.exit(2);
            return;
        }
        Results results = run(settings, System.out);
        System.exit(results.accounted() ? 0 : 1);
    }

    // ------------------------------------------------------------------------------------------ the run

    private Results run() throws Exception {
        r.started = Instant.now();
        long began = System.nanoTime();
        r.machine = Machine.describe().oneLine();
        r.loadBefore = Machine.loadAverage();
        Machine.CpuWindow idle = Machine.CpuWindow.start(Map.of());
        Thread.sleep(3000);
        r.busyBefore = idle.cores().getOrDefault("machine busy", Double.NaN);
        say("benchmark run %s (%s mode) on %s; load average %s, cores busy before the run %s", run, s.shortMode() ? "short" : "full",
                r.machine, r.loadBefore, percent(r.busyBefore));
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(stack.registryUrl()));
        AvroSerializer serializer = new AvroSerializer(registry, true);
        RunningSystem system = null;
        try (KafkaWatch kafka = new KafkaWatch(stack.kafkaBootstrap())) {
            provision();
            publishReferenceData();
            preload(kafka, serializer);
            ceiling();

            system = startSystem();
            FlinkRest flink = new FlinkRest(system.flinkUiUrl());
            String job = flink.jobId();
            throughput(system, kafka, flink, job);
            if (!r.backlogDrained) {
                r.notes.add("the backlog was not drained within --max-window " + s.maxWindow() + ": later phases skipped");
            } else {
                String token = system.token(cms.infra.demo.DemoOnboarding.PLATFORM_ADMIN);
                LoadProducer live = new LoadProducer(stack.kafkaBootstrap(), serializer, usageTopic, s.channel(), mix());
                try {
                    livePhase(system, kafka, flink, job, live, serializer, token);
                    if (s.soaking()) {
                        // before the failure, which would restore the job's state from a checkpoint in the middle of the series
                        soakPhase(system, kafka, flink, job);
                    }
                    if (s.injectFailure()) {
                        failurePhase(system, kafka, flink, job);
                    }
                } finally {
                    live.stop();
                    addSent(live.sent());
                }
                drainAndAccount(system, kafka);
            }
        } finally {
            if (system != null) {
                system.close();
                running = null;
            }
            cleanUp();
        }
        broadcastMemory();
        if (r.jfrFile != null && Files.exists(r.jfrFile)) {
            try {
                r.profile = JfrProfile.analyse(r.jfrFile, 12);
            } catch (IOException | RuntimeException e) {
                r.notes.add("could not read the JFR recording " + r.jfrFile + ": " + e);
            }
        }
        r.loadAfter = Machine.loadAverage();
        r.took = Duration.ofNanos(System.nanoTime() - began);
        r.resultsFile = s.out().resolve("results.md");
        Files.writeString(r.resultsFile, markdown(), StandardCharsets.UTF_8);
        Files.writeString(s.out().resolve("results.json"), json(), StandardCharsets.UTF_8);
        out.println();
        out.println(markdown());
        say("written to %s", r.resultsFile.toAbsolutePath());
        return r;
    }

    private LoadProducer.Mix mix() {
        return new LoadProducer.Mix(s.duplicates(), s.late(), s.bad(), Duration.ofHours(2));
    }

    private void provision() throws Exception {
        resources = RunTopics.provision(stack, keyspace, List.of(
                new RunTopics.Topic(usageTopic, s.partitions(), UsageEvent.getClassSchema()),
                new RunTopics.Topic(ratedTopic, s.partitions(), RatedUsage.getClassSchema()),
                new RunTopics.Topic(deadLetterTopic, 1, DeadLetter.getClassSchema()),
                new RunTopics.Topic(referenceTopics.hierarchy(), 1, cms.avro.HierarchyChange.getClassSchema()),
                new RunTopics.Topic(referenceTopics.priceBooks(), 1, cms.avro.PriceBookVersion.getClassSchema()),
                new RunTopics.Topic(referenceTopics.commissionPlans(), 1, cms.avro.CommissionPlan.getClassSchema())));
        Files.createDirectories(failureDir);
        say("provisioned topics bench.%s.*, consumer group %s, keyspace %s", run, group, keyspace);
    }

    private void publishReferenceData() throws Exception {
        long t = System.nanoTime();
        ReferenceData reference = new ReferenceData(s.channel(), s.probeSubscriptions());
        r.referenceVersions = reference.publish(stack.kafkaBootstrap(), stack.registryUrl(), referenceTopics, false);
        reference.publish(stack.kafkaBootstrap(), stack.registryUrl(), ReferenceData.Topics.stack(), true);
        say("reference data: %,d versions (%,d subscriptions + %d probe subscriptions, 2 price books, 3 plans) in %.1f s",
                r.referenceVersions, s.channel().subscriptions(), s.probeSubscriptions(), (System.nanoTime() - t) / 1e9);
    }

    private void preload(KafkaWatch kafka, AvroSerializer serializer) throws Exception {
        long records = s.backlogRecords();
        say("preloading a backlog of %,d records into %s (%d partitions, %d producer threads), before the job starts",
                records, usageTopic, s.partitions(), s.preloadThreads());
        LoadProducer backlog = new LoadProducer(stack.kafkaBootstrap(), serializer, usageTopic, s.channel(), mix());
        long t = System.nanoTime();
        backlog.preload(records, s.preloadThreads(), s.seed(), out);
        double seconds = (System.nanoTime() - t) / 1e9;
        addSent(backlog.sent());
        r.backlog = kafka.endOffset(usageTopic);
        r.preloadRate = records / seconds;
        say("backlog: %,d records in %.1f s (%,.0f/s): %s", r.backlog, seconds, r.preloadRate, backlog.sent());
    }

    private void ceiling() throws Exception {
        int threads = Math.min(s.parallelism(), s.partitions());
        say("decode ceiling: consuming and decoding the backlog with %d consumer threads", threads);
        r.ceiling = DecodeCeiling.measure(stack.kafkaBootstrap(), stack.registryUrl(), usageTopic, s.partitions(), threads);
        say("decode ceiling: %,d records (%,d decoded) in %.1f s = %,.0f records/s", r.ceiling.records(), r.ceiling.decoded(),
                r.ceiling.took().toMillis() / 1000.0, r.ceiling.ratePerSecond());
    }

    private RunningSystem startSystem() throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--topic.usage", usageTopic, "--topic.rated", ratedTopic, "--topic.dead-letter", deadLetterTopic,
                "--topic.hierarchy", referenceTopics.hierarchy(), "--topic.price-books", referenceTopics.priceBooks(),
                "--topic.commission-plans", referenceTopics.commissionPlans(),
                "--cassandra.keyspace", keyspace, "--kafka.group", group, "--kafka.transactional-id-prefix", group,
                "--checkpoint-interval", BenchSettings.flinkDuration(s.checkpointInterval()),
                "--parallelism", Integer.toString(s.parallelism())));
        if (s.unknownSubscriptionGrace() != null) {
            args.addAll(List.of("--unknown-subscription-grace", BenchSettings.flinkDuration(s.unknownSubscriptionGrace())));
        }
        if (s.injectFailure()) {
            args.addAll(List.of("--failure-injection-dir", failureDir.toString()));
        }
        if (s.soaking() && !s.pipelineArgs().contains("--dedup-horizon")) {
            args.addAll(List.of("--dedup-horizon", s.soakDedupHorizon()));
        }
        if (s.flinkCluster() == null && !s.pipelineArgs().contains("--metrics-port")) {
            int port = freePort();
            args.addAll(List.of("--metrics-port", Integer.toString(port)));
            metricsUrl = "http://" + LocalStackAddresses.HOST + ":" + port + "/metrics";
        }
        if (!s.pipelineArgs().contains("--checkpoint-dir")) {
            // without a checkpoint directory Flink keeps checkpoints in the JobManager's memory, limited to 5 MB a state:
            // the broadcast reference data of 100,000 subscriptions is far larger, and every checkpoint would fail
            args.addAll(List.of("--checkpoint-dir", checkpointDir.toUri().toString()));
        }
        args.addAll(s.pipelineArgs());
        RunningSystem.Options options = RunningSystem.Options.defaults()
                .withFlinkCluster(s.flinkCluster())
                .withFreePorts()
                .withPipelineHeap(s.pipelineHeap())
                .withEnvironment("CMS_KEYSPACE", keyspace)
                .withPipelineArgs(args.toArray(String[]::new));
        say("starting the job (heap %s, %s) and the API", s.pipelineHeap(), String.join(" ", args));
        long t = System.nanoTime();
        RunningSystem system = RunningSystem.start(options);
        running = system;
        say("job and API running in %.1f s (Flink UI %s, API %s; logs %s)", (System.nanoTime() - t) / 1e9, system.flinkUiUrl(),
                system.apiUrl(), system.logs());
        return system;
    }

    // ------------------------------------------------------------------------------------------ throughput

    private void throughput(RunningSystem system, KafkaWatch kafka, FlinkRest flink, String job) throws Exception {
        long target = r.backlog;
        long jobStarted = System.nanoTime();
        long firstAt = -1;
        long firstCommitted = 0;
        long lastAt = -1;
        long lastCommitted = 0;
        long nextPrint = jobStarted + 10_000_000_000L;
        long printedCommitted = 0;
        long printedAt = jobStarted;
        Machine.CpuWindow cpu = null;
        Writes cassandraAtStart = null;
        if (metricsUrl != null) {
            try {
                writeCount = resources.writeCount();
            } catch (RuntimeException e) {
                r.notes.add("Cassandra's write count (system_views.local_write_latency) was not readable: " + e.getMessage());
            }
        }
        say("throughput: waiting for the job's committed offsets to reach %,d (lag printed every 10 s)", target);
        while (true) {
            system.requireAlive();
            long committed = kafka.committed(group, usageTopic);
            long now = System.nanoTime();
            if (committed > lastCommitted) {
                if (firstAt < 0) {
                    firstAt = now;
                    firstCommitted = committed;
                    r.secondsToFirstCommit = (now - jobStarted) / 1e9;
                    cpu = Machine.CpuWindow.start(processes(system));
                    cassandraAtStart = cassandraCounts(flink, job);
                    startRecording(system);
                }
                lastAt = now;
                lastCommitted = committed;
            }
            if (now >= nextPrint) {
                String line = String.format(Locale.ROOT, "%5.0f s  committed %,11d  lag %,11d  rate (last 10 s) %,8.0f/s  %s",
                        (now - jobStarted) / 1e9, committed, target - committed, (committed - printedCommitted) / ((now - printedAt) / 1e9),
                        flink.describe(job));
                r.lagLines.add(line);
                out.println("  " + line);
                printedCommitted = committed;
                printedAt = now;
                nextPrint += 10_000_000_000L;
            }
            if (committed >= target) {
                r.backlogDrained = true;
                break;
            }
            if (firstAt < 0 && now - jobStarted > Duration.ofMinutes(5).toNanos()) {
                throw new IllegalStateException("the job committed nothing within 5 minutes; see " + system.pipelineLog());
            }
            if (firstAt > 0 && now - firstAt > s.maxWindow().toNanos() || now - jobStarted > s.maxWindow().plusMinutes(5).toNanos()) {
                break;
            }
            Thread.sleep(250);
        }
        stopRecording(system);
        Writes cassandraAtEnd = cassandraCounts(flink, job);
        if (writeCount != null) {
            writeCount.close();
            writeCount = null;
        }
        try {
            FlinkRest.Checkpoints checkpoints = flink.checkpoints(job);
            r.checkpointBytes = checkpoints.lastSizeBytes();
            r.checkpointMillis = checkpoints.lastDurationMs();
            r.writeBudget = flink.metric(job, "writeBudgetRowsAllowed", FlinkRest.Agg.SUM).orElse(Double.NaN);
            r.writeBudgetMutations = flink.metric(job, "writeBudgetMutationsAllowed", FlinkRest.Agg.SUM).orElse(Double.NaN);
        } catch (IOException e) {
            r.notes.add("the job's checkpoint figures were not readable: " + e.getMessage());
        }
        try {
            r.exchanges = flink.exchanges(job);
        } catch (IOException e) {
            r.notes.add("the job's exchange metrics were not readable: " + e.getMessage());
        }
        FlinkRest.Failures failures = flink.failures(job);
        if (failures.count() > 0) {
            r.notes.add(String.format("the job failed %d times during the throughput phase; the newest: %s", failures.count(), failures.newest()));
        }
        if (cpu != null) {
            r.cpuThroughput = cpu.cores();
        }
        if (lastAt > firstAt) {
            r.throughputRecords = lastCommitted - firstCommitted;
            r.throughputSeconds = (lastAt - firstAt) / 1e9;
        } else {
            // drained at the first commit: only a rate that includes the start-up is available
            r.throughputRecords = lastCommitted;
            r.throughputSeconds = (lastAt - jobStarted) / 1e9;
            r.notes.add("the backlog drained at the job's first checkpoint: the throughput includes the job's start-up");
        }
        r.throughputRate = r.throughputRecords / Math.max(0.001, r.throughputSeconds);
        if (cassandraAtStart != null && cassandraAtEnd != null && lastAt > firstAt) {
            cassandraRates(cassandraAtStart, cassandraAtEnd);
        }
        if (r.throughputSeconds < s.minWindow().toSeconds()) {
            r.notes.add(String.format("the throughput window (%.0f s) is shorter than --min-window %s: rerun with --expected-rate %.0f",
                    r.throughputSeconds, s.minWindow(), r.throughputRate));
        }
        say("throughput: %,d records committed in %.1f s between the first and the last checkpoint commit = %,.0f records/s "
                        + "(first commit %.1f s after the job started; %s of the decode ceiling)",
                r.throughputRecords, r.throughputSeconds, r.throughputRate, r.secondsToFirstCommit, percent(r.ceilingRatio()));
    }

    /** The job's Cassandra requests and rows sent so far, read at one moment ({@code nanoTime}, the reading's). */
    record Writes(double requests, double rows, double batchSize, long nanoTime, double cassandraWrites) {}

    /**
     * The Cassandra sinks' counters (writers' and committers', summed over subtasks), or null when not readable. Locally
     * from one scrape of the job's Prometheus endpoint: both counters of every subtask at the same instant, timed by the
     * harness. On a cluster from Flink's REST API, both in one request per vertex, from its metric fetcher's cache
     * (refreshed at most every 10 s, asynchronously): up to 10 s old at either end of the window.
     */
    private Writes cassandraCounts(FlinkRest flink, String job) {
        try {
            if (metricsUrl != null) {
                // Cassandra's count first, then the job's: the job's requests of the moment are counted when sent, Cassandra's
                // when applied
                double applied = cassandraWrites();
                PrometheusMetrics m = PrometheusMetrics.scrape(metricsUrl);
                double requests = m.sum("cassandraRequests");
                double rows = m.sum("cassandraRows");
                double batch = m.named("cassandraBatchSize", l -> true).stream().mapToDouble(PrometheusMetrics.Sample::value).max()
                        .orElse(Double.NaN);
                return Double.isNaN(requests) || Double.isNaN(rows) ? null : new Writes(requests, rows, batch, m.nanoTime, applied);
            }
            Map<String, Double> m = flink.metrics(job, List.of("cassandraRequests", "cassandraRows"), FlinkRest.Agg.SUM);
            long at = System.nanoTime();
            return m.containsKey("cassandraRequests") && m.containsKey("cassandraRows")
                    ? new Writes(m.get("cassandraRequests"), m.get("cassandraRows"), Double.NaN, at, Double.NaN) : null;
        } catch (IOException e) {
            r.notes.add("the job's Cassandra counters were not readable: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Requests and rows per second between two readings, over the time between them (not the committed window: the
     * readings are taken at its two ends, but not at its exact instants). A counter that went back (a restarted task
     * starts from 0) or more rows a request than a batch may hold is not a figure: NaN, with a note.
     */
    private void cassandraRates(Writes start, Writes end) {
        double seconds = (end.nanoTime() - start.nanoTime()) / 1e9;
        double requests = end.requests() - start.requests();
        double rows = end.rows() - start.rows();
        // the writers' cassandra.batch-size, as they report it (not on a cluster: Flink's REST cache)
        double batchSize = end.batchSize();
        if (seconds <= 0 || requests < 0 || rows < 0 || rows < requests || rows > requests * batchSize) {
            r.notes.add(String.format(Locale.ROOT, "the Cassandra counters are not consistent (%,.0f -> %,.0f requests, %,.0f -> %,.0f rows "
                    + "over %.1f s, batches of at most %.0f rows): not reported", start.requests(), end.requests(), start.rows(), end.rows(),
                    seconds, batchSize));
            return;
        }
        r.cassandraRequestsPerSecond = requests / seconds;
        r.cassandraRowsPerSecond = rows / seconds;
        // the same window as Cassandra counts it (a moment later at each end: its query follows the scrape)
        r.cassandraServerWritesPerSecond = (end.cassandraWrites() - start.cassandraWrites()) / seconds;
        r.notes.add(String.format(Locale.ROOT, "Cassandra counters, throughput window (%.1f s): the job's requests %,.0f -> %,.0f, rows %,.0f -> %,.0f; "
                + "Cassandra's writes applied to the keyspace %,.0f -> %,.0f", seconds, start.requests(), end.requests(), start.rows(), end.rows(),
                start.cassandraWrites(), end.cassandraWrites()));
    }

    /** Cassandra's own count of writes to the run's keyspace (local stack only: one node holds every replica); NaN if unreadable. */
    private double cassandraWrites() {
        if (writeCount == null) {
            return Double.NaN;
        }
        try {
            return writeCount.now();
        } catch (RuntimeException e) {
            r.notes.add("Cassandra's write count (system_views.local_write_latency) was not readable: " + e.getMessage());
            return Double.NaN;
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(LocalStackAddresses.HOST))) {
            return socket.getLocalPort();
        }
    }

    private Map<String, Long> processes(RunningSystem system) {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (system.pipelinePid() > 0) {
            pids.put("job (pipeline JVM)", system.pipelinePid());
        }
        pids.put("benchmark JVM", ProcessHandle.current().pid());
        // on a cluster the job runs in the task managers: their CPU is the job's (the JobManager's is kept apart)
        Machine.stackPids(LocalStackAddresses.stackDir()).forEach((name, pid) ->
                pids.put(name.startsWith("flink-taskmanager") ? "job (" + name + ")" : name, pid));
        return pids;
    }

    private void startRecording(RunningSystem system) {
        if (!s.jfr()) {
            return;
        }
        if (system.pipelinePid() <= 0) {
            r.notes.add("no JFR profile: the job runs on the Flink cluster's task managers");
            return;
        }
        r.jfrFile = s.out().toAbsolutePath().resolve("pipeline-" + run + ".jfr");
        jcmd(system.pipelinePid(), "JFR.start", "name=bench", "settings=profile", "filename=" + r.jfrFile);
    }

    private void stopRecording(RunningSystem system) {
        if (r.jfrFile != null) {
            jcmd(system.pipelinePid(), "JFR.stop", "name=bench");
        }
    }

    /** Runs jcmd on the process and answers its output; null (and a note) when it failed. */
    private String jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                r.notes.add("jcmd " + String.join(" ", command) + " failed: " + output.strip());
                return null;
            }
            return output;
        } catch (IOException e) {
            r.notes.add("jcmd failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ live load

    private void livePhase(RunningSystem system, KafkaWatch kafka, FlinkRest flink, String job, LoadProducer live,
                           AvroSerializer serializer, String token)
            throws Exception {
        r.liveTargetRate = s.liveRate() > 0 ? s.liveRate() : Math.max(1, r.throughputRate * s.liveShare());
        say("live phase: usage at %,.0f records/s; after %d s, %d probes (poll %d ms) and %d dashboard clients (pause %d ms) for %d s",
                r.liveTargetRate, s.liveWarmup().toSeconds(), s.probeSubscriptions(), s.probePoll().toMillis(), s.apiClients(),
                s.apiThink().toMillis(), s.live().toSeconds());
        long began = System.nanoTime();
        live.startLive(r.liveTargetRate, s.seed() + 1);
        watchLag(system, kafka, flink, job, s.liveWarmup(), null);
        List<String> probeSubscriptions = new ArrayList<>();
        ReferenceData reference = new ReferenceData(s.channel(), s.probeSubscriptions());
        for (int i = 0; i < s.probeSubscriptions(); i++) {
            probeSubscriptions.add(reference.probeSubscription(i));
        }
        Probes probes = new Probes(stack.kafkaBootstrap(), serializer, usageTopic, system.apiUrl(), token, probeSubscriptions, run,
                s.probePoll(), Duration.ofSeconds(60));
        DashboardLoad dashboards = new DashboardLoad(system.apiUrl(), token, s.channel(), s.apiClients(), s.apiThink());
        try {
            probes.start();
            dashboards.start();
            List<Long> lags = watchLag(system, kafka, flink, job, s.live(), r.liveLagLines);
            try {
                freshness(flink, job);
            } catch (IOException e) {
                // a REST answer slower than its timeout on a loaded machine ended the whole run
                r.notes.add("the job's freshness metrics were not readable: " + e);
            }
            if (!lags.isEmpty()) {
                r.liveLagFirst = lags.get(0);
                r.liveLagLast = lags.get(lags.size() - 1);
                r.liveLagMax = lags.stream().mapToLong(Long::longValue).max().orElse(-1);
                r.liveLagMin = lags.stream().mapToLong(Long::longValue).min().orElse(-1);
            }
        } finally {
            dashboards.stop();
            probes.stop();
            probes.close();
        }
        r.probesSent = probes.sent();
        r.probeLatency = probes.latencies();
        r.apiLatency = dashboards.byQuery();
        r.apiAll = dashboards.all();
        r.liveActualRate = live.total() / Math.max(1.0, (System.nanoTime() - began) / 1e9);
        say("event-to-queryable latency: %s", r.probeLatency.describe());
        say("API latency of dashboard queries: %s", r.apiAll.describe());
        say("lag during the live phase: first %,d, min %,d, max %,d, last %,d", r.liveLagFirst, r.liveLagMin, r.liveLagMax, r.liveLagLast);
    }

    /**
     * Per level, the worst subtask's p50 and its p99 of roll-up freshness: each subtask's histogram holds its last 1,000
     * writes of the level, and both percentiles are taken the same way, from one reading (a scrape of the job's
     * Prometheus endpoint; on a cluster one REST request per vertex), so p50 <= p99. (The mean of the subtasks' medians
     * beside the maximum of their p99s, read one after the other from Flink's REST cache, once gave a p50 above the p99.)
     */
    private void freshness(FlinkRest flink, String job) throws IOException, InterruptedException {
        List<String> levels = List.of("SUBSCRIPTION", "TENANT", "PARTNER", "DISTRIBUTOR");
        if (metricsUrl != null) {
            PrometheusMetrics m = PrometheusMetrics.scrape(metricsUrl);
            for (String level : levels) {
                r.freshness.put(level, new double[] {worst(m, level, "0.5"), worst(m, level, "0.99")});
            }
            return;
        }
        List<String> names = new ArrayList<>();
        for (String level : levels) {
            // Flink's REST API names a histogram's median _median
            names.add("level." + level + ".freshnessMillis_median");
            names.add("level." + level + ".freshnessMillis_p99");
        }
        Map<String, Double> m = flink.metrics(job, names, FlinkRest.Agg.MAX);
        for (String level : levels) {
            r.freshness.put(level, new double[] {m.getOrDefault("level." + level + ".freshnessMillis_median", Double.NaN),
                    m.getOrDefault("level." + level + ".freshnessMillis_p99", Double.NaN)});
        }
    }

    /** The largest {@code quantile} of the level's freshness histogram over the subtasks in the scrape; NaN when none reports it. */
    private static double worst(PrometheusMetrics m, String level, String quantile) {
        return m.named("freshnessMillis", l -> level.equals(l.get("level")) && quantile.equals(l.get("quantile"))).stream()
                .mapToDouble(PrometheusMetrics.Sample::value).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }

    /** Samples the lag every second for {@code duration}, printing (and keeping, if lines is not null) a line every 10 s. */
    private List<Long> watchLag(RunningSystem system, KafkaWatch kafka, FlinkRest flink, String job, Duration duration, List<String> lines)
            throws Exception {
        List<Long> lags = new ArrayList<>();
        long began = System.nanoTime();
        long end = began + duration.toNanos();
        long nextPrint = began;
        while (System.nanoTime() < end) {
            system.requireAlive();
            long lag = lag(kafka);
            lags.add(lag);
            if (System.nanoTime() >= nextPrint) {
                String line = String.format(Locale.ROOT, "%5.0f s  lag %,10d  %s", (System.nanoTime() - began) / 1e9, lag, flink.describe(job));
                out.println("  " + line);
                if (lines != null) {
                    lines.add(line);
                }
                nextPrint += 10_000_000_000L;
            }
            Thread.sleep(1000);
        }
        return lags;
    }

    /** The usage topic's end offsets minus the job's committed offsets. */
    private long lag(KafkaWatch kafka) throws Exception {
        return kafka.endOffset(usageTopic) - kafka.committed(group, usageTopic);
    }

    // ------------------------------------------------------------------------------------------ soak

    /**
     * The live phase's load goes on (the same producer, at the same rate) for {@code --soak}; a sample at the start
     * and every {@code --soak-sample} after it, on a fixed schedule, the lag watched in between as in the live phase.
     */
    private void soakPhase(RunningSystem system, KafkaWatch kafka, FlinkRest flink, String job) throws Exception {
        r.soak = new Soak(s.soak(), s.soakSample());
        say("soak: the live load goes on at %,.0f records/s for %d s; every %d s the job's heap after a full GC, its latest "
                        + "checkpoint, the lag and the committed rate", r.liveTargetRate, s.soak().toSeconds(), s.soakSample().toSeconds());
        if (system.pipelinePid() <= 0) {
            r.notes.add("soak: no heap after GC, the job runs on the Flink cluster's task managers");
        }
        long began = System.nanoTime();
        long previousAt = began;
        long previousCommitted = 0;
        for (long at = 0; at <= s.soak().toNanos(); at += s.soakSample().toNanos()) {
            long wait = began + at - System.nanoTime();
            if (wait > 0) {
                watchLag(system, kafka, flink, job, Duration.ofNanos(wait), null);
            }
            long now = System.nanoTime();
            long committed = kafka.committed(group, usageTopic);
            // committed offsets move at each completed checkpoint: the rate is exact to one checkpoint's records
            double rate = at > 0 ? (committed - previousCommitted) / ((now - previousAt) / 1e9) : Double.NaN;
            long lag = lag(kafka);
            double heap = heapAfterGc(system);
            FlinkRest.Checkpoints checkpoint = null;
            try {
                checkpoint = flink.checkpoints(job);
            } catch (IOException e) {
                r.notes.add("soak: the job's checkpoints were not readable at " + (now - began) / 1_000_000_000L + " s: " + e.getMessage());
            }
            Soak.Sample sample = new Soak.Sample((now - began) / 1_000_000_000L, heap,
                    checkpoint == null || checkpoint.lastSizeBytes() < 0 ? Double.NaN : checkpoint.lastSizeBytes() / 1048576.0,
                    checkpoint == null ? -1 : checkpoint.lastDurationMs(), lag, rate);
            r.soak.add(sample);
            say("soak %5d s: heap after GC %,.1f MB, checkpoint %,.1f MB in %,d ms, lag %,d%s", sample.tSeconds(), sample.heapAfterGcMb(),
                    sample.checkpointMb(), sample.checkpointMs(), sample.lag(), at > 0 ? String.format(", committed %,.0f/s", rate) : "");
            previousAt = now;
            previousCommitted = committed;
        }
        say("soak: from %d s on, heap after GC drift %s; checkpoint size drift %s", r.soak.steadyFromSeconds(),
                r.soak.describe(Soak.Sample::heapAfterGcMb), r.soak.describe(Soak.Sample::checkpointMb));
    }

    /**
     * The job JVM's heap in use right after a full GC (MB), NaN on a cluster: {@code jcmd GC.run}, then the used heap of
     * {@code jcmd GC.heap_info}. Not Flink's Status.JVM.Memory.Heap.Used: the REST API answers metrics from its fetcher's
     * cache (up to 10 s old), which may predate the GC. The full GC pauses the job once a sample.
     */
    private double heapAfterGc(RunningSystem system) {
        if (system.pipelinePid() <= 0 || jcmd(system.pipelinePid(), "GC.run") == null) {
            return Double.NaN;
        }
        String info = jcmd(system.pipelinePid(), "GC.heap_info");
        double mb = info == null ? Double.NaN : Soak.heapUsedMb(info);
        if (info != null && Double.isNaN(mb)) {
            r.notes.add("soak: no heap figure in jcmd GC.heap_info: " + info.strip());
        }
        return mb;
    }

    // ------------------------------------------------------------------------------------------ failure

    private void failurePhase(RunningSystem system, KafkaWatch kafka, FlinkRest flink, String job) throws Exception {
        // the lag's level before the failure: its highest value over the last 3 checkpoint intervals (it saw-tooths with them)
        Duration before = s.checkpointInterval().multipliedBy(3).plusSeconds(2);
        List<Long> lags = watchLag(system, kafka, flink, job, before, null);
        r.preFailureLag = lags.stream().mapToLong(Long::longValue).max().orElse(0);
        long committedAtFailure = kafka.committed(group, usageTopic);
        OptionalLong earlierFailure = lastFailure(flink, job);
        Path request = failureDir.resolve("fail");
        long requested = System.currentTimeMillis();
        Files.writeString(request, "requested by the benchmark at " + Instant.ofEpochMilli(requested) + "\n");
        say("failure: requested a task failure (%s); lag before it at most %,d", request, r.preFailureLag);
        r.failureInjected = false;
        long deadline = System.currentTimeMillis() + s.failureBudget().toMillis();
        long downAt = -1;
        long runningAt = -1;
        while (System.currentTimeMillis() < deadline) {
            system.requireAlive();
            FlinkRest.Status status;
            try {
                status = flink.status(job);
            } catch (IOException e) {
                status = new FlinkRest.Status("UNREACHABLE", false, 0, 0);
            }
            long now = System.currentTimeMillis();
            if (!status.healthy() && downAt < 0) {
                downAt = now;
                r.failureLines.add(String.format("%+6d ms  job %s, %d of %d tasks running", now - requested, status.state(),
                        status.running(), status.tasks()));
            }
            if (downAt > 0 && status.healthy()) {
                runningAt = now;
                r.failureLines.add(String.format("%+6d ms  job RUNNING, all %d tasks running", now - requested, status.tasks()));
                break;
            }
            if (downAt < 0 && now - requested > 15_000) {
                break;
            }
            Thread.sleep(100);
        }
        if (downAt < 0) {
            r.notes.add("no task failure was observed within 15 s of the request: does the job support failure-injection-dir?");
            Files.deleteIfExists(request);
            return;
        }
        r.failureInjected = true;
        OptionalLong failedAt = lastFailure(flink, job);
        long failureTime = failedAt.isPresent() && failedAt.getAsLong() >= requested - 1000
                && (earlierFailure.isEmpty() || failedAt.getAsLong() != earlierFailure.getAsLong()) ? failedAt.getAsLong() : downAt;
        r.failureLines.add(0, String.format("%+6d ms  the task failed (%s)", failureTime - requested,
                failureTime == downAt ? "first seen not running" : "Flink's exception history"));
        if (runningAt < 0) {
            r.notes.add("the job was not running again within --failure-budget " + s.failureBudget());
            return;
        }
        r.secondsToRunning = (runningAt - failureTime) / 1000.0;
        say("failure: running again %.1f s after the failure", r.secondsToRunning);
        long peak = 0;
        while (System.currentTimeMillis() < deadline) {
            system.requireAlive();
            long committed = kafka.committed(group, usageTopic);
            long lag = kafka.endOffset(usageTopic) - committed;
            peak = Math.max(peak, lag);
            if (committed > committedAtFailure && lag <= r.preFailureLag) {
                long now = System.currentTimeMillis();
                r.secondsToDrained = (now - failureTime) / 1000.0;
                r.failureLines.add(String.format("%+6d ms  lag %,d, back to its level before the failure", now - requested, lag));
                break;
            }
            Thread.sleep(500);
        }
        r.peakLagAfterFailure = peak;
        if (Double.isNaN(r.secondsToDrained)) {
            r.notes.add("the lag was not back to its pre-failure level within --failure-budget " + s.failureBudget());
        } else {
            say("failure: lag back to its pre-failure level %.1f s after the failure (peak %,d)", r.secondsToDrained, peak);
        }
    }

    /** The newest failure of the job's exception history; empty when it is not readable (the failure time is then when it was seen). */
    private static OptionalLong lastFailure(FlinkRest flink, String job) throws InterruptedException {
        try {
            return flink.lastFailure(job);
        } catch (IOException slowOrDown) {
            return OptionalLong.empty();
        }
    }

    // ------------------------------------------------------------------------------------------ accounting

    private void drainAndAccount(RunningSystem system, KafkaWatch kafka) throws Exception {
        r.produced = r.sentByKind.values().stream().mapToLong(Long::longValue).sum() + r.probesSent;
        r.expectedRated = r.sentByKind.getOrDefault(UsageMix.Kind.FRESH, 0L) + r.sentByKind.getOrDefault(UsageMix.Kind.LATE, 0L)
                + r.probesSent;
        r.expectedDeadLetters = r.sentByKind.getOrDefault(UsageMix.Kind.UNDECODABLE, 0L)
                + r.sentByKind.getOrDefault(UsageMix.Kind.INVALID, 0L) + r.sentByKind.getOrDefault(UsageMix.Kind.UNKNOWN_SUBSCRIPTION, 0L);
        r.duplicates = r.sentByKind.getOrDefault(UsageMix.Kind.DUPLICATE, 0L);
        long end = kafka.endOffset(usageTopic);
        if (end != r.produced) {
            r.notes.add(String.format("the usage topic holds %,d records, the benchmark sent %,d", end, r.produced));
        }
        say("accounting: waiting until the job committed all %,d records", end);
        long deadline = System.nanoTime() + s.maxWindow().toNanos();
        while (kafka.committed(group, usageTopic) < end) {
            system.requireAlive();
            if (System.nanoTime() > deadline) {
                r.notes.add("the job did not commit every record within --max-window");
                return;
            }
            Thread.sleep(500);
        }
        // unknown subscriptions are dead-lettered after the grace period, and outputs are visible once a checkpoint commits them
        Duration grace = s.unknownSubscriptionGrace() != null ? s.unknownSubscriptionGrace() : Duration.ofSeconds(30);
        Duration settle = grace.plus(s.checkpointInterval().multipliedBy(2)).plusSeconds(2);
        for (int attempt = 0; attempt < 6; attempt++) {
            Thread.sleep(attempt == 0 ? settle.toMillis() : s.checkpointInterval().toMillis() * 2 + 2000);
            r.rated = kafka.countCommitted(ratedTopic);
            r.deadLettered = kafka.countCommitted(deadLetterTopic);
            if (r.accounted() || r.rated > r.expectedRated || r.deadLettered > r.expectedDeadLetters) {
                break;
            }
        }
        say("accounting: sent %,d = rated %,d (expected %,d) + dead-lettered %,d (expected %,d) + duplicates %,d: %s", r.produced,
                r.rated, r.expectedRated, r.deadLettered, r.expectedDeadLetters, r.duplicates, r.accounted() ? "every record accounted for" : "MISMATCH");
    }

    private void addSent(Map<UsageMix.Kind, Long> sent) {
        Map<UsageMix.Kind, Long> all = new java.util.EnumMap<>(UsageMix.Kind.class);
        all.putAll(r.sentByKind);
        sent.forEach((k, v) -> all.merge(k, v, Long::sum));
        r.sentByKind = all;
    }

    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        RunTopics.WriteCount count = writeCount;
        if (count != null) {
            // the throughput phase ended by an exception
            count.close();
        }
        try {
            Files.deleteIfExists(failureDir.resolve("fail"));
            Files.deleteIfExists(failureDir);
            if (Files.isDirectory(checkpointDir)) {
                try (var files = Files.walk(checkpointDir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        } catch (IOException ignored) {
            // left behind in the output folder
        }
        if (s.keep()) {
            say("kept topics bench.%s.* and keyspace %s (--keep)", run, keyspace);
            return;
        }
        if (resources != null) {
            r.notes.addAll(resources.remove());
        }
        try (KafkaWatch kafka = new KafkaWatch(stack.kafkaBootstrap())) {
            kafka.deleteGroup(group);
            kafka.deleteGroup(group + "-reference");
        } catch (Exception e) {
            r.notes.add("could not delete the run's consumer groups: " + e);
        }
    }

    // ------------------------------------------------------------------------------------------ broadcast memory

    private void broadcastMemory() {
        if (s.broadcastClasspath() == null || s.broadcastSizes().isEmpty()) {
            return;
        }
        try {
            String classpath = Files.readString(s.broadcastClasspath()).strip();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
                    "-cp", classpath, "cms.pipeline.hierarchy.BroadcastMemoryBenchmark"));
            s.broadcastSizes().forEach(n -> cmd.add(Integer.toString(n)));
            say("broadcast state: BroadcastMemoryBenchmark %s (-Xmx4g)", s.broadcastSizes());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                r.notes.add("BroadcastMemoryBenchmark failed:\n" + output);
                return;
            }
            for (String line : output.split("\n")) {
                if (line.contains("subscriptions (") || line.startsWith("machine:")) {
                    r.broadcast.add(line.strip());
                    out.println("  " + line.strip());
                }
            }
        } catch (IOException e) {
            r.notes.add("BroadcastMemoryBenchmark could not run: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------ the report

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format("## Benchmark run %s (%s mode, run %s)%n%n", r.started.truncatedTo(ChronoUnit.SECONDS),
                s.shortMode() ? "short" : "full", run));
        md.append("- Machine: ").append(r.machine).append('\n');
        md.append("- Other work on the machine: ").append(percent(r.busyBefore)).append(" of the cores busy in the 3 s before the run; load average")
                .append(" (1, 5, 15 min) before ").append(r.loadBefore).append(", after ").append(r.loadAfter)
                .append(" (the latter counts the benchmark's own processes too)\n");
        md.append(String.format("- Channel: %,d subscriptions (%d distributors x %d partners x %d tenants x %d subscriptions) + %d probe "
                        + "subscriptions; %,d reference versions on the run's own topics%n", s.channel().subscriptions(),
                s.channel().distributors(), s.channel().partnersPerDistributor(), s.channel().tenantsPerPartner(),
                s.channel().subscriptionsPerTenant(), s.probeSubscriptions(), r.referenceVersions));
        md.append(String.format("- Usage: generator mix (duplicates %.1f%%, late %.1f%%, bad %.1f%%), %d partitions; backlog %,d records preloaded "
                        + "at %,.0f/s before the job started%n", 100 * s.duplicates(), 100 * s.late(), 100 * s.bad(), s.partitions(),
                r.backlog, r.preloadRate));
        md.append(String.format("- Job: %s, parallelism %d, exactly-once checkpoints every %s to a local directory, hashmap state, heap %s%s%s%n",
                s.flinkCluster() == null ? "local Flink" : "on the Flink session cluster " + s.flinkCluster() + " (its task managers)",
                s.parallelism(), BenchSettings.flinkDuration(s.checkpointInterval()),
                s.flinkCluster() == null ? s.pipelineHeap() : "the task managers'",
                s.unknownSubscriptionGrace() == null ? "" : ", unknown-subscription-grace " + BenchSettings.flinkDuration(s.unknownSubscriptionGrace()),
                s.pipelineArgs().isEmpty() ? "" : ", " + String.join(" ", s.pipelineArgs())));
        md.append(String.format("- Live phase: %,.0f records/s (%s), %d probe subscriptions polled every %d ms, %d dashboard clients pausing %d ms%n",
                r.liveTargetRate, s.liveRate() > 0 ? "fixed" : String.format("%.0f%% of the measured rate", 100 * s.liveShare()),
                s.probeSubscriptions(), s.probePoll().toMillis(), s.apiClients(), s.apiThink().toMillis()));
        if (s.soaking()) {
            md.append(String.format("- Soak: the live load for %d s more, the job's dedup-horizon %s, a sample every %d s (a full GC of the job each)%n",
                    s.soak().toSeconds(), s.soakDedupHorizon(), s.soakSample().toSeconds()));
        }
        md.append(String.format("- Took %.0f s%n%n", r.took == null ? 0 : r.took.toMillis() / 1000.0));

        md.append("| figure | target | measured |\n|---|---|---|\n");
        md.append(String.format("| sustained throughput, Kafka in to roll-ups in Cassandra (committed offsets) | >= 25,000 records/s (aim 35,000) | %,.0f records/s (%,d records over %.0f s%s) |%n",
                r.throughputRate, r.throughputRecords, r.throughputSeconds, r.throughputSeconds < s.minWindow().toSeconds() ? ", window too short" : ""));
        if (r.ceiling != null) {
            md.append(String.format("| decode ceiling: consume + decode the same topic, %d threads | | %,.0f records/s (%,d records in %.1f s) |%n",
                    r.ceiling.threads(), r.ceiling.ratePerSecond(), r.ceiling.records(), r.ceiling.took().toMillis() / 1000.0));
            md.append(String.format("| pipeline / ceiling | >= 25%% (aim 35%%) | %s |%n", percent(r.ceilingRatio())));
        }
        if (!r.cpuThroughput.isEmpty() && r.throughputRate > 0) {
            md.append(String.format(Locale.ROOT, "| CPU per event: job / Cassandra / Kafka | job <= 40 us (aim 25) | %.1f / %.1f / %.1f us |%n",
                    perEvent(core("job")), perEvent(core("cassandra")), perEvent(core("kafka"))));
        }
        md.append(String.format(Locale.ROOT, "| Cassandra requests (mutations) and rows per second, throughput window | within the budget (%,.0f mutations/s, %,.0f rows/s) | %,.0f requests/s, %,.0f rows/s (%.2f rows a request, %.2f rows per event) |%n",
                r.writeBudgetMutations, r.writeBudget, r.cassandraRequestsPerSecond, r.cassandraRowsPerSecond,
                r.cassandraRowsPerSecond / r.cassandraRequestsPerSecond, r.cassandraRowsPerSecond / r.throughputRate));
        md.append(String.format(Locale.ROOT, "| Cassandra's own count of writes applied to the run's keyspace (system_views.local_write_latency), same window | = requests | %,.0f mutations/s |%n",
                r.cassandraServerWritesPerSecond));
        if (!r.freshness.isEmpty()) {
            StringBuilder f = new StringBuilder();
            r.freshness.forEach((level, p) -> f.append(String.format(Locale.ROOT, "%s%s %s / %s", f.length() == 0 ? "" : "; ",
                    level.toLowerCase(Locale.ROOT), Latencies.ms(p[0]), Latencies.ms(p[1]))));
            md.append(String.format("| roll-up freshness (usage in Kafka to its row written) in the live phase, p50 / p99 | p99 <= 5 s (2 s partner, distributor) | %s |%n", f));
        }
        md.append(String.format("| checkpoint at the end of the throughput phase | | %,.1f MB in %,d ms |%n", r.checkpointBytes / 1048576.0, r.checkpointMillis));
        md.append(String.format("| event-to-queryable latency at %,.0f records/s, p50 / p99 | p99 <= 5 s | %s / %s (%d probes%s) |%n",
                r.liveTargetRate, Latencies.ms(r.probeLatency.percentile(50)), Latencies.ms(r.probeLatency.percentile(99)),
                r.probeLatency.count(), r.probeLatency.failures() > 0 ? ", " + r.probeLatency.failures() + " not seen within 60 s" : ""));
        md.append(String.format("| API latency of dashboard queries under that load, p50 / p99 | p99 <= 50 ms | %s / %s (%d requests%s) |%n",
                Latencies.ms(r.apiAll.percentile(50)), Latencies.ms(r.apiAll.percentile(99)), r.apiAll.count(),
                r.apiAll.failures() > 0 ? ", " + r.apiAll.failures() + " failed" : ""));
        String notRecovered = !s.injectFailure() ? "not measured (--no-failure)" : !r.failureInjected ? "not measured (no failure observed)"
                : "not within --failure-budget (> " + s.failureBudget().toSeconds() + " s)";
        md.append(String.format("| running again after a task failure | <= 10 s | %s |%n",
                Double.isNaN(r.secondsToRunning) ? notRecovered : String.format("%.1f s", r.secondsToRunning)));
        md.append(String.format("| lag back to its pre-failure level | <= 60 s | %s |%n",
                Double.isNaN(r.secondsToDrained) ? notRecovered
                        : String.format("%.1f s (lag before %,d, peak %,d)", r.secondsToDrained, r.preFailureLag, r.peakLagAfterFailure)));
        if (r.soak != null) {
            md.append(String.format("| soak: heap after GC over the last %d s of %d (drift = (max - min) / mean) | flat within 10%% | %s |%n",
                    s.soak().toSeconds() - r.soak.steadyFromSeconds(), s.soak().toSeconds(), r.soak.describe(Soak.Sample::heapAfterGcMb)));
            md.append(String.format("| soak: checkpoint size over the same time | flat within 10%% | %s |%n",
                    r.soak.describe(Soak.Sample::checkpointMb)));
        }
        if (!r.broadcast.isEmpty()) {
            md.append("| broadcast state (BroadcastMemoryBenchmark) | | ")
                    .append(String.join("; ", r.broadcast.stream().filter(l -> !l.startsWith("machine:")).toList())).append(" |\n");
        }
        md.append(r.rated < 0 ? "| accounting: every record rated, dead-lettered or a duplicate | exact | not measured |\n"
                : String.format("| accounting: every record rated, dead-lettered or a duplicate | exact | %s: sent %,d = rated %,d + dead-lettered %,d + duplicates %,d |%n",
                r.accounted() ? "yes" : "NO", r.produced, r.rated, r.deadLettered, r.duplicates));
        md.append('\n');

        md.append("Throughput phase (the job's committed offsets on the usage topic; they advance at each completed checkpoint):\n\n```\n");
        r.lagLines.forEach(l -> md.append(l).append('\n'));
        md.append("```\n\n");
        if (!r.exchanges.isEmpty() && r.backlog > 0) {
            md.append("Exchanges (records and bytes each job vertex sent downstream during the throughput phase, per backlog record; "
                    + "Flink's write-records / write-bytes):\n\n| vertex | records per record | bytes per record |\n| --- | --- | --- |\n");
            long records = 0;
            long bytes = 0;
            for (FlinkRest.Exchange x : r.exchanges) {
                md.append(String.format(Locale.ROOT, "| %s | %.2f | %,.0f |%n", x.vertex().replace('|', '/'),
                        (double) x.records() / r.backlog, (double) x.bytes() / r.backlog));
                records += x.records();
                bytes += x.bytes();
            }
            md.append(String.format(Locale.ROOT, "| all exchanges | %.2f | %,.0f |%n%n", (double) records / r.backlog, (double) bytes / r.backlog));
        }
        if (!r.cpuThroughput.isEmpty()) {
            md.append("CPU during the throughput window (average cores used; /proc):");
            r.cpuThroughput.forEach((k, v) -> md.append(k.equals("machine busy") ? String.format(" machine busy %.0f%%;", 100 * v)
                    : String.format(" %s %.2f;", k, v)));
            md.append("\n\n");
        }
        if (!r.liveLagLines.isEmpty()) {
            md.append(String.format("Live phase lag (sent %,.0f records/s on average): first %,d, min %,d, max %,d, last %,d%n%n```%n",
                    r.liveActualRate, r.liveLagFirst, r.liveLagMin, r.liveLagMax, r.liveLagLast));
            r.liveLagLines.forEach(l -> md.append(l).append('\n'));
            md.append("```\n\n");
        }
        if (r.apiAll.count() > 0) {
            md.append("API latency by query (client side, whole answer read):\n\n| query | p50 | p99 | max | requests |\n|---|---:|---:|---:|---:|\n");
            r.apiLatency.forEach((q, l) -> md.append(String.format("| %s | %s | %s | %s | %d%s |%n", q, Latencies.ms(l.percentile(50)),
                    Latencies.ms(l.percentile(99)), Latencies.ms(l.max()), l.count(), l.failures() > 0 ? " (" + l.failures() + " failed)" : "")));
            md.append('\n');
        }
        if (r.soak != null) {
            md.append(String.format("Soak at %,.0f records/s (a sample every %d s: the job's heap right after a full GC, jcmd GC.run + GC.heap_info; "
                    + "the latest completed checkpoint; the lag; the committed rate since the previous sample; the drift counts the samples "
                    + "from %d s on):%n%n", r.liveTargetRate, r.soak.interval().toSeconds(), r.soak.steadyFromSeconds()));
            md.append(r.soak.table()).append('\n');
        }
        if (!r.failureLines.isEmpty()) {
            md.append("Task failure (times from the request; the job checks for it at most once a second):\n\n```\n");
            r.failureLines.forEach(l -> md.append(l).append('\n'));
            md.append("```\n\n");
        }
        md.append("Sent by kind: ").append(r.sentByKind).append(", probes ").append(r.probesSent).append("\n\n");
        if (r.profile != null) {
            md.append("### Profile of the job during the throughput window (JFR, settings=profile)\n\n").append(r.profile).append('\n');
        }
        if (!r.notes.isEmpty()) {
            md.append("Notes:\n");
            r.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** The run's headline figures as JSON (results.json): the fields issue 13 asks for, NaN as null. */
    String json() throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        root.put("run", run);
        root.put("mode", s.shortMode() ? "short" : "full");
        root.put("started", String.valueOf(r.started));
        root.put("machine", r.machine);
        root.put("load_before", r.loadBefore);
        root.put("subscriptions", s.channel().subscriptions());
        root.put("backlog", r.backlog);
        number(root, "throughput_eps", r.throughputRate);
        number(root, "ceiling_eps", r.ceiling == null ? Double.NaN : r.ceiling.ratePerSecond());
        number(root, "ratio", r.ceilingRatio());
        var cpu = root.putObject("cpu_us_per_event");
        double job = core("job");
        double cassandra = core("cassandra");
        double kafka = core("kafka");
        number(cpu, "job", perEvent(job));
        number(cpu, "cassandra", perEvent(cassandra));
        number(cpu, "kafka", perEvent(kafka));
        number(cpu, "total", perEvent(job + cassandra + kafka + core("registry")));
        var c = root.putObject("cassandra");
        number(c, "mutations_per_s", r.cassandraRequestsPerSecond);
        number(c, "rows_per_s", r.cassandraRowsPerSecond);
        number(c, "rows_per_request", r.cassandraRowsPerSecond / r.cassandraRequestsPerSecond);
        number(c, "server_mutations_per_s", r.cassandraServerWritesPerSecond);
        var budget = c.putObject("budget");
        number(budget, "mutations_per_s", r.writeBudgetMutations);
        number(budget, "rows_per_s", r.writeBudget);
        var freshness = root.putObject("freshness_ms");
        r.freshness.forEach((level, p) -> {
            var l = freshness.putObject(level.toLowerCase(Locale.ROOT));
            number(l, "p50", p[0]);
            number(l, "p99", p[1]);
        });
        var api = root.putObject("api_ms");
        number(api, "p50", r.apiAll.count() == 0 ? Double.NaN : r.apiAll.percentile(50));
        number(api, "p99", r.apiAll.count() == 0 ? Double.NaN : r.apiAll.percentile(99));
        var probes = root.putObject("event_to_queryable_ms");
        number(probes, "p50", r.probeLatency.count() == 0 ? Double.NaN : r.probeLatency.percentile(50));
        number(probes, "p99", r.probeLatency.count() == 0 ? Double.NaN : r.probeLatency.percentile(99));
        var recovery = root.putObject("recovery_s");
        number(recovery, "running", r.secondsToRunning);
        number(recovery, "drained", r.secondsToDrained);
        var accounting = root.putObject("accounting");
        accounting.put("sent", r.produced);
        accounting.put("rated", r.rated);
        accounting.put("dead_lettered", r.deadLettered);
        accounting.put("duplicates", r.duplicates);
        accounting.put("exact", r.rated >= 0 && r.accounted());
        var checkpoint = root.putObject("checkpoint");
        checkpoint.put("bytes", r.checkpointBytes);
        checkpoint.put("ms", r.checkpointMillis);
        if (r.soak != null) {
            r.soak.json(root.putObject("soak"));
        }
        var notes = root.putArray("notes");
        r.notes.forEach(notes::add);
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /** Average cores of the processes whose name starts with {@code prefix} in the throughput window (0 if none). */
    private double core(String prefix) {
        return r.cpuThroughput.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    private double perEvent(double cores) {
        return r.throughputRate > 0 && !r.cpuThroughput.isEmpty() ? cores * 1e6 / r.throughputRate : Double.NaN;
    }

    static void number(com.fasterxml.jackson.databind.node.ObjectNode node, String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(value * 100) / 100.0);
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : share < 0.1 ? String.format("%.1f%%", 100 * share) : String.format("%.0f%%", 100 * share);
    }

    private void say(String format, Object... args) {
        out.printf("[bench %s] %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().substring(11, 19), String.format(format, args));
        out.flush();
    }
}
