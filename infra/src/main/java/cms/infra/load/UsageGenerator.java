package cms.infra.load;

import cms.infra.flink.FlinkRest;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.wire.AvroSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Streams realistic usage at a chosen rate into cms.usage.v1 of any running system: a regular
 * channel of any size, a share of duplicates, late events and bad records, and an event-time
 * clock that can run faster than the wall clock (so a billing period closes in minutes).
 * Prints a live progress line: records sent, rate, dead letters, consumer lag of the rating job.
 *
 * <pre>
 *   infra/bin/generate --distributors 3 --partners 4 --tenants 5 --subscriptions 10 \
 *       --rate 2000 --duration 60s --duplicates 0.01 --late 0.01 --bad 0.005 \
 *       --start 2026-11-01T00:00:00Z --time-scale 3600
 * </pre>
 */
public final class UsageGenerator {

    /** Everything a load is told. */
    public record Options(String bootstrap, String registryUrl, String topic, ChannelShape channel, double rate,
                          long events, Duration duration, double duplicates, double late, double bad, Duration lateBy,
                          Instant start, double timeScale, long seed, String consumerGroup) {
        public Options {
            if (rate <= 0) {
                throw new IllegalArgumentException("--rate must be > 0 events/s, was " + rate);
            }
            if (events <= 0 && duration == null) {
                throw new IllegalArgumentException("give --events or --duration");
            }
            for (double share : new double[] {duplicates, late, bad}) {
                if (share < 0 || share > 1) {
                    throw new IllegalArgumentException("--duplicates, --late and --bad must be within 0..1");
                }
            }
            if (duplicates + late + bad > 1) {
                throw new IllegalArgumentException("--duplicates + --late + --bad must not exceed 1");
            }
            if (timeScale <= 0) {
                throw new IllegalArgumentException("--time-scale must be > 0, was " + timeScale);
            }
        }

        /**
         * Event time of the {@code index}-th record, sent {@code elapsedNanos} into the run. A load of a
         * given number of events follows its schedule, not the wall clock: record n is at
         * start + (n + 1/2) / rate x time-scale, so the load covers exactly events / rate x time-scale of
         * event time however slowly the machine sends (a backfill of a day fills that day, not the days
         * after it). A load of a given duration follows the wall clock (live usage stays at "now"). Either
         * clock stops at the wall clock: the job dead-letters usage from the future (INVALID), and one
         * far-future event time would otherwise push its event-time watermark past every open window.
         */
        public Instant eventClock(long index, long elapsedNanos) {
            double nanos = events > 0 ? (index + 0.5) * 1e9 / rate : elapsedNanos;
            Instant t = start.plusMillis((long) (nanos / 1_000_000.0 * timeScale));
            Instant now = Instant.now();
            return t.isAfter(now) && !start.isAfter(now) ? now : t;
        }
    }

    /** What was sent, by kind, how long it took, and the event times of the usage sent (null when none was). */
    public record Stats(Map<UsageMix.Kind, Long> sent, Duration took, Instant earliestEventTime, Instant latestEventTime) {
        public long total() {
            return sent.values().stream().mapToLong(Long::longValue).sum();
        }

        public double ratePerSecond() {
            return total() / Math.max(0.001, took.toNanos() / 1e9);
        }

