package cms.pipeline.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The remembered ids against a plain map, over random sequences of remembering, re-remembering and sweeping, through
 * both lookups (the scan of a few, the index of many) and copies in between.
 */
class SubscriptionStateTest {
    /** An operation: remember id k until u, or (k < 0) forget everything ended by u. */
    record Op(int k, int u) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> remember = Arbitraries.integers().between(0, 300).flatMap(k ->
                Arbitraries.integers().between(0, 1000).map(u -> new Op(k, u)));
        Arbitrary<Op> sweep = Arbitraries.integers().between(0, 1000).map(u -> new Op(-1, u));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(20, remember), net.jqwik.api.Tuple.of(1, sweep)).list().ofMaxSize(2000);
    }

    @Property(tries = 200)
    void remembersWhatAMapRemembers(@ForAll("ops") List<Op> ops) {
        SubscriptionState s = new SubscriptionState();
        Map<Long, Integer> model = new LinkedHashMap<>();
        int i = 0;
        for (Op op : ops) {
            if (op.k() < 0) {
                s.forgetEndedBy(op.u());
                model.values().removeIf(u -> u <= op.u());
            } else {
                long fp = fingerprint(op.k());
                s.remember(fp, op.u());
                model.put(fp, op.u());
            }
            if (++i % 97 == 0) {
                s = s.copy();
            }
            assertThat(s.seenCount()).isEqualTo(model.size());
        }
        for (int k = 0; k <= 300; k++) {
            long fp = fingerprint(k);
            int at = s.find(fp);
            Integer expected = model.get(fp);
            if (expected == null) {
                assertThat(at).isEqualTo(-1);
            } else {
                assertThat(s.until(at)).isEqualTo(expected);
            }
        }
    }

    /** Fingerprints that collide in their low bits, as the index's slots would see them. */
    private static long fingerprint(int k) {
        return ((long) k << 40) | (k % 7);
    }
}
