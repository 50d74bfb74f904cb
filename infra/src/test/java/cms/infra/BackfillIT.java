package cms.infra;

import cms.avro.UsageEvent;
import cms.infra.load.ChannelShape;
import cms.infra.load.UsageGenerator;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroDeserializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The run command's backfill against the real broker: every event it sends for the previous period's last day is on that day. */
class BackfillIT {
    @Test
    void everyBackfilledEventIsOnTheLastDayOfThePreviousPeriod() throws Exception {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String topic = "it-backfill-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Instant day = Instant.parse("2026-11-30T00:00:00Z");
        Instant end = day.plus(Duration.ofDays(1));
        UsageGenerator.Stats stats = UsageGenerator.run(LocalSystem.backfillOptions(stack, new ChannelShape("bf", 2, 3, 4, 5), day, topic), null);
        assertThat(stats.total()).isEqualTo(20_000);
        assertThat(stats.earliestEventTime()).isAfterOrEqualTo(day);
        assertThat(stats.latestEventTime()).isBefore(end).isAfter(end.minusSeconds(60));
        assertThat(stats.describe()).startsWith("20,000 records (").contains("event times 2026-11-30T");

        AvroDeserializer<UsageEvent> deserializer = new AvroDeserializer<>(
                new SchemaRegistryClient(SchemaRegistryClient.Config.of(stack.registryUrl())), UsageEvent.class);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long records = 0;
        long[] hours = new long[24];
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(90);
            while (records < 20_000 && Instant.now().isBefore(deadline)) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    UsageEvent e = deserializer.deserialize(r.value());
                    assertThat(e.getEventTime()).as(e.getEventId()).isAfterOrEqualTo(day).isBefore(end);
                    hours[(int) Duration.between(day, e.getEventTime()).toHours()]++;
                }
            }
        } finally {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(records).isEqualTo(20_000);
        // spread over the whole day: every hour holds about a 24th
        for (int h = 0; h < 24; h++) {
            assertThat(hours[h]).as("events in hour " + h).isBetween(700L, 970L);
        }
    }
}
