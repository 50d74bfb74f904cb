package cms.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The versioned Cassandra layout (resources cql/V*.cql, listed in cql/migrations.txt) and the code
 * that applies it: creates the keyspace, then each migration not yet recorded in
 * schema_migrations. Idempotent: every statement is IF NOT EXISTS, and applied versions are skipped.
 *
 * <p>On a cluster of several nodes every schema change is waited on until all live nodes agree on the
 * schema version ({@link #SCHEMA_AGREEMENT_TIMEOUT}), before the next statement and before apply returns:
 * a change reaches the other nodes by gossip, and a writer or a later DDL sent to a node that has not
 * seen it yet fails ("table rollups does not exist").
 */
public final class CassandraSchema {
    public static final String ROLLUPS = "rollups";
    public static final String ROLLUPS_BY_CHILD = "rollups_by_child";
    /** V002: the roll-ups by family, see {@link FamilyRollups}. */
    public static final String FAMILY_ROLLUPS = "family_rollups";
    public static final String PERIODS = "periods";
    public static final String MIGRATIONS = "schema_migrations";

    private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long one schema change may take to reach every live node. The driver itself waits 10 s
     * (advanced.control-connection.schema-agreement.timeout) and then only logs a warning; three nodes
     * on a loaded 2-core machine were seen to need longer.
     */
    static final Duration SCHEMA_AGREEMENT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration AGREEMENT_POLL = Duration.ofMillis(250);

    /** One migration file. */
    public record Migration(int version, String file, List<String> statements) {}

    /** Applies every migration not yet applied; returns the versions applied now. */
    public static List<Integer> apply(CqlSession session, String keyspace, int replicationFactor) {
        if (!KEYSPACE_NAME.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("keyspace must match " + KEYSPACE_NAME + ", was '" + keyspace + "'");
        }
        execute(session, "CREATE KEYSPACE IF NOT EXISTS " + keyspace
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}");
        execute(session, "CREATE TABLE IF NOT EXISTS " + keyspace + "." + MIGRATIONS
                + " (version int PRIMARY KEY, file text, applied_at timestamp)");
        Set<Integer> applied = new HashSet<>();
        for (Row row : session.execute(SimpleStatement.newInstance("SELECT version FROM " + keyspace + "." + MIGRATIONS)
                .setTimeout(DDL_TIMEOUT))) {
            applied.add(row.getInt("version"));
        }
        List<Integer> now = new ArrayList<>();
        for (Migration migration : migrations()) {
            if (applied.contains(migration.version())) {
                continue;
            }
            for (String statement : migration.statements()) {
                execute(session, SimpleStatement.newInstance(statement).setKeyspace(keyspace));
            }
            execute(session, SimpleStatement.newInstance("INSERT INTO " + keyspace + "." + MIGRATIONS
                    + " (version, file, applied_at) VALUES (?, ?, ?)", migration.version(), migration.file(), Instant.now()));
            now.add(migration.version());
        }
        return now;
    }

    /** The migrations in order, parsed into statements. */
    public static List<Migration> migrations() {
        List<Migration> out = new ArrayList<>();
        int previous = 0;
        for (String line : resource("cql/migrations.txt").split("\n")) {
            String file = line.strip();
            if (file.isEmpty() || file.startsWith("#")) {
                continue;
            }
            if (!file.matches("V\\d{3}__[a-z0-9_]+\\.cql")) {
                throw new IllegalStateException("migration file name must be Vnnn__name.cql: " + file);
            }
            int version = Integer.parseInt(file.substring(1, 4));
            if (version <= previous) {
                throw new IllegalStateException("migrations out of order at " + file);
            }
            previous = version;
            out.add(new Migration(version, file, statements(resource("cql/" + file))));
        }
        return out;
    }

    /** Splits a CQL file into statements: strips -- comments, splits on ';'. */
    static List<String> statements(String cql) {
        StringBuilder sb = new StringBuilder();
        for (String line : cql.split("\n")) {
            int comment = line.indexOf("--");
            sb.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String part : sb.toString().split(";")) {
            String s = part.strip().replaceAll("\\s+", " ");
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static void execute(CqlSession session, String cql) {
        execute(session, SimpleStatement.newInstance(cql));
    }

    private static void execute(CqlSession session, SimpleStatement statement) {
        ResultSet result = session.execute(statement.setTimeout(DDL_TIMEOUT));
        if (isSchemaChange(statement.getQuery())) {
            // also when the driver reports agreement: a no-op IF NOT EXISTS reports it without asking the peers
            boolean agreedAlready = result.getExecutionInfo().isSchemaInAgreement() && session.checkSchemaAgreement();
            if (!agreedAlready) {
                awaitAgreement(session::checkSchemaAgreement, SCHEMA_AGREEMENT_TIMEOUT, AGREEMENT_POLL,
                        () -> schemaVersions(session), statement.getQuery());
            }
        }
    }

    private static boolean isSchemaChange(String cql) {
        String s = cql.stripLeading().toUpperCase(java.util.Locale.ROOT);
        return s.startsWith("CREATE") || s.startsWith("ALTER") || s.startsWith("DROP");
    }

    /**
     * Polls {@code agreed} until it holds; after {@code timeout} fails with the statement and the schema
     * versions {@code versions} describes, so an operator sees which node lags.
     */
    static void awaitAgreement(BooleanSupplier agreed, Duration timeout, Duration poll, Supplier<String> versions, String after) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!agreed.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("the Cassandra nodes did not agree on the schema within "
                        + String.format(java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0) + " s after: " + after + " (schema versions: " + versions.get() + "); a node is overloaded or"
                        + " cannot gossip with the others, see its system.log");
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for schema agreement after: " + after, e);
            }
        }
    }

    /** Each node's schema version as the control node sees it (system.local and system.peers_v2). */
    private static String schemaVersions(CqlSession session) {
        Map<String, String> out = new TreeMap<>();
        try {
            Row local = session.execute("SELECT listen_address, schema_version FROM system.local").one();
            if (local != null) {
                out.put(String.valueOf(local.getInetAddress("listen_address")), String.valueOf(local.getUuid("schema_version")));
            }
            for (Row peer : session.execute("SELECT peer, schema_version FROM system.peers_v2")) {
                out.put(String.valueOf(peer.getInetAddress("peer")), String.valueOf(peer.getUuid("schema_version")));
            }
            return out.toString();
        } catch (RuntimeException e) {
            return "unreadable: " + e;
        }
    }

    private static String resource(String name) {
        try (InputStream in = CassandraSchema.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CassandraSchema() {}
}
