package cms.rollup;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BillingPeriodTest {
    @Test
    void theIndexArithmeticAgreesWithJavaTimeAtEveryMonthsEdgesAndAtRandomInstants() {
        for (int index = -12 * 400; index < 12 * 800; index++) {
            BillingPeriod p = BillingPeriod.ofIndex(index);
            long start = p.start().toEpochMilli();
            assertThat(BillingPeriod.startMillis(index)).as("start of %s", p).isEqualTo(start);
            assertThat(BillingPeriod.index(start)).as("%s", p).isEqualTo(index);
            assertThat(BillingPeriod.index(start - 1)).as("before %s", p).isEqualTo(index - 1);
            assertThat(p.index()).isEqualTo(index);
            assertThat(BillingPeriod.name(index)).isEqualTo(p.toString());
        }
        SplittableRandom random = new SplittableRandom(2026);
        long from = Instant.parse("1600-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2500-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 200_000; i++) {
            long t = random.nextLong(from, to);
            YearMonth expected = YearMonth.from(Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC));
            assertThat(BillingPeriod.ofIndex(BillingPeriod.index(t)).month()).as("%s", Instant.ofEpochMilli(t)).isEqualTo(expected);
            assertThat(BillingPeriod.name(BillingPeriod.index(t))).isEqualTo(BillingPeriod.of(t).toString());
        }
    }

    @Test
    void aNameIsMadeOnceAndParsedBack() {
        int index = BillingPeriod.index(Instant.parse("2026-11-30T23:59:59.999Z").toEpochMilli());
        assertThat(BillingPeriod.name(index)).isEqualTo("2026-11").isSameAs(BillingPeriod.name(index));
        assertThat(BillingPeriod.parse("2026-11").index()).isEqualTo(index);
        assertThatThrownBy(() -> BillingPeriod.parse("2026-1")).hasMessageContaining("YYYY-MM");
    }
}
