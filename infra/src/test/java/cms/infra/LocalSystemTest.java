package cms.infra;

import cms.infra.load.ChannelShape;
import cms.infra.load.UsageGenerator;
import cms.stack.LocalStackAddresses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LocalSystemTest {
    /**
     * The run command's backfill of the previous period's last day: however slowly the machine sends (its elapsed time is
     * ignored), every event time lies within that day, spread over all of it. (It once followed the wall clock, so a machine
     * sending 1,000/s instead of 5,000/s put four fifths of "the last day of 2026-11" into December.)
     */
    @Test
    void theBackfillsEventClockFillsTheLastDayWhateverTheSendingSpeed() {
        Instant day = Instant.parse("2026-11-30T00:00:00Z");
        UsageGenerator.Options o = LocalSystem.backfillOptions(
                new LocalStackAddresses("127.0.0.1", 1, 2, 3, 4, 5, "cms"), new ChannelShape("sp", 2, 3, 4, 5), day, "cms.usage.v1");
        Instant end = day.plus(Duration.ofDays(1));
        Instant first = o.eventClock(0, 0);
        Instant last = o.eventClock(o.events() - 1, 3_600_000_000_000L);   // sent an hour in
        for (long n = 0; n < o.events(); n += 997) {
            // elapsed: as if the machine sent ten times slower than the load's rate
            Instant t = o.eventClock(n, (long) (n * 10 * 1e9 / o.rate()));
            assertThat(t).as("record " + n).isAfterOrEqualTo(day).isBefore(end);
        }
        // the mix puts fresh usage up to 2 s behind the clock: still on that day
        assertThat(first).isAfterOrEqualTo(day.plusSeconds(2));
        assertThat(last).isBefore(end).isAfter(end.minusSeconds(10));
    }
}
