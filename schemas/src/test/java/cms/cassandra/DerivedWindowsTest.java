package cms.cassandra;

import cms.cassandra.FamilyRollups.Part;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DerivedWindowsTest {
    private static final Instant NOW = Instant.parse("2031-07-20T12:00:00Z");
    private static final Instant JULY = Instant.parse("2031-07-01T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    private static Instant day(int d) {
        return JULY.plus(DAY.multipliedBy(d - 1));
    }

    private static Part part(String child, Instant start, Duration length, String meter, String currency, String status,
                             long events, String amount, Instant written) {
        return new Part(child, start, start.plus(length), meter, currency, status, events, new BigDecimal(events), new BigDecimal(amount),
                new BigDecimal(amount).movePointLeft(1), new BigDecimal(amount).movePointLeft(2), 0, BigDecimal.ZERO, written);
    }

    private static Part hour(String child, Instant start, String meter, String currency, String status, long events, String amount,
                             Instant written) {
        return part(child, start, HOUR, meter, currency, status, events, amount, written);
    }

    @Test
    void anOpenDayIsTheSumOfItsHoursAcrossTheDayBoundaryPerMeterAndCurrency() {
        Instant w1 = NOW.minusSeconds(30);
        Instant w2 = NOW.minusSeconds(20);
        Instant w3 = NOW.minusSeconds(10);
        List<Part> hours = List.of(
                hour("s", day(9).plus(HOUR.multipliedBy(22)), "vcpu", "EUR", "FINAL", 2, "0.100000001", w1),
                hour("s", day(9).plus(HOUR.multipliedBy(23)), "vcpu", "EUR", "OPEN", 3, "0.2", w2),
                hour("s", day(9).plus(HOUR.multipliedBy(23)), "net", "USD", "OPEN", 1, "5", w1),
                hour("s", day(10), "vcpu", "EUR", "OPEN", 4, "0.000000000000000001", w3));

        List<Part> days = DerivedWindows.days(List.of(), hours);

        assertThat(days).hasSize(3);
        assertThat(days).extracting(Part::meterId).containsExactly("net", "vcpu", "vcpu");
        Part vcpu9 = days.get(1);
        assertThat(days).extracting(Part::windowStart).containsExactly(day(9), day(9), day(10));
        assertThat(days).extracting(Part::status).containsOnly("OPEN");
        assertThat(days).extracting(Part::windowEnd).containsExactly(day(10), day(10), day(11));
        assertThat(vcpu9.eventCount()).isEqualTo(5);
        assertThat(vcpu9.amount().toPlainString()).isEqualTo("0.300000001");
        assertThat(vcpu9.updatedAt()).isEqualTo(w2);
        assertThat(days.get(2).amount().toPlainString()).isEqualTo("0.000000000000000001");
        assertThat(days.get(2).updatedAt()).isEqualTo(w3);
    }

    @Test
    void aDayWithAFinalRowIsServedFromItAndAnOldPipelinesOpenDayRowIsIgnored() {
        Instant written = NOW.minus(Duration.ofHours(3));
        List<Part> dayRows = List.of(
                part("s", day(8), DAY, "vcpu", "EUR", "FINAL", 7, "1.5", written),
                // an OPEN DAY row of an older pipeline: stale values, the hours are exact
                part("s", day(9), DAY, "vcpu", "EUR", "OPEN", 1, "0.1", written));
        List<Part> hours = List.of(
                hour("s", day(8).plus(HOUR), "vcpu", "EUR", "FINAL", 7, "1.5", written),
                hour("s", day(9).plus(HOUR), "vcpu", "EUR", "OPEN", 2, "0.25", NOW),
                hour("s", day(9).plus(HOUR.multipliedBy(2)), "vcpu", "EUR", "OPEN", 1, "0.25", NOW));

        List<Part> days = DerivedWindows.days(dayRows, hours);

        assertThat(days).hasSize(2);
        assertThat(days.get(0)).isEqualTo(dayRows.get(0));
        assertThat(days.get(1).status()).isEqualTo("OPEN");
        assertThat(days.get(1).eventCount()).isEqualTo(3);
        assertThat(days.get(1).amount().toPlainString()).isEqualTo("0.50");
    }

    @Test
    void hoursAreReadFromTheDayAfterTheNewestSettledFinalDay() {
        Instant old = NOW.minus(DerivedWindows.SETTLE).minusSeconds(1);
        Instant recent = NOW.minus(DerivedWindows.SETTLE).plusSeconds(1);
        List<Part> settled = List.of(part("a", day(3), DAY, "vcpu", "EUR", "FINAL", 1, "1", old),
                part("b", day(5), DAY, "vcpu", "EUR", "FINAL", 1, "1", old));
        assertThat(DerivedWindows.hoursFrom(settled, JULY, NOW)).isEqualTo(day(6));
        // day 6's FINAL rows are still landing (or another writer's are still to come): its hours are read
        List<Part> landing = new ArrayList<>(settled);
        landing.add(part("a", day(6), DAY, "vcpu", "EUR", "FINAL", 1, "1", recent));
        assertThat(DerivedWindows.hoursFrom(landing, JULY, NOW)).isEqualTo(day(6));
        // a day counts as settled only once its newest FINAL row is
        landing.add(part("b", day(5), DAY, "net", "USD", "FINAL", 1, "1", recent));
        assertThat(DerivedWindows.hoursFrom(landing, JULY, NOW)).isEqualTo(day(4));
        // OPEN rows say nothing; without FINAL rows every hour from the first day start of the range on is read
        assertThat(DerivedWindows.hoursFrom(List.of(part("a", day(9), DAY, "vcpu", "EUR", "OPEN", 1, "1", old)),
                JULY.plusSeconds(1), NOW)).isEqualTo(day(2));
        assertThat(DerivedWindows.hoursFrom(settled, day(10), NOW)).isEqualTo(day(10));
    }

    @Test
    void partsOfTwoWritersAddUp() {
        List<Part> hours = List.of(
                hour("t", day(10).plus(HOUR.multipliedBy(11)), "vcpu", "EUR", "OPEN", 1, "1.25", NOW.minusSeconds(2)),
                hour("t", day(10).plus(HOUR.multipliedBy(11)), "vcpu", "EUR", "OPEN", 2, "0.75", NOW.minusSeconds(1)));
        assertThat(DerivedWindows.days(List.of(), hours)).singleElement().satisfies(d -> {
            assertThat(d.eventCount()).isEqualTo(3);
            assertThat(d.amount().toPlainString()).isEqualTo("2.00");
            assertThat(d.updatedAt()).isEqualTo(NOW.minusSeconds(1));
        });
    }
}
