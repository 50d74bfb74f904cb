package cms.api.audit;

import cms.avro.AuditRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The API's read model of the audit trail, as the audit topic holds it (fed like the other
 * reference data: the topic from its start, and the API's own acknowledged writes). Ordered by
 * id, which starts with the record's time. Thread-safe.
 */
public final class AuditLog {
    private final NavigableMap<String, AuditRecord> records = new ConcurrentSkipListMap<>();

    public void apply(AuditRecord record) {
        records.put(record.getAuditId(), record);
    }

    public int size() {
        return records.size();
    }

    /**
     * Up to {@code limit} records that {@code filter} admits, newest first, strictly older than the
     * record {@code before} (null: from the newest).
     */
    public List<AuditRecord> newestFirst(Predicate<AuditRecord> filter, String before, int limit) {
        NavigableMap<String, AuditRecord> older = before == null ? records.descendingMap()
                : records.headMap(before, false).descendingMap();
        List<AuditRecord> out = new ArrayList<>();
        for (AuditRecord r : older.values()) {
            if (out.size() == limit) {
                break;
            }
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }
}
