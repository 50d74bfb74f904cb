package cms.pipeline.commission;

import cms.avro.CommissionShare;
import org.junit.jupiter.api.Test;

import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.graduated;
import static cms.pipeline.Fixtures.money;
import static cms.pipeline.Fixtures.shareTier;
import static org.assertj.core.api.Assertions.assertThat;

class CommissionScheduleTest {
    private static final CommissionShare TIERED = graduated(shareTier("1000", "0.10"), shareTier(null, "0.15"));

    @Test
    void flatIsTheRateTimesTheAmount() {
        assertThat(CommissionSchedule.increase(flat("0.10"), money("0"), money("100"))).isEqualByComparingTo("10");
        assertThat(CommissionSchedule.increase(flat("0.10"), money("5000"), money("0.05"))).isEqualByComparingTo("0.005");
    }

    @Test
    void graduatedOverThePeriodToDateSubtreeAmount() {
        // 900 -> 1100: C(1100) = 1000 * 0.10 + 100 * 0.15 = 115; C(900) = 90 -> 25
        assertThat(CommissionSchedule.increase(TIERED, money("900"), money("200"))).isEqualByComparingTo("25");
        // wholly in the second tier
        assertThat(CommissionSchedule.increase(TIERED, money("1100"), money("100"))).isEqualByComparingTo("15");
    }

    @Test
    void aNegativeAmountGivesBackWhatItsTierEarned() {
        // 1100 -> 950: C(950) = 95; C(1100) = 115 -> -20
        assertThat(CommissionSchedule.increase(TIERED, money("1100"), money("-150"))).isEqualByComparingTo("-20");
    }

    @Test
    void incrementsTelescopeToTheCommissionOfTheTotal() {
        var a = CommissionSchedule.increase(TIERED, money("0"), money("700"));
        var b = CommissionSchedule.increase(TIERED, money("700"), money("333.333333333333333333"));
        assertThat(a.add(b)).isEqualByComparingTo(CommissionSchedule.commission(TIERED, money("1033.333333333333333333")));
        assertThat(a.add(b).scale()).isEqualTo(18);
    }
}