        /** E.g. "20,000 records (FRESH 19,801, DUPLICATE 199) in 6.2 s (3,226/s), event times 2026-11-30T00:00:00Z to 2026-11-30T23:59:55Z". */
        public String describe() {
            String kinds = sent.entrySet().stream().map(e -> e.getKey() + " " + String.format("%,d", e.getValue()))
                    .collect(Collectors.joining(", "));
            return String.format("%,d records (%s) in %.1f s (%,.0f/s), event times %s to %s", total(), kinds, took.toMillis() / 1000.0,
                    ratePerSecond(), earliestEventTime == null ? "-" : earliestEventTime.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    latestEventTime == null ? "-" : latestEventTime.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }

    private UsageGenerator() {}

    /** Sends the load; blocks until done. {@code progress} (may be null) gets a line every second. */
    public static Stats run(Options o, PrintStream progress) throws Exception {
        UsageMix mix = new UsageMix(o.channel(), UsageMix.DEFAULT_METERS, o.duplicates(), o.late(), o.bad(), o.lateBy(), o.seed());
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(o.registryUrl()));
        AvroSerializer serializer = new AvroSerializer(registry, true);
        Map<UsageMix.Kind, Long> sent = new EnumMap<>(UsageMix.Kind.class);
        AtomicReference<Exception> failure = new AtomicReference<>();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");

        long began = System.nanoTime();
        long nanosPerEvent = (long) (1e9 / o.rate());
        long deadline = o.duration() == null ? Long.MAX_VALUE : began + o.duration().toNanos();
        long limit = o.events() > 0 ? o.events() : Long.MAX_VALUE;
        long count = 0;
        long nextReport = began + 1_000_000_000L;
        Instant clock = o.start();
        Instant earliest = null;
        Instant latest = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
             Progress watch = progress == null ? null : new Progress(o)) {
            while (count < limit) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                long due = began + count * nanosPerEvent;
                if (due > now) {
                    long wait = due - now;
                    if (wait > 200_000) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
                clock = o.eventClock(count, System.nanoTime() - began);
                UsageMix.Draft draft = mix.next(clock);
                if (draft.event() != null) {
                    Instant t = draft.event().getEventTime();
                    earliest = earliest == null || t.isBefore(earliest) ? t : earliest;
                    latest = latest == null || t.isAfter(latest) ? t : latest;
                }
                byte[] value = draft.raw() != null ? draft.raw() : serializer.serialize(o.topic(), draft.event());
                producer.send(new ProducerRecord<>(o.topic(), draft.key(), value), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                sent.merge(draft.kind(), 1L, Long::sum);
                count++;
                if (watch != null && System.nanoTime() >= nextReport) {
                    nextReport += 1_000_000_000L;
                    watch.print(progress, count, System.nanoTime() - began, clock, false);
                }
            }
            producer.flush();
            if (failure.get() != null) {
                throw failure.get();
            }
            if (watch != null) {
                watch.print(progress, count, System.nanoTime() - began, clock, true);
            }
        }
        return new Stats(sent, Duration.ofNanos(System.nanoTime() - began), earliest, latest);
    }

    /** The progress line's view of the system: dead letters written and the rating job's lag. */
    private static final class Progress implements AutoCloseable {
        private final Options o;
        private final Admin admin;
        private final long deadLettersAtStart;
        private final String flinkUrl;
        private final FlinkRest flink;

        Progress(Options o) throws Exception {
            this.o = o;
            // the run command's job serves its web UI there; CMS_FLINK_REST_URL points elsewhere
            String url = System.getenv("CMS_FLINK_REST_URL");
            this.flinkUrl = url == null || url.isBlank() ? "http://127.0.0.1:8081" : url;
            this.flink = new FlinkRest(flinkUrl);
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
            this.admin = Admin.create(p);
            this.deadLettersAtStart = endOffsets(Topics.DEAD_LETTER).values().stream().mapToLong(Long::longValue).sum();
        }

        void print(PrintStream out, long count, long elapsedNanos, Instant clock, boolean last) {
            String lag;
            long deadLetters;
            try {
                deadLetters = endOffsets(Topics.DEAD_LETTER).values().stream().mapToLong(Long::longValue).sum() - deadLettersAtStart;
                lag = lag();
            } catch (Exception e) {
                deadLetters = -1;
                lag = "?";
            }
            out.printf("%ssent %,d  %,.0f/s  event time %s  dead letters %s  %s%s",
                    last ? "\r" : "\r", count, count / (elapsedNanos / 1e9), clock.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    deadLetters < 0 ? "?" : String.format("%,d", deadLetters), job(lag), last ? "\n" : "   ");
            out.flush();
        }

        /**
         * The job's state and its true lag, from Flink's REST API: the source readers' pendingRecords
         * (end offsets minus the consumer's position now), then the lag behind the committed offsets,
         * which move only at checkpoints. Says so plainly when the job is not RUNNING or restarting.
         */
        private String job(String committedLag) {
            try {
                String id = flink.jobId();
                FlinkRest.Status status = flink.status(id);
                if (!status.healthy()) {
                    String what = "RUNNING".equals(status.state()) ? "RESTARTING" : status.state();
                    return String.format("JOB %s (%d/%d tasks running)  committed lag %s", what, status.running(), status.tasks(),
                            committedLag);
                }
                java.util.OptionalLong pending = flink.pendingRecords(id);
                return String.format("job RUNNING  lag %s (committed lag %s)",
                        pending.isPresent() ? String.format("%,d", pending.getAsLong()) : "?", committedLag);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "committed lag " + committedLag;
            } catch (IOException | RuntimeException e) {
                return "JOB UNREACHABLE at " + flinkUrl + "  committed lag " + committedLag;
            }
        }

