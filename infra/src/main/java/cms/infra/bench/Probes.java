package cms.infra.bench;

import cms.avro.UsageEvent;
import cms.wire.AvroSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event-to-queryable latency: one thread per probe subscription (subscriptions that receive nothing
 * else) sends one usage event at a time, stamped with the wall clock, and polls the API's
 * subscription query (HOUR windows) every {@code poll} until the windows' event count includes it.
 * The latency is from the moment the event is handed to the producer to the moment the API's
 * answer includes it; the poll interval bounds its resolution.
 */
final class Probes implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl;
    private final String token;
    private final String topic;
    private final List<String> subscriptions;
    private final String runId;
    private final Duration poll;
    private final Duration timeout;
    private final AvroSerializer serializer;
    private final KafkaProducer<String, byte[]> producer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Latencies latencies = new Latencies();
    private final AtomicLong sent = new AtomicLong();
    private final Workers workers = new Workers();
    private final String from;
    private final String to;

    Probes(String bootstrap, AvroSerializer serializer, String topic, String apiUrl, String token, List<String> subscriptions,
           String runId, Duration poll, Duration timeout) {
        this.apiUrl = apiUrl;
        this.token = token;
        this.topic = topic;
        this.subscriptions = List.copyOf(subscriptions);
        this.runId = runId;
        this.poll = poll;
        this.timeout = timeout;
        this.serializer = serializer;
        Properties p = LoadProducer.producerProperties(bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        this.from = hour.minus(1, ChronoUnit.HOURS).toString();
        this.to = hour.plus(2, ChronoUnit.DAYS).toString();
    }

    void start() {
        for (String subscription : subscriptions) {
            workers.start("bench-probe-" + subscription, () -> probe(subscription));
        }
    }

    /** Stops probing (each thread finishes the probe it waits for, up to the timeout) and flushes. */
    void stop() throws Exception {
        try {
            workers.stop(timeout.toMillis() + 10_000);
        } finally {
            producer.flush();
        }
    }

    Latencies latencies() {
        return latencies;
    }

    /** Probe events sent (each is a rated record to account for). */
    long sent() {
        return sent.get();
    }

    private void probe(String subscription) {
        long n = 0;
        try {
            while (!workers.stopping()) {
                n++;
                UsageEvent event = UsageEvent.newBuilder()
                        .setEventId("probe-" + runId + "-" + subscription + "-" + n)
                        .setSubscriptionId(subscription)
                        .setMeterId("compute.vcpu.hours")
                        .setQuantity(BigDecimal.ONE.setScale(9))
                        .setEventTime(Instant.now())
                        .setRegion(null)
                        .setResourceId(null)
                        .setAttributes(Map.of())
                        .build();
                byte[] value = serializer.serialize(topic, event);
                long began = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, subscription, value), (m, e) -> {
                    if (e != null) {
                        workers.fail(e);
                    }
                });
                sent.incrementAndGet();
                boolean seen = false;
                while (System.nanoTime() - began < timeout.toNanos()) {
                    if (eventCount(subscription) >= n) {
                        latencies.add((System.nanoTime() - began) / 1e6);
                        seen = true;
                        break;
                    }
                    Thread.sleep(poll.toMillis());
                }
                if (!seen) {
                    latencies.fail();
                }
                Thread.sleep(100 + ThreadLocalRandom.current().nextInt(400));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            workers.fail(e);
        }
    }

    private long eventCount(String subscription) throws Exception {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/usage/subscription/" + subscription
                            + "?from=" + from + "&to=" + to + "&granularity=HOUR"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException slow) {
            // not seen yet: the probe's own timeout decides (an answer slower than 10 s on a loaded machine ended the whole run)
            return -1;
        }
        if (r.statusCode() != 200) {
            // 404 until the API's reference feed has the probe subscription
            return -1;
        }
        long count = 0;
        for (JsonNode w : JSON.readTree(r.body()).path("windows")) {
            count += w.path("eventCount").asLong();
        }
        return count;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
