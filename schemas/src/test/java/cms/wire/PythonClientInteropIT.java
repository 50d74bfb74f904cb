package cms.wire;

import cms.avro.UsageEvent;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interoperability with a client nobody here wrote: Confluent's own Python client (librdkafka and
 * its Avro serializer, from Debian) against the real broker and registry, in both directions.
 */
class PythonClientInteropIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = LocalStackAddresses.projectRoot();
    private static final Path SCRIPT = ROOT.resolve("schemas/src/test/python/confluent_interop.py");
    private static final Path SCHEMA = ROOT.resolve("schemas/src/main/avro/common/UsageEvent.avsc");

    private final LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
    private final SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(stack.registryUrl()));

    @Test
    void ourDeserializerReadsWhatConfluentsProducerWrote() throws Exception {
        String topic = createTopic("interop-from-python-");
        List<JsonNode> sent = python("produce", topic, 12);
        assertThat(sent).hasSize(12);

        AvroDeserializer<UsageEvent> deserializer = new AvroDeserializer<>(registry, UsageEvent.class);
        List<UsageEvent> read = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consume(topic, sent.size())) {
            UsageEvent e = deserializer.deserialize(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).as("key is the subscription id").isEqualTo(e.getSubscriptionId());
            read.add(e);
        }

        assertThat(read).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            JsonNode expected = sent.get(i);
            UsageEvent actual = read.get(i);
            assertThat(actual.getEventId()).isEqualTo(expected.get("eventId").asText());
            assertThat(actual.getSubscriptionId()).isEqualTo(expected.get("subscriptionId").asText());
            assertThat(actual.getMeterId()).isEqualTo(expected.get("meterId").asText());
            assertThat(actual.getQuantity()).isEqualTo(new BigDecimal(expected.get("quantity").asText()));
            assertThat(actual.getQuantity().scale()).isEqualTo(9);
            assertThat(actual.getEventTime()).isEqualTo(Instant.ofEpochMilli(expected.get("eventTime").asLong()));
            assertThat(actual.getRegion()).isEqualTo(expected.get("region").isNull() ? null : expected.get("region").asText());
            assertThat(actual.getResourceId()).isEqualTo(expected.get("resourceId").asText());
            assertThat(actual.getAttributes()).isEqualTo(JSON.convertValue(expected.get("attributes"), Map.class));
        }
    }

    @Test
    void confluentsConsumerReadsWhatOurSerializerWrote() throws Exception {
        String topic = createTopic("interop-to-python-");
        AvroSerializer serializer = new AvroSerializer(registry, true);
        List<UsageEvent> sent = new ArrayList<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 9; i++) {
                Map<String, String> attributes = new HashMap<>();
                attributes.put("i", Integer.toString(i));
                UsageEvent e = UsageEvent.newBuilder()
                        .setEventId("java-" + i).setSubscriptionId("sub-" + i).setMeterId("storage.gb.hours")
                        .setQuantity(new BigDecimal("1000000000000000000.000000001").multiply(BigDecimal.valueOf(i)).add(new BigDecimal("0.5")))
                        .setEventTime(Instant.parse("2026-11-01T00:00:00.007Z").plusSeconds(3600L * i))
                        .setRegion(i % 3 == 0 ? null : "ap-south").setResourceId(i % 2 == 0 ? null : "disk-" + i)
                        .setAttributes(attributes)
                        .build();
                sent.add(e);
                producer.send(new ProducerRecord<>(topic, e.getSubscriptionId(), serializer.serialize(topic, e))).get();
            }
        }

        List<JsonNode> read = python("consume", topic, sent.size());

        assertThat(read).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            UsageEvent expected = sent.get(i);
            JsonNode actual = read.get(i);
            assertThat(actual.get("eventId").asText()).isEqualTo(expected.getEventId());
            assertThat(actual.get("subscriptionId").asText()).isEqualTo(expected.getSubscriptionId());
            assertThat(actual.get("meterId").asText()).isEqualTo(expected.getMeterId());
            assertThat(new BigDecimal(actual.get("quantity").asText())).isEqualByComparingTo(expected.getQuantity());
            assertThat(actual.get("eventTime").asLong()).isEqualTo(expected.getEventTime().toEpochMilli());
            assertThat(actual.get("region").isNull() ? null : actual.get("region").asText()).isEqualTo(expected.getRegion());
            assertThat(actual.get("resourceId").isNull() ? null : actual.get("resourceId").asText()).isEqualTo(expected.getResourceId());
            assertThat(JSON.convertValue(actual.get("attributes"), Map.class)).isEqualTo(expected.getAttributes());
        }
    }

    private String createTopic(String prefix) throws Exception {
        String topic = prefix + UUID.randomUUID();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "interop-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(60);
            while (out.size() < count && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    /** Runs the Python client with Debian's own interpreter; returns the JSON lines it printed. */
    private List<JsonNode> python(String mode, String topic, int count) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString(), mode,
                "--bootstrap", stack.kafkaBootstrap(), "--registry", stack.registryUrl(),
                "--topic", topic, "--count", Integer.toString(count)));
        if (mode.equals("produce")) {
            cmd.addAll(List.of("--schema", SCHEMA.toString()));
        }
        Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("python client finished").isTrue();
        assertThat(process.exitValue()).as("python client exit code; output:\n" + out).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
