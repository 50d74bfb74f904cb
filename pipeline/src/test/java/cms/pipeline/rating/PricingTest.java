package cms.pipeline.rating;

import cms.avro.PriceBookVersion;
import cms.avro.PricingModel;
import cms.avro.Rate;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.money;
import static cms.pipeline.Fixtures.qty;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;

/** Pricing vectors computed by hand; comments show the arithmetic. */
class PricingTest {
    private static final Rate GRADUATED = rate("m", null, PricingModel.GRADUATED, "0",
            tier("10", "1.00"), tier("50", "0.80"), tier(null, "0.50"));
    private static final Rate VOLUME = rate("m", null, PricingModel.VOLUME, "0",
            tier("10", "1.00"), tier("50", "0.80"), tier(null, "0.50"));

    private static BigDecimal inc(Rate r, String before, String q) {
        return Pricing.increase(r, qty(before), qty(q));
    }

    @Test
    void perUnitAfterIncludedQuantity() {
        Rate r = rate("m", null, PricingModel.PER_UNIT, "10", tier(null, "0.5"));
        assertThat(inc(r, "0", "4")).isEqualByComparingTo("0");        // 4 of 10 free
        assertThat(inc(r, "4", "8")).isEqualByComparingTo("1.0");      // 12: 2 billable * 0.5
        assertThat(inc(r, "12", "3")).isEqualByComparingTo("1.5");     // 15: 5 * 0.5 = 2.5, minus 1.0
        assertThat(inc(r, "12", "3").scale()).isEqualTo(18);
    }

    @Test
    void graduatedCrossesTiersWithinOneEvent() {
        // 0 -> 25: 10 * 1.00 + 15 * 0.80 = 22.00
        assertThat(inc(GRADUATED, "0", "25")).isEqualByComparingTo("22.00");
    }

    @Test
    void graduatedCrossesTiersAcrossEventsAndTotalsAreOrderIndependent() {
        // 25 -> 55: P(55) = 10 + 40 * 0.80 + 5 * 0.50 = 44.50; minus P(25) = 22.00 -> 22.50
        assertThat(inc(GRADUATED, "25", "30")).isEqualByComparingTo("22.50");
        // other order: 0 -> 30: 10 + 20 * 0.80 = 26.00; 30 -> 55: 44.50 - 26.00 = 18.50
        assertThat(inc(GRADUATED, "0", "30")).isEqualByComparingTo("26.00");
        assertThat(inc(GRADUATED, "30", "25")).isEqualByComparingTo("18.50");
        assertThat(inc(GRADUATED, "0", "25").add(inc(GRADUATED, "25", "30")))
                .isEqualByComparingTo(inc(GRADUATED, "0", "30").add(inc(GRADUATED, "30", "25")));
    }

    @Test
    void graduatedBoundaryUnitBelongsToLowerTier() {
        // exactly 10: all in tier 1 = 10.00; the 11th unit costs 0.80
        assertThat(inc(GRADUATED, "0", "10")).isEqualByComparingTo("10.00");
        assertThat(inc(GRADUATED, "10", "1")).isEqualByComparingTo("0.80");
    }

    @Test
    void graduatedWithIncludedQuantity() {
        Rate r = rate("m", null, PricingModel.GRADUATED, "5", tier("10", "1.00"), tier("50", "0.80"), tier(null, "0.50"));
        // 20 - 5 free = 15 billable: 10 * 1.00 + 5 * 0.80 = 14.00
        assertThat(inc(r, "0", "20")).isEqualByComparingTo("14.00");
        // 3 more, all in tier 2: 3 * 0.80
        assertThat(inc(r, "20", "3")).isEqualByComparingTo("2.40");
    }

    @Test
    void volumePricesEveryUnitAtTheTierReached() {
        assertThat(inc(VOLUME, "0", "8")).isEqualByComparingTo("8.00");     // 8 * 1.00
        assertThat(inc(VOLUME, "8", "4")).isEqualByComparingTo("1.60");     // 12 * 0.80 = 9.60 - 8.00
        assertThat(inc(VOLUME, "12", "40")).isEqualByComparingTo("16.40");  // 52 * 0.50 = 26.00 - 9.60
    }

    @Test
    void volumeIncreaseIsNegativeWhenATierLowersThePrice() {
        // 50 * 0.80 = 40.00 -> 51 * 0.50 = 25.50
        assertThat(inc(VOLUME, "50", "1")).isEqualByComparingTo("-14.50");
    }

    @Test
    void fractionalQuantitiesKeepFullPrecision() {
        Rate r = rate("m", null, PricingModel.PER_UNIT, "0", tier(null, "0.000000123456789012"));
        // 1.5 * 0.000000123456789012 = 0.000000185185183518
        assertThat(inc(r, "0", "1.5")).isEqualTo(money("0.000000185185183518"));
    }

    @Test
    void regionRateOverridesTheMetersDefault() {
        PriceBookVersion b = book("b", "EUR", "2026-01-01T00:00:00Z",
                rate("m", null, PricingModel.PER_UNIT, "0", tier(null, "1.00")),
                rate("m", "eu-west", PricingModel.PER_UNIT, "0", tier(null, "2.00")),
                rate("other", "us-east", PricingModel.PER_UNIT, "0", tier(null, "9.00")));
        assertThat(Pricing.increase(Pricing.rateFor(b, "m", "eu-west"), qty("0"), qty("3"))).isEqualByComparingTo("6.00");
        assertThat(Pricing.increase(Pricing.rateFor(b, "m", "us-east"), qty("0"), qty("3"))).isEqualByComparingTo("3.00");
        assertThat(Pricing.increase(Pricing.rateFor(b, "m", null), qty("0"), qty("3"))).isEqualByComparingTo("3.00");
        // a meter with only a regional rate has no price elsewhere
        assertThat(Pricing.rateFor(b, "other", "eu-west")).isNull();
        assertThat(Pricing.rateFor(b, "unknown", null)).isNull();
    }

    @Test
    void malformedTiersAreReported() {
        assertThat(Pricing.defect(GRADUATED)).isNull();
        assertThat(Pricing.defect(rate("m", null, PricingModel.GRADUATED, "0", tier("10", "1"), tier("5", "1"), tier(null, "1"))))
                .contains("ascend");
        assertThat(Pricing.defect(rate("m", null, PricingModel.VOLUME, "0", tier("10", "1")))).contains("unbounded");
        assertThat(Pricing.defect(rate("m", null, PricingModel.PER_UNIT, "0"))).contains("no tiers");
    }
}
