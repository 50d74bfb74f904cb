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
    void bucketsAreTheMonthOrTheYear() {
        long t = t("2026-12-31T23:30:00Z");
        assertThat(Granularity.HOUR.bucket(t)).isEqualTo("2026-12");
        assertThat(Granularity.DAY.bucket(t)).isEqualTo("2026-12");
        assertThat(Granularity.MONTH.bucket(t)).isEqualTo("2026");
        assertThat(Granularity.DAY.buckets(Instant.parse("2026-11-15T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")))
                .containsExactly("2026-11", "2026-12");
        assertThat(Granularity.MONTH.buckets(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z")))
                .containsExactly("2026", "2027");
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
}
