package cms.pipeline.rollup;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PeriodMarksTest {
    @Test
    void announcesEachBookedPeriodOnceNotEachEvent() {
        PeriodMarks marks = new PeriodMarks();
        List<String> out = new ArrayList<>();
        ListCollector<String> collector = new ListCollector<>(out);
        marks.flatMap(FamilyRollupFunctionTest.rated("e1", "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"), collector);
        marks.flatMap(FamilyRollupFunctionTest.rated("e2", "1", "1", "2026-01-11T10:15:00Z", false, "2026-01-11T10:15:00Z"), collector);
        // late January usage booked into February, then February's own
        marks.flatMap(FamilyRollupFunctionTest.rated("e3", "1", "1", "2026-01-31T10:15:00Z", true, "2026-02-01T02:00:00Z"), collector);
        marks.flatMap(FamilyRollupFunctionTest.rated("e4", "1", "1", "2026-02-01T10:15:00Z", false, "2026-02-01T10:15:00Z"), collector);
        assertThat(out).containsExactly("2026-01", "2026-02");
    }
}
