package cms.pipeline.cassandra;

import cms.cassandra.TransientErrors;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asynchronous statements with a bound on how many are in flight, each retried while Cassandra is slow or
 * unreachable, the first failure that is not kept. Every statement sent here is an idempotent upsert (its
 * values and its USING TIMESTAMP are fixed when it is bound), so sending it again after a timeout, whether or
 * not the first attempt was applied, gives the same rows.
 *
 * <p>A request that fails with a transient error ({@link TransientErrors}: a client or server timeout, no replica or
 * node available, a connection lost or refused, an overloaded or bootstrapping node) is sent again after a bounded
 * exponential backoff with jitter ({@link Backoff}), holding its in-flight permit meanwhile: the bound on
 * outstanding requests stays, and write() blocks (backpressure) once every permit waits on a retry. It gives up
 * once {@code retryFor} has passed since its first attempt, and then, like any other error (a refused
 * statement), it is kept as the failure that the next send, drain or close rethrows, failing the job, which
 * restarts from its last checkpoint. drain() returns once nothing is outstanding: everything sent before it
 * has landed (or the failure is thrown), which is what lets a checkpoint complete only after its writes.
 */
final class AsyncWrites {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncWrites.class);
    /** Beyond retryFor, how long a waiting send or drain allows the last attempts to report (a request's own timeout). */
    private static final Duration REPORT_SLACK = Duration.ofSeconds(30);

    /** How a statement is executed: the session's executeAsync (tests give their own). */
    interface Execution {
        CompletionStage<?> execute(Statement<?> statement);
    }

    /**
     * Exponential backoff: {@code initial}, then doubled up to {@code max}, each delay drawn uniformly from
     * its upper half (jitter, so writers that failed together do not come back together).
     */
    record Backoff(Duration initial, Duration max) {
        static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

        long delayMillis(int attempt) {
            long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 30));
            return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        }
    }

    private final Execution execution;
    private final int maxInFlight;
    private final Duration retryFor;
    private final Backoff backoff;
    private final Semaphore permits;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong retries = new AtomicLong();

    /** Retrying for {@code timeout}: how long Cassandra may be slow or unreachable before the job fails. */
    AsyncWrites(CqlSession session, int maxInFlight, Duration timeout) {
        this(session::executeAsync, maxInFlight, timeout, Backoff.DEFAULT);
    }

    AsyncWrites(Execution execution, int maxInFlight, Duration retryFor, Backoff backoff) {
        this.execution = execution;
        this.maxInFlight = maxInFlight;
        this.retryFor = retryFor;
        this.backoff = backoff;
        this.permits = new Semaphore(maxInFlight);
    }

    /** Sends {@code statement}, first waiting for a free slot; rethrows an earlier failure. */
    void send(Statement<?> statement, Runnable onSuccess) throws IOException, InterruptedException {
        rethrowFailure();
        acquire(1, "Cassandra did not complete a request within " + retryFor + " (" + maxInFlight + " in flight)");
        long giveUpAt = System.nanoTime() + retryFor.toNanos();
        try {
            attempt(statement, onSuccess, giveUpAt, 0);
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void attempt(Statement<?> statement, Runnable onSuccess, long giveUpAt, int retry) {
        CompletionStage<?> stage;
        try {
            stage = execution.execute(statement);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((rs, error) -> {
            if (error == null) {
                onSuccess.run();
                permits.release();
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            long delay = backoff.delayMillis(retry);
            if (failure.get() == null && TransientErrors.isTransient(cause) && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) < giveUpAt) {
                if (retries.incrementAndGet() % 1000 == 1) {
                    LOG.warn("Cassandra write failed ({}), retrying in {} ms; {} retries so far", cause.toString(), delay, retries.get());
                }
                // the delayed executor is the JDK's (its timer thread is not the job's, so nothing to stop)
                Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS);
                later.execute(() -> attempt(statement, onSuccess, giveUpAt, retry + 1));
                return;
            }
            failure.compareAndSet(null, cause);
            permits.release();
        });
    }

    /** Waits until every request sent has completed; rethrows the first failure. */
    void drain() throws IOException, InterruptedException {
        acquire(maxInFlight, "Cassandra writes still outstanding after " + retryFor);
        permits.release(maxInFlight);
        rethrowFailure();
    }

    /**
     * Takes {@code n} permits. Every request holding one gives up after retryFor, so waiting longer than that
     * (and the last attempt's own timeout) means something is wrong; a failure meanwhile ends the wait at once.
     */
    private void acquire(int n, String timedOut) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + retryFor.plus(REPORT_SLACK).toNanos();
        while (!permits.tryAcquire(n, 200, TimeUnit.MILLISECONDS)) {
            rethrowFailure();
            if (System.nanoTime() > deadline) {
                throw new IOException(timedOut);
            }
        }
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** Attempts sent again so far. */
    long retries() {
        return retries.get();
    }

    void rethrowFailure() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            throw new IOException("a Cassandra write failed: " + t, t);
        }
    }
}
