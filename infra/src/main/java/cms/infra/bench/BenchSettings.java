package cms.infra.bench;

import cms.infra.load.ChannelShape;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a benchmark run is told. {@link #full()} and {@link #quick()} are the two modes;
 * {@link #parse} applies command-line options on top of one of them.
 */
public record BenchSettings(
        boolean shortMode,
        ChannelShape channel,
        int probeSubscriptions,
        long backlog,
        double expectedRate,
        Duration minWindow,
        Duration maxWindow,
        Duration liveWarmup,
        Duration live,
        double liveShare,
        double liveRate,
        boolean injectFailure,
        Duration failureBudget,
        int apiClients,
        Duration apiThink,
        Duration probePoll,
        int preloadThreads,
        int partitions,
        int parallelism,
        Duration checkpointInterval,
        Duration unknownSubscriptionGrace,
        String pipelineHeap,
        boolean jfr,
        Path out,
        Path broadcastClasspath,
        List<Integer> broadcastSizes,
        boolean keep,
        List<String> pipelineArgs,
        double duplicates,
        double late,
        double bad,
        long seed,
        String flinkCluster,
        Duration soak,
        Duration soakSample) {

    /** {@code --soak} without a duration: issue 13's 30 minutes. */
    static final Duration DEFAULT_SOAK = Duration.ofMinutes(30);
    /**
     * The job's dedup-horizon in a soak (issue 13), unless {@code --pipeline-arg dedup-horizon=...} says otherwise: the
     * default 24 h would make the remembered eventIds grow through any soak that fits in a session.
     */
    static final Duration SOAK_DEDUP_HORIZON = Duration.ofMinutes(10);

    public BenchSettings {
        pipelineArgs = List.copyOf(pipelineArgs);
        broadcastSizes = List.copyOf(broadcastSizes);
        if (liveShare <= 0 || liveShare > 1) {
            throw new IllegalArgumentException("--live-share must be in (0, 1], was " + liveShare);
        }
        if (partitions < 1 || parallelism < 1 || preloadThreads < 1 || apiClients < 0 || probeSubscriptions < 1) {
            throw new IllegalArgumentException("--partitions, --parallelism, --preload-threads and --probes must be >= 1, --api-clients >= 0");
        }
        if (soak.isNegative() || soakSample.isNegative() || soakSample.isZero()) {
            throw new IllegalArgumentException("--soak must not be negative and --soak-sample must be positive");
        }
    }

    /** Whether the run has a soak phase ({@code --soak}). */
    public boolean soaking() {
        return !soak.isNegative() && !soak.isZero();
    }

    /** The dedup-horizon of the job in a soak: as {@code --pipeline-arg dedup-horizon=...} gives it, else {@link #SOAK_DEDUP_HORIZON}. */
    String soakDedupHorizon() {
        int at = pipelineArgs.indexOf("--dedup-horizon");
        return at >= 0 ? pipelineArgs.get(at + 1) : flinkDuration(SOAK_DEDUP_HORIZON);
    }

    /** The full benchmark: 100,000 subscriptions, a backlog for >= 3 minutes at 50,000 records/s, every phase. */
    public static BenchSettings full() {
        return new BenchSettings(false, new ChannelShape("bench", 100, 10, 10, 10), 4, 0, 50_000,
                Duration.ofMinutes(3), Duration.ofMinutes(20), Duration.ofSeconds(15), Duration.ofMinutes(2), 0.5, 0,
                true, Duration.ofMinutes(5), 4, Duration.ofMillis(100), Duration.ofMillis(50), 2, 4, 2,
                Duration.ofSeconds(10), null, "6g", true, Path.of("target/bench"), null, List.of(100_000, 1_000_000), false,
                List.of(), 0.01, 0.01, 0.005, System.nanoTime() & 0xffff, null,
                Duration.ZERO, Duration.ofMinutes(1));
    }

    /**
     * The short mode the test suite runs: 1,000 subscriptions, 20,000 records of backlog, a few seconds a
     * phase, and a fixed live rate of 300 records/s (half of a throughput measured over a few seconds is
     * too rough to load a shared machine with).
     */
    public static BenchSettings quick() {
        return new BenchSettings(true, new ChannelShape("bench-s", 2, 5, 10, 10), 2, 20_000, 0,
                Duration.ZERO, Duration.ofMinutes(4), Duration.ofSeconds(3), Duration.ofSeconds(15), 0.5, 300,
                true, Duration.ofSeconds(60), 2, Duration.ofMillis(100), Duration.ofMillis(50), 2, 4, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(3), "1g", false, Path.of("target/bench"), null, List.of(), false,
                List.of(), 0.01, 0.01, 0.005, System.nanoTime() & 0xffff, null,
                Duration.ZERO, Duration.ofMinutes(1));
    }

    /** Records the backlog holds: as given, else enough for the minimum window at the expected rate (plus 20%). */
    public long backlogRecords() {
        return backlog > 0 ? backlog : (long) Math.ceil(expectedRate * minWindow.toSeconds() * 1.2);
    }

    public BenchSettings withOut(Path dir) {
        return with(Map.of("out", dir.toString()));
    }

    public BenchSettings withoutFailure() {
        return with(Map.of("no-failure", "true"));
    }

    /** With a soak phase of {@code duration}, sampled every {@code sample}. */
    public BenchSettings withSoak(Duration duration, Duration sample) {
        return with(Map.of("soak", flinkDuration(duration), "soak-sample", flinkDuration(sample)));
    }

    static final String USAGE = """
            usage: infra/bin/bench [--short] [options]
              --short                     the short mode (1,000 subscriptions, 20,000 records, live load 300/s, about 90 s)
              --subscriptions D,P,T,S     distributors, partners per distributor, tenants per partner,
                                          subscriptions per tenant (full: 100,10,10,10 = 100,000)
              --backlog N                 records preloaded before the job starts (full: expected rate x min window x 1.2)
              --expected-rate R           records/s the backlog is sized for (full: 50000)
              --min-window D              shortest throughput window that counts as sustained (full: 3m)
              --max-window D              longest time to wait for the backlog to drain (full: 20m)
              --live D                    live phase measuring latencies (full: 2m, short: 15s)
              --live-warmup D             live load before the probes and clients start (full: 15s, short: 3s)
              --live-share F | --live-rate R   live load as a share of the measured rate (full: 0.5) or fixed (short: 300)
              --soak [D]                  after the live phase, the same load goes on for D (30m if not given), the job
                                          started with dedup-horizon 10min: heap after a full GC, checkpoint size and
                                          duration, lag and committed rate every --soak-sample, and their drift
              --soak-sample D             interval of the soak's samples (1m)
              --no-failure                skip the task-failure phase
              --failure-budget D          longest wait for recovery and drained lag (full: 5m, short: 60s)
              --api-clients N --api-think D    dashboard clients and their pause (4, 100ms)
              --probes N                  probe subscriptions polled for event-to-queryable latency (4)
              --probe-poll D              poll interval of the probes (50ms)
              --partitions N --parallelism N   usage topic partitions (4), job parallelism (2)
              --preload-threads N         producer threads of the backlog (2)
              --duplicates F --late F --bad F  shares of the usage mix (0.01 0.01 0.005)
              --checkpoint-interval D     (full: 10s, short: 2s)
              --unknown-grace D           the job's unknown-subscription-grace (full: its default)
              --pipeline-heap H           the job's -Xmx (full: 6g: its keyed state grows with every new window, see BENCHMARKS.md)
              --jfr | --no-jfr            profile the job with JFR during the throughput window (full: on)
              --broadcast-classpath FILE  class path of pipeline test classes: run BroadcastMemoryBenchmark
              --broadcast-sizes N,N       (100000,1000000); infra/bin/bench --no-broadcast leaves it out
              --pipeline-arg KEY=VALUE    any further job configuration key (repeatable)
              --flink-cluster URL         submit the job to this Flink cluster's REST API (the local cluster's: infra/bin/bench --cluster)
                                          instead of running it in local mode; no JFR profile then
              --out DIR                   where results.md and the recording go (target/bench)
              --keep                      keep the run's topics and keyspace
              --seed N
            """;

    /** Applies {@code --name value} options (and the flags) to the mode {@code --short} chooses. */
    public static BenchSettings parse(String[] args) {
        boolean shortMode = List.of(args).contains("--short");
        Map<String, String> a = new HashMap<>();
        List<String> pipelineArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            switch (name) {
                case "short" -> { }
                // the one option whose value may be left out
                case "soak" -> a.put(name, i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i]
                        : flinkDuration(DEFAULT_SOAK));
                case "no-failure", "keep", "jfr", "no-jfr" -> a.put(name, "true");
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    String value = args[++i];
                    if (name.equals("pipeline-arg")) {
                        pipelineArgs.add(value);
                    } else {
                        a.put(name, value);
                    }
                }
            }
        }
        BenchSettings base = shortMode ? quick() : full();
        if (!pipelineArgs.isEmpty()) {
            a.put("pipeline-arg", String.join("\u0000", pipelineArgs));
        }
        return base.with(a);
    }

    private BenchSettings with(Map<String, String> in) {
        Map<String, String> a = new HashMap<>(in);
        ChannelShape ch = channel;
        if (a.containsKey("subscriptions")) {
            String[] n = a.remove("subscriptions").split(",");
            if (n.length != 4) {
                throw new IllegalArgumentException("--subscriptions takes D,P,T,S");
            }
            int[] v = new int[4];
            for (int i = 0; i < 4; i++) {
                v[i] = Integer.parseInt(n[i].strip());
            }
            ch = new ChannelShape(ch.prefix(), v[0], v[1], v[2], v[3]);
        }
        List<String> extra = new ArrayList<>(pipelineArgs);
        if (a.containsKey("pipeline-arg")) {
            for (String kv : a.remove("pipeline-arg").split("\u0000")) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--pipeline-arg takes KEY=VALUE, was '" + kv + "'");
                }
                extra.add("--" + kv.substring(0, eq));
                extra.add(kv.substring(eq + 1));
            }
        }
        List<Integer> sizes = broadcastSizes;
        if (a.containsKey("broadcast-sizes")) {
            sizes = new ArrayList<>();
            for (String s : a.remove("broadcast-sizes").split(",")) {
                sizes.add(Integer.parseInt(s.strip()));
            }
        }
        boolean jfrOn = a.containsKey("no-jfr") ? false : a.containsKey("jfr") || jfr;
        a.remove("no-jfr");
        a.remove("jfr");
        BenchSettings s = new BenchSettings(shortMode, ch,
                integer(a, "probes", probeSubscriptions),
                (long) number(a, "backlog", backlog),
                number(a, "expected-rate", expectedRate),
                duration(a, "min-window", minWindow),
                duration(a, "max-window", maxWindow),
                duration(a, "live-warmup", liveWarmup),
                duration(a, "live", live),
                number(a, "live-share", liveShare),
                number(a, "live-rate", a.containsKey("live-share") ? 0 : liveRate),
                !a.containsKey("no-failure") && injectFailure,
                duration(a, "failure-budget", failureBudget),
                integer(a, "api-clients", apiClients),
                duration(a, "api-think", apiThink),
                duration(a, "probe-poll", probePoll),
                integer(a, "preload-threads", preloadThreads),
                integer(a, "partitions", partitions),
                integer(a, "parallelism", parallelism),
                duration(a, "checkpoint-interval", checkpointInterval),
                a.containsKey("unknown-grace") ? duration(a, "unknown-grace", null) : unknownSubscriptionGrace,
                a.containsKey("pipeline-heap") ? a.get("pipeline-heap") : pipelineHeap,
                jfrOn,
                a.containsKey("out") ? Path.of(a.get("out")) : out,
                a.containsKey("broadcast-classpath") ? Path.of(a.get("broadcast-classpath")) : broadcastClasspath,
                sizes,
                a.containsKey("keep") || keep,
                extra,
                number(a, "duplicates", duplicates),
                number(a, "late", late),
                number(a, "bad", bad),
                (long) number(a, "seed", seed),
                a.containsKey("flink-cluster") ? a.get("flink-cluster") : flinkCluster,
                duration(a, "soak", soak),
                duration(a, "soak-sample", soakSample));
        a.keySet().removeAll(List.of("probes", "backlog", "expected-rate", "min-window", "max-window", "live-warmup", "live",
                "live-share", "live-rate", "no-failure", "failure-budget", "api-clients", "api-think", "probe-poll", "preload-threads",
                "partitions", "parallelism", "checkpoint-interval", "unknown-grace", "pipeline-heap", "out", "broadcast-classpath",
                "keep", "duplicates", "late", "bad", "seed", "flink-cluster", "soak", "soak-sample"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + a.keySet());
        }
        if (s.backlogRecords() <= 0) {
            throw new IllegalArgumentException("give --backlog or --expected-rate and --min-window");
        }
        return s;
    }

    private static int integer(Map<String, String> a, String name, int dflt) {
        try {
            return a.containsKey(name) ? Integer.parseInt(a.get(name).replace("_", "")) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, was '" + a.get(name) + "'");
        }
    }

    private static double number(Map<String, String> a, String name, double dflt) {
        try {
            return a.containsKey(name) ? Double.parseDouble(a.get(name).replace("_", "")) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, was '" + a.get(name) + "'");
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static Duration duration(Map<String, String> a, String name, Duration dflt) {
        if (!a.containsKey(name)) {
            return dflt;
        }
        Matcher m = DURATION.matcher(a.get(name).strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must look like 500ms, 90s, 10m or 1h, was '" + a.get(name) + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** A duration as the pipeline's configuration takes it (e.g. 10s, 500ms). */
    static String flinkDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
