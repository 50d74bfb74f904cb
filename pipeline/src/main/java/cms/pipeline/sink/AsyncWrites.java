package cms.pipeline.sink;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asynchronous statements with a bound on how many are in flight, the first failure kept. drain()
 * takes every permit, i.e. returns once nothing is outstanding.
 */
final class AsyncWrites {
    private final CqlSession session;
    private final int maxInFlight;
    private final Duration timeout;
    private final Semaphore permits;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    AsyncWrites(CqlSession session, int maxInFlight, Duration timeout) {
        this.session = session;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
        this.permits = new Semaphore(maxInFlight);
    }

    /** Sends {@code statement}, first waiting for a free slot; rethrows an earlier failure. */
    void send(Statement<?> statement, Runnable onSuccess) throws IOException, InterruptedException {
        rethrowFailure();
        if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("Cassandra did not complete a request within " + timeout + " (" + maxInFlight + " in flight)");
        }
        try {
            session.executeAsync(statement).whenComplete((rs, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else {
                    onSuccess.run();
                }
                permits.release();
            });
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Waits until every request sent has completed; rethrows the first failure. */
    void drain() throws IOException, InterruptedException {
        if (!permits.tryAcquire(maxInFlight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("Cassandra writes still outstanding after " + timeout);
        }
        permits.release(maxInFlight);
        rethrowFailure();
    }

    boolean failed() {
        return failure.get() != null;
    }

    void rethrowFailure() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            throw new IOException("a Cassandra write failed: " + t, t);
        }
    }
}
