package cms.api.cassandra;

import cms.avro.NodeLevel;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SettledDaysTest {
    private static SettledDays.Key key(String member) {
        return new SettledDays.Key(NodeLevel.TENANT, "t", "2031-08", member);
    }

    private static SettledDays.Entry through(String day) {
        return new SettledDays.Entry(Instant.parse(day + "T00:00:00Z"), List.of());
    }

    @Test
    void keepsTheEntryReachingFurthestAndDropsTheLeastRecentlyUsed() {
        SettledDays kept = new SettledDays(2);
        kept.put(key("a"), through("2031-08-05"));
        kept.put(key("a"), through("2031-08-03")); // a read that started earlier finishes later: it reaches less far
        assertThat(kept.get(key("a")).through()).isEqualTo(Instant.parse("2031-08-05T00:00:00Z"));
        kept.put(key("a"), through("2031-08-06"));
        assertThat(kept.get(key("a")).through()).isEqualTo(Instant.parse("2031-08-06T00:00:00Z"));

        kept.put(key("b"), through("2031-08-06"));
        kept.get(key("a"));
        kept.put(key("c"), through("2031-08-06"));
        assertThat(kept.size()).isEqualTo(2);
        assertThat(kept.get(key("b"))).isNull();
        assertThat(kept.get(key("a"))).isNotNull();
        assertThat(kept.get(key("c"))).isNotNull();
    }
}
