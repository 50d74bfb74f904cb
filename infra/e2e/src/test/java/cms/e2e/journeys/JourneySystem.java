package cms.e2e.journeys;

import cms.avro.DeadLetter;
import cms.avro.RatedUsage;
import cms.avro.UsageEvent;
import cms.infra.RunTopics;
import cms.infra.RunningSystem;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The product's two processes (cms.infra.RunningSystem: the packaged job in local Flink and the API
 * jar) on the shared local stack, isolated for one run: a keyspace of its own (both processes follow
 * CMS_KEYSPACE), usage / rated / dead-letter topics of its own (so no other producer's event times
 * move this run's watermark), its own consumer group and transactional-id prefix, and free ports.
 * The reference-data topics are the stack's (shared), so every id the run creates carries its run id.
 */
final class JourneySystem implements AutoCloseable {
    /** The job's timings for the run: short, so a billing period closes within seconds of its closing usage. */
    static final Duration ALLOWED_LATENESS = Duration.ofMinutes(5);
    static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(10);

    final String runId;
    final String keyspace;
    private final RunTopics resources;
    final String usageTopic;
    final String ratedTopic;
    final String deadLetterTopic;
    final int partitions;
    final LocalStackAddresses stack;
    final RunningSystem system;
    final Api api;
    private final Duration startup;

    private JourneySystem(String runId, RunTopics resources, String usageTopic, String ratedTopic, String deadLetterTopic,
                          int partitions, LocalStackAddresses stack, RunningSystem system, Duration startup) {
        this.runId = runId;
        this.resources = resources;
        this.keyspace = resources.keyspace();
        this.usageTopic = usageTopic;
        this.ratedTopic = ratedTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.partitions = partitions;
        this.stack = stack;
        this.system = system;
        this.api = new Api(system.apiUrl());
        this.startup = startup;
    }

    /** Provisions the run's topics, schemas and keyspace, then starts the job and the API. */
    static JourneySystem start(String runId, String maxEventAge) throws Exception {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String keyspace = "e2e_" + runId;
        String prefix = "cms.e2e." + runId + ".";
        String usage = prefix + "usage";
        String rated = prefix + "usage.rated";
        String deadLetter = prefix + "usage.dead-letter";
        Instant began = Instant.now();

        int partitions;
        try (Admin admin = admin(stack)) {
            TopicDescription stackUsage = admin.describeTopics(List.of(Topics.USAGE)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.USAGE);
            partitions = stackUsage.partitions().size();
        }
        RunTopics resources = RunTopics.provision(stack, keyspace, List.of(
                new RunTopics.Topic(usage, partitions, UsageEvent.getClassSchema()),
                new RunTopics.Topic(rated, partitions, RatedUsage.getClassSchema()),
                new RunTopics.Topic(deadLetter, 1, DeadLetter.getClassSchema())));

        RunningSystem.Options options = RunningSystem.Options.defaults()
                .withFreePorts()
                .withEnvironment("CMS_KEYSPACE", keyspace)
                .withPipelineArgs(
                        "--topic.usage", usage, "--topic.rated", rated, "--topic.dead-letter", deadLetter,
                        "--kafka.group", "cms-e2e-" + runId, "--kafka.transactional-id-prefix", "cms-e2e-" + runId,
                        "--allowed-lateness", ALLOWED_LATENESS.toSeconds() + "s",
                        "--out-of-orderness", OUT_OF_ORDERNESS.toSeconds() + "s",
                        "--source-idleness", "5s", "--refresh-interval", "1s", "--checkpoint-interval", "2s",
                        "--max-event-age", maxEventAge);
        RunningSystem system = RunningSystem.start(options);
        return new JourneySystem(runId, resources, usage, rated, deadLetter, partitions, stack, system,
                Duration.between(began, Instant.now()));
    }

    Duration startup() {
        return startup;
    }

    /** Tokens for users, minted at once by the API's token command. */
    Map<String, String> tokens(List<String> users) {
        return system.tokens(users);
    }

    /** The last lines of both processes' logs, for a failure report. */
    String logTails(int lines) {
        return tail(system.pipelineLog(), lines) + "\n" + tail(system.apiLog(), lines);
    }

    /** Stops both processes. With {@code cleanUp}, drops the run's keyspace and topics too. */
    void close(boolean cleanUp) {
        system.close();
        if (!cleanUp) {
            System.out.printf("[e2e] kept for inspection: keyspace %s, topics %s, %s, %s%n", keyspace, usageTopic, ratedTopic,
                    deadLetterTopic);
            return;
        }
        resources.remove().forEach(problem -> System.out.println("[e2e] " + problem));
    }

    @Override
    public void close() {
        close(false);
    }

    private static String tail(Path log, int lines) {
        try {
            if (!Files.exists(log)) {
                return "---- " + log + ": (no log)";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- last " + lines + " lines of " + log + "\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "---- " + log + ": unreadable (" + e + ")";
        }
    }

    private static Admin admin(LocalStackAddresses stack) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    static Map<String, String> describe(JourneySystem s) {
        return Map.of("keyspace", s.keyspace, "usage", s.usageTopic, "api", s.system.apiUrl(), "flink", s.system.flinkUiUrl());
    }
}
