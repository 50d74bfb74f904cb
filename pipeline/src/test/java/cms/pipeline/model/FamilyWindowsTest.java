package cms.pipeline.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FamilyWindowsTest {
    /** Decimals of every kind an event may carry: small and huge, scales from -5 to 30, either sign. */
    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.longs().between(-1_000_000, 1_000_000).map(BigInteger::valueOf),
                Arbitraries.longs().map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(27).negate(), BigInteger.TEN.pow(27)));
        Arbitrary<Integer> scales = Arbitraries.oneOf(Arbitraries.of(0, 9, 18), Arbitraries.integers().between(-5, 30));
        return Combinators.combine(unscaled, scales).as(BigDecimal::new);
    }

    @Property(tries = 300)
    void fixedPointSumsAreTheDecimalSumsScalesIncluded(@ForAll @Size(min = 1, max = 40) List<@From("decimals") BigDecimal> values, @ForAll @IntRange(min = 1, max = 4) int rows) {
        FamilyWindows f = new FamilyWindows();
        int child = f.childIndex("s");
        int meter = f.meterIndex("m");
        int cur = f.currencyIndex("EUR");
        List<BigDecimal[]> expected = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            f.append(child, meter, cur, 0, r, r + 1);
            expected.add(new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
        }
        FamilyWindows.Contribution c = new FamilyWindows.Contribution();
        for (int i = 0; i < values.size(); i++) {
            BigDecimal v = values.get(i);
            BigDecimal w = values.get((i + 1) % values.size()).negate();
            boolean late = i % 3 == 0;
            c.set(v, w, v.movePointLeft(1), BigDecimal.ZERO, late);
            int r = i % rows;
            f.add(r, c, i);
            BigDecimal[] e = expected.get(r);
            e[0] = e[0].add(v);
            e[1] = e[1].add(w);
            e[2] = e[2].add(v.movePointLeft(1));
            e[3] = e[3].add(BigDecimal.ZERO);
            if (late) {
                e[4] = e[4].add(w);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < FamilyWindows.SUMS; s++) {
                // equals, not compareTo: the scale is what the API prints
                assertThat(f.sum(r, s)).as("row %d sum %d", r, s).isEqualTo(expected.get(r)[s]);
            }
        }
    }

    @Test
    void manyRowsAreFoundThroughTheIndexAndEndedRowsLeaveWithTheirIds() throws Exception {
        FamilyWindows f = new FamilyWindows();
        FamilyWindows.Contribution one = new FamilyWindows.Contribution().set(BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ONE, BigDecimal.ZERO, false);
        Map<String, Integer> rows = new HashMap<>();
        for (int s = 0; s < 200; s++) {
            for (int g = 0; g < 3; g++) {
                int child = f.childIndex("s" + s);
                int meter = f.meterIndex("m" + (s % 5));
                int cur = f.currencyIndex("EUR");
                long start = s < 100 ? 0 : 3_600_000;
                int r = f.find(child, meter, cur, g, start);
                assertThat(r).isEqualTo(-1);
                r = f.append(child, meter, cur, g, start, start + 3_600_000);
                f.add(r, one, 5);
                rows.put("s" + s + "/" + g, r);
            }
        }
        assertThat(f.size()).isEqualTo(600);
        assertThat(f.dirtyRows()).isEqualTo(600);
        for (int s = 0; s < 200; s++) {
            int child = f.childIndex("s" + s);
            long start = s < 100 ? 0 : 3_600_000;
            for (int g = 0; g < 3; g++) {
                int r = f.find(child, f.meterIndex("m" + (s % 5)), f.currencyIndex("EUR"), g, start);
                assertThat(r).isEqualTo(rows.get("s" + s + "/" + g));
                f.add(r, one, 6);
            }
        }
        List<String> removed = new ArrayList<>();
        f.removeEnded(3_600_000, (p, r) -> {
            assertThat(p.eventCount(r)).isEqualTo(2);
            assertThat(p.sum(r, FamilyWindows.AMOUNT)).isEqualTo(new BigDecimal("20"));
            removed.add(p.childId(r));
        });
        assertThat(removed).hasSize(300).doesNotContain("s100");
        assertThat(f.size()).isEqualTo(300);
        assertThat(f.dirtyRows()).isEqualTo(300);
        assertThat(f.childCount).as("the ended members' ids are gone").isEqualTo(100);
        for (int r = 0; r < f.size(); r++) {
            assertThat(f.childId(r)).matches(id -> Integer.parseInt(id.substring(1)) >= 100, "a member of the later hour");
            assertThat(f.meterId(r)).isEqualTo("m" + (Integer.parseInt(f.childId(r).substring(1)) % 5));
            int found = f.find(f.childIndex(f.childId(r)), f.meterIndex(f.meterId(r)), 0, f.granularity(r), f.windowStart(r));
            assertThat(found).isEqualTo(r);
        }
        FamilyWindows copy = f.copy();
        assertThat(copy).isEqualTo(f);
        copy.add(0, one, 7);
        assertThat(f.eventCount(0)).as("a copy shares nothing mutable").isEqualTo(2);
    }
}
