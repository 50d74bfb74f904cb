package cms.api.ratingjob;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.annotation.Async;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The rating job, as the API can see it without depending on the pipeline: red when Flink's REST
 * API (when configured) says the job is not RUNNING or is restarting, or when the job's consumer
 * group has not advanced its committed offsets on the usage topic for {@code stallAfter} while
 * records wait there (read with Kafka's Admin client: the group's committed offsets against the
 * topic's end offsets).
 *
 * <p>Run every 5 s in the background (Dropwizard's asynchronous health checks): /healthcheck answers
 * the latest result at once however slow Kafka or Flink are to answer, the offsets are observed
 * steadily whether anyone asks or not, and a green result older than 30 s (a look that hangs)
 * counts as red.
 */
@Async(period = 5, unit = TimeUnit.SECONDS, scheduleType = Async.ScheduleType.FIXED_DELAY,
        initialState = Async.InitialState.UNHEALTHY, healthyTtl = 30)
public final class RatingJobHealthCheck extends HealthCheck {
    private final String bootstrapServers;
    private final String group;
    private final String topic;
    private final Optional<FlinkJobs> flink;
    private final JobProgress progress;
    private final Clock clock;

    /** @param flinkRestUrl Flink's REST API (the job's web UI), or null to judge by the offsets alone */
    public RatingJobHealthCheck(String bootstrapServers, String group, String topic, String flinkRestUrl, String jobName,
                                Duration stallAfter, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.group = group;
        this.topic = topic;
        this.flink = flinkRestUrl == null || flinkRestUrl.isBlank() ? Optional.empty()
                : Optional.of(new FlinkJobs(flinkRestUrl, jobName, Duration.ofSeconds(3)));
        this.progress = new JobProgress(stallAfter);
        this.clock = clock;
    }

    @Override
    protected synchronized Result check() throws Exception {
        String job = "";
        if (flink.isPresent()) {
            FlinkJobs.State state = flink.get().state();
            if (state.problem().isPresent()) {
                return Result.unhealthy(state.problem().get());
            }
            job = state.summary() + "; ";
        }
        JobProgress.Offsets offsets = offsets();
        Optional<String> stalled = progress.observe(offsets, clock.instant());
        if (stalled.isPresent()) {
            return Result.unhealthy("group " + group + " on " + topic + ": " + stalled.get());
        }
        return Result.healthy("%sgroup %s on %s: %,d records behind its committed offsets, which last moved %d s ago",
                job, group, topic, offsets.lag(), progress.secondsSinceAdvance(clock.instant()));
    }

    private JobProgress.Offsets offsets() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(4, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(4, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(4, TimeUnit.SECONDS);
            long end = 0;
            long done = 0;
            boolean any = false;
            for (var e : ends.entrySet()) {
                end += e.getValue().offset();
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c != null) {
                    done += c.offset();
                    any = true;
                }
            }
            return new JobProgress.Offsets(done, end, any);
        }
    }
}