        private String lag() throws Exception {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(o.consumerGroup()).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> ours = committed.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(o.topic()) && e.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            if (ours.isEmpty()) {
                return "n/a (group " + o.consumerGroup() + " has committed nothing)";
            }
            Map<TopicPartition, Long> ends = endOffsets(o.topic());
            long lag = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = ours.get(e.getKey());
                lag += e.getValue() - (c == null ? 0 : c.offset());
            }
            return String.format("%,d", lag);
        }

        private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                request.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            for (var e : admin.listOffsets(request).all().get(5, TimeUnit.SECONDS).entrySet()) {
                ListOffsetsResult.ListOffsetsResultInfo info = e.getValue();
                out.put(e.getKey(), info.offset());
            }
            return out;
        }

        @Override
        public void close() {
            admin.close(Duration.ofSeconds(2));
        }
    }

    // --- command line -----------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("generate: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.out.printf("streaming usage for %,d subscriptions (%d distributors, %d partners, %d tenants) to %s at %,.0f/s%n",
                o.channel().subscriptions(), o.channel().distributors(), o.channel().partners(), o.channel().tenants(),
                o.topic(), o.rate());
        Stats stats = run(o, System.out);
        System.out.println("done: " + stats.describe());
    }

    static final String USAGE = """
            usage: generate [options]
              --bootstrap HOST:PORT     Kafka (default: the local stack)
              --registry URL            Confluent-API registry (default: the local stack)
              --topic NAME              default cms.usage.v1
              --prefix P                id prefix of the channel (default demo)
              --distributors N --partners N --tenants N --subscriptions N
                                        distributors, partners per distributor, tenants per partner,
                                        subscriptions per tenant (default 3 4 5 10)
              --rate N                  events per second (default 1000)
              --events N | --duration D total records, or how long (e.g. 90s, 10m); default 60s
              --duplicates F --late F --bad F   shares 0..1 (default 0.01 0.01 0.005)
              --late-by D               how far behind the clock late events are (default 2h)
              --start INSTANT           event time at the start (default now)
              --time-scale F            event-time seconds per second of the load (default 1); with --events
                                        the event clock follows the schedule (record n at start + n/rate x F),
                                        so the load covers events/rate x F of event time however slowly it is sent
              --seed N                  makes a run repeatable (default 1)
              --group ID                the rating job's consumer group, for the lag (default cms-pipeline)
            """;

    static Options parse(String[] args) {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[++i]);
        }
        ChannelShape channel = new ChannelShape(a.getOrDefault("prefix", "demo"),
                integer(a, "distributors", 3), integer(a, "partners", 4), integer(a, "tenants", 5), integer(a, "subscriptions", 10));
        long events = a.containsKey("events") ? Long.parseLong(a.get("events")) : 0;
        Duration duration = a.containsKey("duration") ? duration(a.get("duration"), "duration") : events > 0 ? null : Duration.ofSeconds(60);
        Options o = new Options(a.getOrDefault("bootstrap", stack.kafkaBootstrap()), a.getOrDefault("registry", stack.registryUrl()),
                a.getOrDefault("topic", Topics.USAGE), channel, decimal(a, "rate", 1000), events, duration,
                decimal(a, "duplicates", 0.01), decimal(a, "late", 0.01), decimal(a, "bad", 0.005),
                duration(a.getOrDefault("late-by", "2h"), "late-by"),
                a.containsKey("start") ? Instant.parse(a.get("start")) : Instant.now(),
                decimal(a, "time-scale", 1), Long.parseLong(a.getOrDefault("seed", "1")), a.getOrDefault("group", "cms-pipeline"));
        a.keySet().removeAll(List.of("bootstrap", "registry", "topic", "prefix", "distributors", "partners", "tenants",
                "subscriptions", "rate", "events", "duration", "duplicates", "late", "bad", "late-by", "start", "time-scale",
                "seed", "group"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + a.keySet());
        }
        return o;
    }

    private static int integer(Map<String, String> a, String name, int dflt) {
        try {
            return a.containsKey(name) ? Integer.parseInt(a.get(name)) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, was '" + a.get(name) + "'");
        }
    }

    private static double decimal(Map<String, String> a, String name, double dflt) {
        try {
            return a.containsKey(name) ? Double.parseDouble(a.get(name)) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, was '" + a.get(name) + "'");
        }
    }

    static Duration duration(String text, String name) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must look like 500ms, 90s, 10m, 2h or 1d, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
