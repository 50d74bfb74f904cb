package cms.api.ratingjob;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobProgressTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void standingStillBetweenCheckpointsIsFineAStallWhileUsageWaitsIsNot() {
        JobProgress p = new JobProgress(Duration.ofSeconds(60));
        assertThat(p.observe(new JobProgress.Offsets(100, 150, true), T)).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(100, 200, true), T.plusSeconds(59))).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(180, 250, true), T.plusSeconds(61))).isEmpty(); // a checkpoint moved them
        assertThat(p.observe(new JobProgress.Offsets(180, 260, true), T.plusSeconds(120))).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(180, 270, true), T.plusSeconds(121)))
                .hasValueSatisfying(m -> assertThat(m).contains("have not advanced for 60 s while 90 records wait"));
    }

    @Test
    void nothingWaitingIsNeverAStall() {
        JobProgress p = new JobProgress(Duration.ofSeconds(60));
        assertThat(p.observe(new JobProgress.Offsets(100, 100, true), T)).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(100, 100, true), T.plusSeconds(600))).isEmpty();
        // usage arrives: the clock starts then, not at the last commit
        assertThat(p.observe(new JobProgress.Offsets(100, 120, true), T.plusSeconds(601))).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(100, 120, true), T.plusSeconds(660))).isPresent();
    }

    @Test
    void aGroupThatNeverCommittedIsAStallOnceUsageWaitsLongEnough() {
        JobProgress p = new JobProgress(Duration.ofSeconds(30));
        assertThat(p.observe(new JobProgress.Offsets(0, 10, false), T)).isEmpty();
        assertThat(p.observe(new JobProgress.Offsets(0, 10, false), T.plusSeconds(30)))
                .hasValueSatisfying(m -> assertThat(m).contains("has committed nothing"));
    }
}
