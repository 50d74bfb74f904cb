package cms.infra.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SoakTest {

    /** A 30-minute soak sampled every minute whose heap grows 10 MB a minute and whose checkpoint stays at 40 MB. */
    private static Soak growingHeap() {
        Soak soak = new Soak(Duration.ofMinutes(30), Duration.ofMinutes(1));
        for (int minute = 0; minute <= 30; minute++) {
            soak.add(new Soak.Sample(minute * 60L, 100 + 10 * minute, minute == 0 ? Double.NaN : 40, minute == 0 ? -1 : 500,
                    1000 - minute, minute == 0 ? Double.NaN : 300));
        }
        return soak;
    }

    @Test
    void driftIsTheSpreadOverTheMeanOfTheLastTwoThirds() {
        Soak soak = growingHeap();
        assertThat(soak.steadyFromSeconds()).isEqualTo(600);
        // minutes 10 to 30: 200 to 400 MB, mean 300; the first ten minutes (100 to 190 MB) do not count
        assertThat(soak.heapDrift()).isCloseTo(200.0 / 300, within(1e-9));
        assertThat(soak.checkpointDrift()).isZero();
        assertThat(Soak.verdict(soak.heapDrift())).isEqualTo("NOT within 10%");
        assertThat(Soak.verdict(soak.checkpointDrift())).isEqualTo("within 10%");
        assertThat(soak.describe(Soak.Sample::heapAfterGcMb)).isEqualTo("66.7% (200.0 MB to 400.0 MB), NOT within 10%");
    }

    @Test
    void aFigureNeverMeasuredHasNoDrift() {
        Soak soak = new Soak(Duration.ofMinutes(3), Duration.ofMinutes(1));
        for (int minute = 0; minute <= 3; minute++) {
            soak.add(new Soak.Sample(minute * 60L, Double.NaN, 8 + minute * 0.2, 100, 0, 10));
        }
        assertThat(soak.heapDrift()).isNaN();
        assertThat(Soak.verdict(soak.heapDrift())).isEqualTo("not measured");
        // from 60 s on: 8.2, 8.4, 8.6 MB
        assertThat(soak.checkpointDrift()).isCloseTo(0.4 / 8.4, within(1e-9));
    }

    @Test
    void theHeapInUseIsReadFromGcHeapInfoForEachCollector() {
        String g1 = """
                12345:
                 garbage-first heap   total 290816K, used 84867K [0x00000000c0000000, 0x0000000100000000)
                  region size 1024K, 0 young (0K), 0 survivors (0K)
                 Metaspace       used 9133K, committed 9408K, reserved 1114112K
                  class space    used 1095K, committed 1216K, reserved 1048576K
                """;
        assertThat(Soak.heapUsedMb(g1)).isCloseTo(84867 / 1024.0, within(1e-9));
        String parallel = """
                 PSYoungGen      total 76288K, used 2048K [0x000000076b400000, 0x0000000770900000, 0x00000007c0000000)
                  eden space 65536K, 3% used [0x000000076b400000,0x000000076b600000,0x000000076f400000)
                 ParOldGen       total 175104K, used 10240K [0x00000006c1c00000, 0x00000006cc700000, 0x000000076b400000)
                 Metaspace       used 3301K, committed 3456K, reserved 1056768K
                """;
        assertThat(Soak.heapUsedMb(parallel)).isCloseTo(12.0, within(1e-9));
        assertThat(Soak.heapUsedMb("12345:\nCommand executed successfully\n")).isNaN();
    }

    @Test
    void theJsonHasIssue13sShape() throws Exception {
        ObjectNode root = new ObjectMapper().createObjectNode();
        growingHeap().json(root.putObject("soak"));
        JsonNode soak = new ObjectMapper().readTree(root.toString()).path("soak");

        assertThat(soak.path("minutes").asDouble()).isEqualTo(30.0);
        assertThat(soak.path("heap_drift").asDouble()).isEqualTo(0.67);
        assertThat(soak.path("checkpoint_drift").asDouble()).isZero();
        assertThat(soak.path("samples")).hasSize(31);
        JsonNode first = soak.path("samples").get(0);
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("t_s", "heap_after_gc_mb", "checkpoint_mb", "checkpoint_ms", "lag", "rate");
        assertThat(first.path("checkpoint_mb").isNull()).as("NaN is null").isTrue();
        assertThat(first.path("rate").isNull()).isTrue();
        JsonNode last = soak.path("samples").get(30);
        assertThat(last.path("t_s").asLong()).isEqualTo(1800);
        assertThat(last.path("heap_after_gc_mb").asDouble()).isEqualTo(400.0);
        assertThat(last.path("checkpoint_mb").asDouble()).isEqualTo(40.0);
        assertThat(last.path("checkpoint_ms").asLong()).isEqualTo(500);
        assertThat(last.path("lag").asLong()).isEqualTo(970);
        assertThat(last.path("rate").asDouble()).isEqualTo(300.0);
    }

    @Test
    void soakTakesAnOptionalDurationAndSetsNothingWithout() {
        assertThat(BenchSettings.parse(new String[] {"--short"}).soaking()).isFalse();
        BenchSettings bare = BenchSettings.parse(new String[] {"--short", "--soak", "--no-failure"});
        assertThat(bare.soak()).isEqualTo(Duration.ofMinutes(30));
        assertThat(bare.soakSample()).isEqualTo(Duration.ofMinutes(1));
        assertThat(bare.injectFailure()).isFalse();
        assertThat(BenchSettings.parse(new String[] {"--soak"}).soak()).isEqualTo(Duration.ofMinutes(30));
        BenchSettings given = BenchSettings.parse(new String[] {"--soak", "3m", "--soak-sample", "20s", "--short"});
        assertThat(given.soak()).isEqualTo(Duration.ofMinutes(3));
        assertThat(given.soakSample()).isEqualTo(Duration.ofSeconds(20));
        assertThat(given.shortMode()).isTrue();
        assertThat(BenchSettings.quick().withSoak(Duration.ofMinutes(1), Duration.ofSeconds(20)).soak()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> BenchSettings.parse(new String[] {"--soak", "3m", "--soak-sample", "0s"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
