package cms.pipeline.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the job's configuration derives from kafka.transaction-timeout: how long it rides out Cassandra or checkpoint failures. */
class RatingJobTest {
    @Test
    void failedCheckpointsInARowAndCassandraRetriesFitInHalfTheTransactionTimeout() {
        PipelineConfig defaults = PipelineConfig.from(Map.of());
        assertThat(RatingJob.tolerableFailedCheckpoints(defaults)).as("10 s checkpoints, 5 min transactions").isEqualTo(15);
        assertThat(RatingJob.cassandraRetryWindow(defaults)).isEqualTo(Duration.ofSeconds(150));
        assertThat(RatingJob.flinkConfiguration(defaults).get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isEqualTo(15);

        PipelineConfig its = PipelineConfig.from(Map.of(PipelineConfig.CHECKPOINT_INTERVAL, "1s", PipelineConfig.TRANSACTION_TIMEOUT, "2min"));
        assertThat(RatingJob.tolerableFailedCheckpoints(its)).isEqualTo(60);
        assertThat(RatingJob.cassandraRetryWindow(its)).isEqualTo(Duration.ofMinutes(1));

        PipelineConfig tight = PipelineConfig.from(Map.of(PipelineConfig.CHECKPOINT_INTERVAL, "4min", PipelineConfig.TRANSACTION_TIMEOUT, "5min"));
        assertThat(RatingJob.tolerableFailedCheckpoints(tight)).as("at least one").isEqualTo(1);
    }
}
