package cms.api;

import cms.api.query.PeriodRow;
import cms.api.query.RollupKey;
import cms.api.query.RollupRow;
import cms.api.query.RollupStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For resource tests: the roll-up tables as lists per partition, filtered and ordered as the
 * Cassandra tables cluster them. CassandraRollupStore is exercised on the real server in the ITs.
 */
public final class InMemoryRollupStore implements RollupStore {
    private final Map<RollupKey, List<RollupRow>> rollups = new ConcurrentHashMap<>();
    private final Map<RollupKey, List<RollupRow>> byChild = new ConcurrentHashMap<>();
    private final Map<String, PeriodRow> periods = new ConcurrentHashMap<>();

    public void addRollup(RollupKey key, RollupRow row) {
        rollups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }

    public void addByChild(RollupKey key, RollupRow row) {
        byChild.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }

    public void putPeriod(PeriodRow row) {
        periods.put(row.period(), row);
    }

    @Override
    public List<RollupRow> rollups(RollupKey key, Instant from, Instant to) {
        return select(rollups, key, from, to);
    }

    @Override
    public List<RollupRow> rollupsByChild(RollupKey key, Instant from, Instant to) {
        return select(byChild, key, from, to);
    }

    @Override
    public Optional<PeriodRow> period(String period) {
        return Optional.ofNullable(periods.get(period));
    }

    private static List<RollupRow> select(Map<RollupKey, List<RollupRow>> table, RollupKey key, Instant from, Instant to) {
        return table.getOrDefault(key, List.of()).stream()
                .filter(r -> !r.windowStart().isBefore(from) && r.windowStart().isBefore(to))
                .sorted(Comparator.comparing(RollupRow::windowStart)
                        .thenComparing(r -> r.childId() == null ? "" : r.childId())
                        .thenComparing(RollupRow::meterId).thenComparing(RollupRow::currency))
                .toList();
    }
}
