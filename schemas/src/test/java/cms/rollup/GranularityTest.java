package cms.rollup;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GranularityTest {
    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void windowsAreUtcCalendarUnits() {
        long t = t("2028-02-29T23:59:59.999Z"); // leap day, last millisecond
        assertThat(Granularity.HOUR.start(t)).isEqualTo(t("2028-02-29T23:00:00Z"));
        assertThat(Granularity.HOUR.end(t)).isEqualTo(t("2028-03-01T00:00:00Z"));
        assertThat(Granularity.DAY.start(t)).isEqualTo(t("2028-02-29T00:00:00Z"));
        assertThat(Granularity.MONTH.start(t)).isEqualTo(t("2028-02-01T00:00:00Z"));
        assertThat(Granularity.MONTH.end(t)).isEqualTo(t("2028-03-01T00:00:00Z"));
        assertThat(Granularity.MONTH.start(t("2028-03-01T00:00:00Z"))).isEqualTo(t("2028-03-01T00:00:00Z"));
    }

    @Test
    void bucketsAreTheMonthOfTheWindowStartAtEveryGranularity() {
        long t = t("2026-12-31T23:30:00Z");
        assertThat(Granularity.HOUR.bucket(t)).isEqualTo("2026-12");
        assertThat(Granularity.DAY.bucket(t)).isEqualTo("2026-12");
        assertThat(Granularity.MONTH.bucket(t)).isEqualTo("2026-12");
        assertThat(Granularity.DAY.buckets(Instant.parse("2026-11-15T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")))
                .containsExactly("2026-11", "2026-12");
        assertThat(Granularity.MONTH.buckets(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z")))
                .containsExactly("2026-11", "2026-12", "2027-01");
        assertThat(Granularity.HOUR.buckets(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void billingPeriods() {
        BillingPeriod p = BillingPeriod.parse("2026-12");
        assertThat(p.start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(p.end()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(p.next()).hasToString("2027-01");
        assertThat(BillingPeriod.of(t("2027-01-01T00:00:00Z")).compareTo(p)).isPositive();
        assertThatThrownBy(() -> BillingPeriod.parse("2026-13")).hasMessageContaining("YYYY-MM");
        assertThatThrownBy(() -> BillingPeriod.parse("26-1")).hasMessageContaining("'26-1'");
    }

    @Test
    void hourAndDayWindowsByArithmeticAreTheCalendarsOnesAcrossTheWholeRange() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            // from 1900 to 2200, negative epoch millis included
            long t = -2_208_988_800_000L + (long) (random.nextDouble() * 9_467_280_000_000L);
            java.time.LocalDateTime dt = java.time.LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(t), java.time.ZoneOffset.UTC);
            long hour = dt.truncatedTo(java.time.temporal.ChronoUnit.HOURS).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            long day = dt.truncatedTo(java.time.temporal.ChronoUnit.DAYS).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            assertThat(Granularity.HOUR.start(t)).as("hour of %d", t).isEqualTo(hour);
            assertThat(Granularity.HOUR.end(t)).isEqualTo(hour + 3_600_000L);
            assertThat(Granularity.DAY.start(t)).as("day of %d", t).isEqualTo(day);
            assertThat(Granularity.DAY.end(t)).isEqualTo(day + 86_400_000L);
        }
    }
}
