package cms.cassandra;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
