package cms.pipeline.it;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink for topology tests on a MiniCluster (one JVM): every element it is given, in the order each writer got them
 * (a key's elements reach one writer, so their order is the order they were emitted), readable while the job runs.
 */
final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    CollectingSink() {
        COLLECTED.put(id, Collections.synchronizedList(new ArrayList<>()));
    }

    /** A copy of what the writers have been given so far. */
    @SuppressWarnings("unchecked")
    List<T> collected() {
        List<Object> list = COLLECTED.get(id);
        synchronized (list) {
            return (List<T>) new ArrayList<>(list);
        }
    }

    int size() {
        return COLLECTED.get(id).size();
    }

    /** Forgets what was collected. */
    void close() {
        COLLECTED.remove(id);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> list = COLLECTED.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                list.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
