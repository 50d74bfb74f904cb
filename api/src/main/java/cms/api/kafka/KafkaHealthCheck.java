package cms.api.kafka;

import com.codahale.metrics.health.HealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Kafka answers, and the reference feed is following its topics. */
public final class KafkaHealthCheck extends HealthCheck {
    private final String bootstrapServers;
    private final ReferenceFeed feed;

    public KafkaHealthCheck(String bootstrapServers, ReferenceFeed feed) {
        this.bootstrapServers = bootstrapServers;
        this.feed = feed;
    }

    @Override
    protected Result check() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                    .nodes().get(4, TimeUnit.SECONDS).size();
            String problem = feed.problem();
            if (problem != null) {
                return Result.unhealthy("reference feed " + problem);
            }
            return Result.healthy("%d broker(s); %d reference versions applied", brokers, feed.appliedCount());
        }
    }
}
