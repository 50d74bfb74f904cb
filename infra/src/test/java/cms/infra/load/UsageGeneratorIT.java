package cms.infra.load;

import cms.avro.UsageEvent;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroDeserializer;
import cms.wire.UndecodableRecordException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator against the real broker and registry: what it reports sending is what is on the topic. */
class UsageGeneratorIT {
    @Test
    void sendsWhatItReports() throws Exception {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String topic = "it-generator-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        UsageGenerator.Options o = new UsageGenerator.Options(stack.kafkaBootstrap(), stack.registryUrl(), topic,
                new ChannelShape("gen", 2, 2, 2, 3), 2000, 3000, null, 0.05, 0.05, 0.05, Duration.ofHours(3),
                Instant.parse("2026-11-01T00:00:00Z"), 3600, 11, "no-such-group");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        UsageGenerator.Stats stats = UsageGenerator.run(o, new PrintStream(progress, true));

        assertThat(stats.total()).isEqualTo(3000);
        // paced: never faster than the 2,000/s asked for (how far below it depends on how busy the machine is)
        assertThat(stats.ratePerSecond()).isLessThan(2000 * 1.1);
        assertThat(progress.toString()).contains("sent 3,000");

        AvroDeserializer<UsageEvent> deserializer = new AvroDeserializer<>(
                new SchemaRegistryClient(SchemaRegistryClient.Config.of(stack.registryUrl())), UsageEvent.class);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long records = 0;
        long undecodable = 0;
        long negative = 0;
        Set<String> ids = new HashSet<>();
        long repeatedIds = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(60);
            while (records < 3000 && Instant.now().isBefore(deadline)) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    try {
                        UsageEvent e = deserializer.deserialize(r.value());
                        assertThat(r.key()).isEqualTo(e.getSubscriptionId());
                        if (e.getQuantity().signum() < 0) {
                            negative++;
                        } else if (!ids.add(e.getEventId())) {
                            repeatedIds++;
                        }
                    } catch (UndecodableRecordException expected) {
                        undecodable++;
                    }
                }
            }
        }
        assertThat(records).isEqualTo(3000);
        assertThat(undecodable).isEqualTo(stats.sent().get(UsageMix.Kind.UNDECODABLE));
        assertThat(negative).isEqualTo(stats.sent().get(UsageMix.Kind.INVALID));
        assertThat(repeatedIds).isEqualTo(stats.sent().get(UsageMix.Kind.DUPLICATE));
    }
}
