package cms.api.cassandra;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an OPEN MONTH window read summed of a member's settled FINAL days, kept for the next read: FINAL rows never
 * change and days before {@link cms.cassandra.DerivedWindows#hoursFrom} have all of theirs in place, so a MONTH window
 * read again (a dashboard every 5 s) takes only the DAY and HOUR rows from there on, not the month's DAY rows again.
 * Bounded: the least recently used entries go first. Thread-safe.
 */
final class SettledDays {
    /** A member's month in one family partition. */
    record Key(NodeLevel family, String head, String bucket, String member) {}

    /** The member's days before {@code through}, added up as its MONTH window's parts (OPEN), per meter and currency. */
    record Entry(Instant through, List<FamilyRollups.Part> parts) {}

    private final Map<Key, Entry> entries;

    SettledDays(int maxEntries) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    synchronized Entry get(Key key) {
        return entries.get(key);
    }

    /** Keeps {@code entry} unless what is kept already reaches as far (reads of one month may run side by side). */
    synchronized void put(Key key, Entry entry) {
        Entry kept = entries.get(key);
        if (kept == null || entry.through().isAfter(kept.through())) {
            entries.put(key, entry);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
