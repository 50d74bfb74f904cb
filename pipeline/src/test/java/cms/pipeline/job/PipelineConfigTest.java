package cms.pipeline.job;

import cms.stack.LocalStackAddresses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineConfigTest {
    private static final LocalStackAddresses STACK = new LocalStackAddresses("127.0.0.1", 9292, 9293, 9242, 7200, 8285, "cms");

    @Test
    void defaultsReachTheLocalStack() {
        PipelineConfig c = PipelineConfig.from(Map.of(), STACK);
        assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9292");
        assertThat(c.registryUrl()).isEqualTo("http://127.0.0.1:8285/apis/ccompat/v7");
        assertThat(c.cassandraContactPoint()).isEqualTo("127.0.0.1:9242");
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofHours(1));
        assertThat(c.stateBackend()).isEqualTo("hashmap");
        assertThat(c.checkpointDir()).isNull();
        assertThat(c.failureInjectionDir()).isNull();
    }

    @Test
    void overridesAcceptFlinkAndIsoDurations() {
        PipelineConfig c = PipelineConfig.from(Map.of("allowed-lateness", "2h", "dedup-horizon", "P3D",
                "state-backend", "rocksdb", "parallelism", "4"), STACK);
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofHours(2));
        assertThat(c.dedupHorizon()).isEqualTo(Duration.ofDays(3));
        assertThat(c.stateBackend()).isEqualTo("rocksdb");
        assertThat(c.parallelism()).isEqualTo(4);
    }

    @Test
    void badValuesNameTheKeyAndTheExpectedForm() {
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("allowed-lateness", "soon"), STACK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed-lateness").hasMessageContaining("soon");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("kafka.bootstrap", "localhost"), STACK))
                .hasMessageContaining("kafka.bootstrap must be host:port");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("registry.url", "ftp://x"), STACK))
                .hasMessageContaining("registry.url");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("state-backend", "memory"), STACK))
                .hasMessageContaining("state-backend must be one of [hashmap, rocksdb]");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("refresh-interval", "0s"), STACK))
                .hasMessageContaining("refresh-interval must be a positive duration");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("parallelism", "x"), STACK))
                .hasMessageContaining("parallelism must be an integer");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("max-event-age", "10min"), STACK))
                .hasMessageContaining("max-event-age");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("kafka.transaction-timeout", "1h"), STACK))
                .hasMessageContaining("kafka.transaction-timeout must be longer than checkpoint-interval");
    }

    @Test
    void theRefreshStretchIsOffByDefaultAndNeverBelowTheRefreshInterval() {
        PipelineConfig d = PipelineConfig.from(Map.of("refresh-interval", "5s"), STACK);
        assertThat(d.maxRefreshInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(PipelineConfig.from(Map.of("refresh-interval-max", "30s"), STACK).maxRefreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("refresh-interval-max", "1s"), STACK))
                .hasMessageContaining("refresh-interval-max (PT1S) must not be shorter than refresh-interval (PT2S)");
        assertThat(d.cassandraBatchSize()).isEqualTo(25);
        assertThat(d.writeBudget()).isEqualTo(20_000);
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("cassandra.write-budget", "-1"), STACK))
                .hasMessageContaining("cassandra.write-budget must be a number of rows per second");
        assertThat(d.stateChangelog()).isFalse();
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("cassandra.batch-size", "101"), STACK))
                .hasMessageContaining("cassandra.batch-size must be an integer 1..100");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("state-changelog", "yes"), STACK))
                .hasMessageContaining("state-changelog must be true or false");
    }

    @Test
    void failureInjectionIsOffByDefaultAndTakesAnAbsoluteDirectory() {
        assertThat(PipelineConfig.from(Map.of("failure-injection-dir", "/tmp/x"), STACK).failureInjectionDir()).isEqualTo("/tmp/x");
        assertThat(PipelineConfig.from(Map.of("failure-injection-dir", " "), STACK).failureInjectionDir()).isNull();
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("failure-injection-dir", "relative/dir"), STACK))
                .hasMessageContaining("failure-injection-dir must be an absolute directory path");
    }

    @Test
    void theMaximumEventSizeIsASizeOfAtMost16MbDefault256Kb() {
        assertThat(PipelineConfig.from(Map.of(), STACK).maxEventSize()).isEqualTo(256 * 1024);
        assertThat(PipelineConfig.from(Map.of("max-event-size", "1mb"), STACK).maxEventSize()).isEqualTo(1 << 20);
        assertThat(PipelineConfig.from(Map.of("max-event-size", "5000"), STACK).maxEventSize()).isEqualTo(5000);
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("max-event-size", "big"), STACK))
                .hasMessageContaining("max-event-size must be a size");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("max-event-size", "17mb"), STACK))
                .hasMessageContaining("max-event-size must be a size of 1kb..16mb");
    }

    @Test
    void cassandraTakesSeveralContactPointsAndAConsistencyLevel() {
        PipelineConfig d = PipelineConfig.from(Map.of(), STACK);
        assertThat(d.cassandraConsistency().name()).isEqualTo("LOCAL_QUORUM");
        PipelineConfig c = PipelineConfig.from(Map.of("cassandra.contact-point", "127.0.0.1:9042,127.0.0.2:9042",
                "cassandra.consistency", "quorum"), STACK);
        assertThat(c.cassandraContactPoint()).isEqualTo("127.0.0.1:9042,127.0.0.2:9042");
        assertThat(c.cassandraConsistency().name()).isEqualTo("QUORUM");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("cassandra.consistency", "MOST"), STACK))
                .hasMessageContaining("cassandra.consistency must be one of").hasMessageContaining("LOCAL_QUORUM");
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("cassandra.contact-point", "127.0.0.1:9042,nowhere"), STACK))
                .hasMessageContaining("cassandra.contact-point must be host:port[,host:port...]");
    }

    @Test
    void unknownKeysAreRejected() {
        assertThatThrownBy(() -> PipelineConfig.from(Map.of("lateness", "1h"), STACK))
                .hasMessageContaining("unknown configuration key(s) [lateness]");
    }
}
