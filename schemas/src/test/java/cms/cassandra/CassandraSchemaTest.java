package cms.cassandra;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CassandraSchemaTest {
    @Test
    void splitsStatementsAndDropsComments() {
        List<String> statements = CassandraSchema.statements("""
                -- a comment; with a semicolon
                CREATE TABLE a (x int PRIMARY KEY);  -- trailing
                CREATE TABLE b (
                   y text PRIMARY KEY   -- the key
                );
                """);
        assertThat(statements).containsExactly("CREATE TABLE a (x int PRIMARY KEY)", "CREATE TABLE b ( y text PRIMARY KEY )");
    }

    @Test
    void migrationsAreNumberedInOrderAndParse() {
        List<CassandraSchema.Migration> migrations = CassandraSchema.migrations();
        assertThat(migrations).isNotEmpty();
        assertThat(migrations.get(0).version()).isEqualTo(1);
        assertThat(migrations.get(0).statements()).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS rollups ("));
        assertThat(migrations).allSatisfy(m -> assertThat(m.statements()).allSatisfy(s -> assertThat(s).contains("IF NOT EXISTS")));
    }

    @Test
    void waitsForSchemaAgreementUntilTheNodesAgree() {
        AtomicInteger asked = new AtomicInteger();
        CassandraSchema.awaitAgreement(() -> asked.incrementAndGet() >= 3, Duration.ofSeconds(10), Duration.ofMillis(1),
                () -> "unused", "CREATE TABLE t");
        assertThat(asked).hasValue(3);
    }

    @Test
    void aSchemaThatNeverAgreesFailsWithinItsBoundNamingTheStatementAndTheVersions() {
        long began = System.nanoTime();
        assertThatThrownBy(() -> CassandraSchema.awaitAgreement(() -> false, Duration.ofMillis(300), Duration.ofMillis(10),
                () -> "{/127.0.0.1=a, /127.0.0.2=b}", "CREATE TABLE IF NOT EXISTS rollups (x int PRIMARY KEY)"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not agree on the schema within 0.3 s")
                .hasMessageContaining("after: CREATE TABLE IF NOT EXISTS rollups")
                .hasMessageContaining("{/127.0.0.1=a, /127.0.0.2=b}");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
    }
}
