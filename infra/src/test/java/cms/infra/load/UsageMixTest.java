package cms.infra.load;

import cms.avro.UsageEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class UsageMixTest {
    private final ChannelShape channel = new ChannelShape("t", 3, 4, 5, 10);

    @Test
    void channelIdsAreRegularAndCoverEverySubscriptionOnce() {
        assertThat(channel.subscriptions()).isEqualTo(600);
        assertThat(channel.subscription(0)).isEqualTo("t-d0-p0-t0-s0");
        assertThat(channel.subscription(599)).isEqualTo("t-d2-p3-t4-s9");
        assertThat(channel.subscription(10)).isEqualTo("t-d0-p0-t1-s0");
        Set<String> all = new HashSet<>();
        for (int i = 0; i < channel.subscriptions(); i++) {
            all.add(channel.subscription(i));
        }
        assertThat(all).hasSize(600);
        assertThat(all).allSatisfy(id -> assertThat(id).matches("[a-z0-9][a-z0-9._-]{0,63}"));
        assertThatThrownBy(() -> new ChannelShape("Bad Prefix", 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sharesComeOutAsAskedAndEachKindIsWhatItClaims() {
        UsageMix mix = new UsageMix(channel, UsageMix.DEFAULT_METERS, 0.05, 0.04, 0.03, Duration.ofHours(2), 42);
        Instant clock = Instant.parse("2026-11-10T12:00:00Z");
        Map<UsageMix.Kind, Integer> counts = new EnumMap<>(UsageMix.Kind.class);
        Set<String> freshIds = new HashSet<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            UsageMix.Draft d = mix.next(clock);
            counts.merge(d.kind(), 1, Integer::sum);
            UsageEvent e = d.event();
            switch (d.kind()) {
                case FRESH -> {
                    assertThat(freshIds.add(e.getEventId())).isTrue();
                    assertThat(e.getEventTime()).isBetween(clock.minusSeconds(2), clock);
                    assertThat(e.getQuantity().signum()).isGreaterThanOrEqualTo(0);
                    assertThat(e.getQuantity().scale()).isEqualTo(9);
                    assertThat(d.key()).isEqualTo(e.getSubscriptionId());
                }
                case LATE -> assertThat(e.getEventTime()).isBefore(clock.minus(Duration.ofHours(2)).plusMillis(1));
                case DUPLICATE -> assertThat(e.getEventId()).startsWith(Long.toString(42, 36) + "-");
                case UNDECODABLE -> assertThat(d.raw()[0]).isNotZero();
                case INVALID -> assertThat(e.getQuantity().signum()).isNegative();
                case UNKNOWN_SUBSCRIPTION -> assertThat(e.getSubscriptionId()).contains("-nobody-");
            }
        }
        assertThat(counts.get(UsageMix.Kind.DUPLICATE) / (double) n).isCloseTo(0.05, within(0.005));
        assertThat(counts.get(UsageMix.Kind.LATE) / (double) n).isCloseTo(0.04, within(0.005));
        double bad = (counts.get(UsageMix.Kind.UNDECODABLE) + counts.get(UsageMix.Kind.INVALID)
                + counts.get(UsageMix.Kind.UNKNOWN_SUBSCRIPTION)) / (double) n;
        assertThat(bad).isCloseTo(0.03, within(0.005));
    }

    @Test
    void theSameSeedGivesTheSameLoad() {
        Instant clock = Instant.parse("2026-11-10T12:00:00Z");
        UsageMix a = new UsageMix(channel, UsageMix.DEFAULT_METERS, 0.1, 0.1, 0.1, Duration.ofHours(1), 7);
        UsageMix b = new UsageMix(channel, UsageMix.DEFAULT_METERS, 0.1, 0.1, 0.1, Duration.ofHours(1), 7);
        for (int i = 0; i < 1000; i++) {
            UsageMix.Draft x = a.next(clock);
            UsageMix.Draft y = b.next(clock);
            assertThat(x.kind()).isEqualTo(y.kind());
            assertThat(x.event()).isEqualTo(y.event());
            assertThat(x.raw()).isEqualTo(y.raw());
        }
    }

    @Test
    void optionsAreValidatedWithTheOptionNamed() {
        assertThatThrownBy(() -> UsageGenerator.parse(new String[] {"--rate", "fast"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> UsageGenerator.parse(new String[] {"--durations", "5s"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("durations");
        assertThatThrownBy(() -> UsageGenerator.parse(new String[] {"--duration", "5 minutes"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--duration");
        assertThatThrownBy(() -> UsageGenerator.parse(new String[] {"--duplicates", "0.7", "--bad", "0.5"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not exceed 1");
        UsageGenerator.Options o = UsageGenerator.parse(new String[] {"--events", "10", "--time-scale", "3600",
                "--start", "2026-11-01T00:00:00Z"});
        // a load of a number of events follows its schedule: record n at start + (n + 1/2) / rate x time-scale
        assertThat(o.eventClock(2000, 0)).isEqualTo(Instant.parse("2026-11-01T02:00:01.800Z"));
        assertThat(List.of(o.events(), (long) o.channel().subscriptions())).containsExactly(10L, 600L);

        // a load of a duration follows the wall clock; a fast clock started in the past stops at it (future usage is INVALID)
        Instant hourAgo = Instant.now().minus(java.time.Duration.ofHours(1));
        UsageGenerator.Options fast = UsageGenerator.parse(new String[] {"--duration", "10s", "--time-scale", "3600",
                "--start", hourAgo.toString()});
        Instant before = Instant.now();
        Instant capped = fast.eventClock(0, 10_000_000_000L);
        assertThat(capped).isBetween(before, Instant.now());
        assertThat(fast.eventClock(0, 500_000_000L)).isEqualTo(hourAgo.plusMillis(1_800_000));
    }
}
