package cms.pipeline.cassandra;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry and bound rules of the sink's asynchronous writes, with executions that fail as Cassandra's driver does. */
class AsyncWritesTest {
    private static final Statement<?> ROW = SimpleStatement.newInstance("INSERT INTO t (k) VALUES (1)");
    private static final AsyncWrites.Backoff FAST = new AsyncWrites.Backoff(Duration.ofMillis(5), Duration.ofMillis(40));

    /** Fails the first {@code failures} attempts with {@code error}, then succeeds; counts attempts. */
    private static final class Flaky implements AsyncWrites.Execution {
        final AtomicInteger attempts = new AtomicInteger();
        final int failures;
        final RuntimeException error;

        Flaky(int failures, RuntimeException error) {
            this.failures = failures;
            this.error = error;
        }

        @Override
        public CompletionStage<?> execute(Statement<?> statement) {
            return attempts.incrementAndGet() <= failures ? CompletableFuture.failedFuture(error) : CompletableFuture.completedFuture("ok");
        }
    }

    @Test
    void timeoutsAndUnreachableNodesAreRetriedUntilTheWriteLands() throws Exception {
        for (RuntimeException transientError : List.of(new DriverTimeoutException("slow"), new NoNodeAvailableException())) {
            Flaky cassandra = new Flaky(6, transientError);
            AsyncWrites writes = new AsyncWrites(cassandra, 4, Duration.ofSeconds(30), FAST);
            AtomicInteger landed = new AtomicInteger();
            writes.send(ROW, landed::incrementAndGet);
            writes.drain();
            assertThat(landed).as("landed once after " + transientError).hasValue(1);
            assertThat(cassandra.attempts).hasValue(7);
            assertThat(writes.retries()).isEqualTo(6);
            assertThat(writes.failed()).isFalse();
        }
    }

    @Test
    void aStatementCassandraRefusesIsNotRetriedAndFailsTheNextCall() throws Exception {
        Flaky cassandra = new Flaky(Integer.MAX_VALUE, new InvalidQueryException(null, "unconfigured table"));
        AsyncWrites writes = new AsyncWrites(cassandra, 4, Duration.ofSeconds(30), FAST);
        writes.send(ROW, () -> { });
        assertThatThrownBy(writes::drain).isInstanceOf(IOException.class).hasMessageContaining("unconfigured table");
        assertThat(cassandra.attempts).hasValue(1);
        assertThatThrownBy(() -> writes.send(ROW, () -> { })).isInstanceOf(IOException.class);
    }

    @Test
    void retriesGiveUpOnceTheRetryWindowHasPassed() throws Exception {
        Flaky cassandra = new Flaky(Integer.MAX_VALUE, new DriverTimeoutException("down"));
        AsyncWrites writes = new AsyncWrites(cassandra, 4, Duration.ofMillis(300), FAST);
        long began = System.nanoTime();
        writes.send(ROW, () -> { });
        assertThatThrownBy(writes::drain).isInstanceOf(IOException.class).hasMessageContaining("down");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertThat(tookMillis).as("gave up after the window").isGreaterThanOrEqualTo(250);
        // how many fit in the window depends on the machine's scheduling (a loaded one fits few): that it retried at all
        assertThat(cassandra.attempts.get()).as("retried within the window before giving up").isGreaterThanOrEqualTo(2);
    }

    @Test
    void retryingRequestsKeepTheirPermitsSoTheInFlightBoundHoldsAndDrainWaitsForThem() throws Exception {
        // Cassandra "down" until released: every attempt fails with a timeout
        CountDownLatch up = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        AsyncWrites.Execution cassandra = s -> {
            attempts.incrementAndGet();
            return up.getCount() == 0 ? CompletableFuture.completedFuture("ok")
                    : CompletableFuture.failedFuture(new DriverTimeoutException("down"));
        };
        AsyncWrites writes = new AsyncWrites(cassandra, 2, Duration.ofSeconds(30), FAST);
        AtomicInteger landed = new AtomicInteger();
        writes.send(ROW, landed::incrementAndGet);
        writes.send(ROW, landed::incrementAndGet);

        List<Throwable> errors = new ArrayList<>();
        CountDownLatch thirdSent = new CountDownLatch(1);
        Thread third = new Thread(() -> {
            try {
                writes.send(ROW, landed::incrementAndGet);
                thirdSent.countDown();
            } catch (Exception e) {
                errors.add(e);
            }
        });
        third.start();
        CountDownLatch drained = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try {
                thirdSent.await();
                writes.drain();
                drained.countDown();
            } catch (Exception e) {
                errors.add(e);
            }
        });
        drain.start();

        assertThat(thirdSent.await(500, TimeUnit.MILLISECONDS)).as("a third request while two retry").isFalse();
        assertThat(attempts.get()).as("the two requests are being retried").isGreaterThan(4);
        up.countDown();
        assertThat(thirdSent.await(5, TimeUnit.SECONDS)).as("sent once a permit came back").isTrue();
        assertThat(drained.await(5, TimeUnit.SECONDS)).as("drained once all landed").isTrue();
        assertThat(landed).hasValue(3);
        assertThat(errors).isEmpty();
        assertThat(writes.failed()).isFalse();
    }

    @Test
    void drainDoesNotReturnWhileARetryIsPending() throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        AsyncWrites.Execution cassandra = s -> up.getCount() == 0 ? CompletableFuture.completedFuture("ok")
                : CompletableFuture.failedFuture(new NoNodeAvailableException());
        AsyncWrites writes = new AsyncWrites(cassandra, 8, Duration.ofSeconds(30), FAST);
        AtomicInteger landed = new AtomicInteger();
        writes.send(ROW, landed::incrementAndGet);
        CountDownLatch drained = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try {
                writes.drain();
                drained.countDown();
            } catch (Exception ignored) {
                // asserted below: it would not count down
            }
        });
        drain.start();
        assertThat(drained.await(400, TimeUnit.MILLISECONDS)).as("drained while the write had not landed").isFalse();
        up.countDown();
        assertThat(drained.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(landed).hasValue(1);
    }

    @Test
    void backoffDoublesUpToItsBoundWithJitterInTheUpperHalf() {
        AsyncWrites.Backoff b = new AsyncWrites.Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            assertThat(b.delayMillis(0)).isBetween(50L, 100L);
            assertThat(b.delayMillis(3)).isBetween(400L, 800L);
            assertThat(b.delayMillis(40)).isBetween(2500L, 5000L);
        }
    }
}
