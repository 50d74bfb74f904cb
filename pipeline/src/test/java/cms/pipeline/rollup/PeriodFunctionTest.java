package cms.pipeline.rollup;

import cms.pipeline.model.Keys;
import cms.pipeline.model.PeriodRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class PeriodFunctionTest {
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final Duration REFRESH = Duration.ofSeconds(2);

    @Test
    void writesTheWatermarkWhileOpenThenFinalOnceAndLeavesNoState() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new PeriodFunction(LATENESS, REFRESH), new Keys.Period(), Types.STRING)) {
            h.setProcessingTime(0);
            h.processElement("2026-01", 0);   // PeriodMarks' announcement of usage booked into January
            h.setProcessingTime(REFRESH.toMillis());
            assertThat(h.extractOutputValues()).isEmpty(); // no watermark yet

            long wm1 = at("2026-01-20T00:00:00Z").toEpochMilli();
            h.processWatermark(wm1);
            h.setProcessingTime(2 * REFRESH.toMillis());
            h.setProcessingTime(3 * REFRESH.toMillis()); // unchanged watermark: not rewritten
            List<PeriodRow> out = h.extractOutputValues();
            assertThat(out).singleElement().satisfies(p -> {
                assertThat(p.period).isEqualTo("2026-01");
                assertThat(p.status).isEqualTo("OPEN");
                assertThat(p.watermark).isEqualTo(wm1);
                assertThat(p.writeTimestamp).isEqualTo(wm1 * 1000);
            });

            long finalAt = at("2026-02-01T01:00:00Z").toEpochMilli();
            h.processWatermark(finalAt);
            out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(1).status).isEqualTo("FINAL");
            assertThat(out.get(1).finalAt).isEqualTo(finalAt);
            assertThat(out.get(1).writeTimestamp).isGreaterThan(out.get(0).writeTimestamp);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
