package cms.infra.bench;

import cms.infra.load.ChannelShape;
import cms.infra.load.UsageMix;
import cms.wire.AvroSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's usage: the generator's mix ({@link UsageMix}: fresh usage, duplicates, late and
 * bad records, event time = the wall clock) sent either as fast as possible by several threads
 * (the backlog, before the job starts) or at a fixed rate until stopped (the live phase). Counts
 * what it sent by kind, so every record can be accounted for afterwards.
 */
final class LoadProducer implements AutoCloseable {
    /** Shares of the mix, as the usage generator takes them. */
    record Mix(double duplicates, double late, double bad, Duration lateBy) {}

    private final String bootstrap;
    private final String topic;
    private final ChannelShape channel;
    private final Mix mix;
    private final AvroSerializer serializer;
    private final Map<UsageMix.Kind, LongAdder> sent = new EnumMap<>(UsageMix.Kind.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong total = new AtomicLong();
    private volatile boolean stopping;
    private Thread live;

    LoadProducer(String bootstrap, AvroSerializer serializer, String topic, ChannelShape channel, Mix mix) {
        this.bootstrap = bootstrap;
        this.serializer = serializer;
        this.topic = topic;
        this.channel = channel;
        this.mix = mix;
        for (UsageMix.Kind k : UsageMix.Kind.values()) {
            sent.put(k, new LongAdder());
        }
    }

    static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /**
     * Sends {@code records} as fast as {@code threads} producers can (each its own mix and seed, so
     * event ids never collide) and returns when Kafka acknowledged all of them.
     */
    void preload(long records, int threads, long seed, PrintStream progress) throws Exception {
        List<Thread> workers = new ArrayList<>();
        long began = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long share = records / threads + (t < records % threads ? 1 : 0);
            long mySeed = seed * 64 + t;
            Thread w = new Thread(() -> send(share, Double.POSITIVE_INFINITY, mySeed), "bench-preload-" + t);
            w.start();
            workers.add(w);
        }
        long nextReport = System.nanoTime() + 10_000_000_000L;
        for (Thread w : workers) {
            while (w.isAlive()) {
                w.join(500);
                if (progress != null && System.nanoTime() >= nextReport) {
                    nextReport += 10_000_000_000L;
                    progress.printf("  backlog: %,d of %,d records sent (%,.0f/s)%n", total.get(), records,
                            total.get() / ((System.nanoTime() - began) / 1e9));
                }
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Starts sending at {@code rate} records/s on a thread of its own until {@link #stop()}. */
    void startLive(double rate, long seed) {
        live = new Thread(() -> send(Long.MAX_VALUE, rate, seed), "bench-live-load");
        live.setDaemon(true);
        live.start();
    }

    /** Stops the live load and waits until Kafka acknowledged everything it sent. */
    void stop() throws Exception {
        stopping = true;
        if (live != null) {
            live.join(60_000);
            if (live.isAlive()) {
                throw new IllegalStateException("the live load did not stop within 60 s");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    long total() {
        return total.get();
    }

    Map<UsageMix.Kind, Long> sent() {
        Map<UsageMix.Kind, Long> out = new EnumMap<>(UsageMix.Kind.class);
        sent.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void send(long records, double rate, long seed) {
        UsageMix usage = new UsageMix(channel, UsageMix.DEFAULT_METERS, mix.duplicates(), mix.late(), mix.bad(), mix.lateBy(), seed);
        long nanosPerRecord = Double.isInfinite(rate) ? 0 : (long) (1e9 / rate);
        long began = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap), new StringSerializer(),
                new ByteArraySerializer())) {
            for (long n = 0; n < records && !stopping && failure.get() == null; n++) {
                if (nanosPerRecord > 0) {
                    long wait = began + n * nanosPerRecord - System.nanoTime();
                    if (wait > 200_000) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                UsageMix.Draft draft = usage.next(Instant.now());
                byte[] value = draft.raw() != null ? draft.raw() : serializer.serialize(topic, draft.event());
                producer.send(new ProducerRecord<>(topic, draft.key(), value), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                sent.get(draft.kind()).increment();
                total.incrementAndGet();
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
