package cms.infra.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The harness's background threads of one kind (dashboard clients, probes): started as daemons, asked
 * to stop together, each waited for; the first failure of any is kept and rethrown by {@link #stop}.
 */
final class Workers {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopping;

    void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    /** True once {@link #stop} was called: the threads' loops end on it. */
    boolean stopping() {
        return stopping;
    }

    /** Keeps {@code e} if it is the first failure. */
    void fail(Exception e) {
        failure.compareAndSet(null, e);
    }

    /** Asks every thread to stop, waits up to {@code joinMillis} for each, then rethrows the first failure. */
    void stop(long joinMillis) throws Exception {
        stopping = true;
        for (Thread t : threads) {
            t.join(joinMillis);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
