package cms.pipeline.cassandra;

import cms.infra.LocalStack;
import cms.pipeline.it.FaultStack;
import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's writes on a real Cassandra that is killed (SIGKILL) in the middle of them and restarted on its data
 * (the fault tests' own stack, {@link FaultStack}): the writes in flight and those sent during the outage are retried,
 * sending blocks once every permit waits (the in-flight bound), drain returns only once every row has landed, and
 * nothing fails. The session is the job's own ({@link CassandraConnection#open}).
 */
class CassandraOutageIT {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraOutageIT.class);
    private static final int ROWS = 400;
    private static final int MAX_IN_FLIGHT = 16;

    @Test
    void writesWaitOutCassandraBeingKilledAndRestartedAndAllLand() throws Exception {
        LocalStack stack = FaultStack.get();
        LocalStackAddresses a = stack.addresses();
        CassandraConnection connection = new CassandraConnection(a.cassandraContactPoint(), LocalStackAddresses.CASSANDRA_DATACENTER,
                a.keyspace(), Duration.ofSeconds(2));
        try (CqlSession session = connection.open()) {
            // schema changes on a loaded machine take longer than the session's 2 s
            session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS outage_it (k int PRIMARY KEY, v text)")
                    .setTimeout(Duration.ofSeconds(60)));
            session.execute(SimpleStatement.newInstance("TRUNCATE outage_it").setTimeout(Duration.ofSeconds(60)));
            PreparedStatement insert = session.prepare("INSERT INTO outage_it (k, v) VALUES (?, ?)");
            AsyncWrites writes = new AsyncWrites(session, MAX_IN_FLIGHT, Duration.ofMinutes(3));
            AtomicInteger landed = new AtomicInteger();
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int k = 0; k < ROWS; k++) {
                        writes.send(insert.bind(k, "row " + k), landed::incrementAndGet);
                        sent.incrementAndGet();
                        if (k < ROWS / 2) {
                            Thread.sleep(20);   // a steady trickle until Cassandra goes, then as fast as the bound allows
                        }
                    }
                    writes.drain();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            while (sent.get() < ROWS / 4) {
                Thread.sleep(10);
            }
            stack.kill(LocalStack.Member.CASSANDRA);
            long down = System.nanoTime();
            LOG.info("Cassandra killed after {} rows sent ({} landed)", sent.get(), landed.get());
            Thread.sleep(20_000);
            int sentWhileDown = sent.get();
            assertThat(writer).as("the writer while Cassandra is down").isNotDone();
            assertThat(sentWhileDown).as("sending stops at the in-flight bound").isLessThan(ROWS);
            assertThat(writes.retries()).as("retries while down").isPositive();
            assertThat(writes.failed()).isFalse();

            Duration restart = stack.restart(LocalStack.Member.CASSANDRA);
            writer.get(3, TimeUnit.MINUTES);
            long recovered = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - down);
            LOG.info("Cassandra back after {} s (restart {} s); all {} rows landed {} s after the kill, {} retries",
                    20, restart.toSeconds(), ROWS, recovered, writes.retries());
            assertThat(landed).hasValue(ROWS);
            java.util.Set<Integer> stored = new java.util.TreeSet<>();
            session.execute(SimpleStatement.newInstance("SELECT k FROM outage_it").setTimeout(Duration.ofSeconds(30))).forEach(r -> stored.add(r.getInt(0)));
            java.util.List<Integer> missing = java.util.stream.IntStream.range(0, ROWS).boxed().filter(k -> !stored.contains(k)).toList();
            assertThat(missing).as("rows acknowledged but not stored").isEmpty();
        }
    }
}
