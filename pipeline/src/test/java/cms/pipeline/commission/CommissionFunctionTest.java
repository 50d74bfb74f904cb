package cms.pipeline.commission;

import cms.pipeline.model.Keys;
import cms.pipeline.model.RatedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.graduated;
import static cms.pipeline.Fixtures.money;
import static cms.pipeline.Fixtures.shareTier;
import static cms.pipeline.Fixtures.usage;
import static cms.pipeline.HarnessState.keysWith;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class CommissionFunctionTest {
    private static final Duration MAX_AGE = Duration.ofDays(35);

    private static RatedEvent rated(String id, String sub, String partner, String amount, String time, String currency) {
        RatedEvent e = new RatedEvent();
        e.event = usage(id, sub, "m", "1", time);
        e.partnerId = partner;
        e.distributorId = "d1";
        e.currency = currency;
        e.amount = money(amount);
        e.period = time.substring(0, 7);
        e.partnerShare = graduated(shareTier("1000", "0.10"), shareTier(null, "0.15"));
        e.distributorShare = flat("0.05");
        e.partnerCommission = money("0");
        e.distributorCommission = money("0");
        return e;
    }

    @Test
    void graduatedOverTheSubtreeAcrossSubscriptionsPerPeriodAndCurrency() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new CommissionFunction(Beneficiary.PARTNER, MAX_AGE), new Keys.Partner(), Types.STRING)) {
            h.processElement(rated("e1", "s1", "p1", "900", "2026-01-05T00:00:00Z", "EUR"), 0);
            // a second subscription of the same partner: 900 -> 1100 crosses the tier: 115 - 90 = 25
            h.processElement(rated("e2", "s2", "p1", "200", "2026-01-06T00:00:00Z", "EUR"), 0);
            // another currency and another period start from zero
            h.processElement(rated("e3", "s1", "p1", "200", "2026-01-06T00:00:00Z", "USD"), 0);
            h.processElement(rated("e4", "s1", "p1", "200", "2026-02-01T00:00:00Z", "EUR"), 0);
            var out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.partnerCommission.stripTrailingZeros().toPlainString())
                    .containsExactly("90", "25", "20", "20");
            assertThat(out).allSatisfy(e -> assertThat(e.distributorCommission).isEqualByComparingTo(BigDecimal.ZERO));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);

            h.processWatermark(at("2026-02-01T00:00:00Z").plus(MAX_AGE).toEpochMilli());
            assertThat(keysWith(h, "subtree-amount")).isEqualTo(1); // February is still reachable
            h.processWatermark(at("2026-03-01T00:00:00Z").plus(MAX_AGE).toEpochMilli());
            assertThat(keysWith(h, "subtree-amount")).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void distributorShareAndNoShare() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new CommissionFunction(Beneficiary.DISTRIBUTOR, MAX_AGE), new Keys.Distributor(), Types.STRING)) {
            RatedEvent withShare = rated("e1", "s1", "p1", "100", "2026-01-05T00:00:00Z", "EUR");
            RatedEvent without = rated("e2", "s1", "p1", "100", "2026-01-05T00:00:00Z", "EUR");
            without.distributorShare = null;
            h.processElement(withShare, 0);
            h.processElement(without, 0);
            assertThat(h.extractOutputValues()).extracting(e -> e.distributorCommission.stripTrailingZeros().toPlainString())
                    .containsExactly("5", "0");
        }
    }
}
