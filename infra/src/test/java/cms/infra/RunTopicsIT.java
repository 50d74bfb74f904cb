package cms.infra;

import cms.avro.DeadLetter;
import cms.avro.UsageEvent;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's own topics on the real broker: its dead-letter topic takes what the stack's takes. */
class RunTopicsIT {
    @Test
    void aRunsDeadLetterTopicTakesTheDeadLetterOfAnyUsageRecord() throws Exception {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String run = "it-run-topics-" + UUID.randomUUID().toString().substring(0, 8);
        String keyspace = "it_run_topics_" + UUID.randomUUID().toString().substring(0, 8);
        RunTopics topics = RunTopics.provision(stack, keyspace, List.of(new RunTopics.Topic(run + ".usage", 2, UsageEvent.getClassSchema()),
                new RunTopics.Topic(run + ".dead-letter", 1, DeadLetter.getClassSchema())));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            ConfigResource dead = new ConfigResource(ConfigResource.Type.TOPIC, run + ".dead-letter");
            ConfigResource usage = new ConfigResource(ConfigResource.Type.TOPIC, run + ".usage");
            var configs = admin.describeConfigs(List.of(dead, usage)).all().get(30, TimeUnit.SECONDS);
            assertThat(configs.get(dead).get("max.message.bytes").value()).isEqualTo(Integer.toString(Topics.DEAD_LETTER_MAX_MESSAGE_BYTES));
            assertThat(Integer.parseInt(configs.get(usage).get("max.message.bytes").value()))
                    .as("the usage topic keeps the broker's limit, under half the dead-letter topic's").isLessThan(Topics.DEAD_LETTER_MAX_MESSAGE_BYTES / 2);
            assertThat(configs.get(usage).get("retention.ms").value()).as("the usage topic's retention (see Topics.USAGE_CONFIG)").isEqualTo("-1");
        } finally {
            assertThat(topics.remove()).isEmpty();
        }
    }
}
