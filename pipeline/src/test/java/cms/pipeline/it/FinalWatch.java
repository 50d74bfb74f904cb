package cms.pipeline.it;

import com.datastax.oss.driver.api.core.CqlSession;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a keyspace's roll-ups every few seconds while faults are injected: a window once read FINAL must never read
 * differently again ({@link FaultSuiteIT}, and the cluster's faults in {@link ClusterFaults}).
 */
final class FinalWatch {
    final Map<String, String> finalSeen = new ConcurrentHashMap<>();
    final List<String> changed = new CopyOnWriteArrayList<>();
    private final CqlSession cassandra;
    private final String keyspace;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    FinalWatch(CqlSession cassandra, String keyspace) {
        this.cassandra = cassandra;
        this.keyspace = keyspace;
    }

    void start() {
        running.set(true);
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    for (var e : ItSupport.rollupRows(cassandra, keyspace).entrySet()) {
                        if (!e.getValue().startsWith("FINAL") && !finalSeen.containsKey(e.getKey())) {
                            continue;
                        }
                        String first = finalSeen.putIfAbsent(e.getKey(), e.getValue());
                        if (first != null && !first.equals(e.getValue())) {
                            changed.add(e.getKey() + ": " + first + " -> " + e.getValue());
                        }
                    }
                } catch (RuntimeException unavailable) {
                    // Cassandra down or slow: read again later
                }
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "final-watch");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.interrupt();
            thread.join(30_000);
        }
    }
}
