package cms.pipeline.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;

import java.util.HashMap;
import java.util.Map;

/**
 * One driver session per connection per JVM, shared by every writer and committer of the task
 * manager: a session holds connection pools and threads and is meant to live as long as the
 * application, not one per parallel subtask. Reference-counted; closed with its last user.
 */
final class SharedSessions {
    private static final Map<CassandraConnection, Entry> SESSIONS = new HashMap<>();

    private static final class Entry {
        final CqlSession session;
        int users;

        Entry(CqlSession session) {
            this.session = session;
        }
    }

    static synchronized CqlSession acquire(CassandraConnection connection) {
        Entry e = SESSIONS.get(connection);
        if (e == null || e.session.isClosed()) {
            e = new Entry(connection.open());
            SESSIONS.put(connection, e);
        }
        e.users++;
        return e.session;
    }

    static synchronized void release(CassandraConnection connection, CqlSession session) {
        Entry e = SESSIONS.get(connection);
        if (e == null || e.session != session) {
            session.close();
            return;
        }
        if (--e.users == 0) {
            SESSIONS.remove(connection);
            e.session.close();
        }
    }

    private SharedSessions() {}
}
