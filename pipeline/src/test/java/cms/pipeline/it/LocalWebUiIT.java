package cms.pipeline.it;

import cms.pipeline.job.PipelineConfig;
import cms.pipeline.job.RatingJob;
import cms.pipeline.job.Workflow;
import cms.stack.LocalStackAddresses;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local mode of the README's run command: the real job in-process, with Flink's web UI on
 * 127.0.0.1. In its own class: a local environment with web UI cannot run beside a MiniClusterExtension.
 */
class LocalWebUiIT {
    @Test
    void theJobRunsLocallyAndTheWebUiShowsIt() throws Exception {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> o = new HashMap<>();
        for (String key : List.of(PipelineConfig.USAGE_TOPIC, PipelineConfig.RATED_TOPIC, PipelineConfig.DEAD_LETTER_TOPIC,
                PipelineConfig.HIERARCHY_TOPIC, PipelineConfig.PRICE_BOOK_TOPIC, PipelineConfig.COMMISSION_PLAN_TOPIC)) {
            o.put(key, "it." + run + "." + key.substring("topic.".length()));
        }
        o.put(PipelineConfig.CONSUMER_GROUP, "it-" + run);
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, "it-" + run);
        o.put(PipelineConfig.PARALLELISM, "1");
        PipelineConfig config = PipelineConfig.from(o, stack);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            List<NewTopic> topics = new ArrayList<>();
            o.entrySet().stream().filter(e -> e.getKey().startsWith("topic.")).forEach(e -> topics.add(new NewTopic(e.getValue(), 1, (short) 1)));
            admin.createTopics(topics).all().get();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            StreamExecutionEnvironment env = RatingJob.environment(config, true, port);
            env.setParallelism(config.parallelism());
            Workflow.build(env, config, RatingJob.sources(config), RatingJob.sinks(config));
            JobClient job = env.executeAsync("local web UI IT " + run);
            try {
                HttpClient http = HttpClient.newHttpClient();
                String body = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !body.contains("\"state\":\"RUNNING\"")) {
                    Thread.sleep(500);
                    try {
                        body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs/" + job.getJobID()))
                                .build(), HttpResponse.BodyHandlers.ofString()).body();
                    } catch (java.io.IOException notYet) {
                        body = "";
                    }
                }
                assertThat(body).contains("\"state\":\"RUNNING\"").contains("enrich and rate");
                String index = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(index).containsIgnoringCase("<html");
            } finally {
                job.cancel().get();
                admin.deleteTopics(o.entrySet().stream().filter(e -> e.getKey().startsWith("topic.")).map(Map.Entry::getValue).toList()).all().get();
            }
        }
    }
}
