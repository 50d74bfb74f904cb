package cms.infra;

import cms.cassandra.CassandraSchema;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one run of the job owns on the shared local stack, so that runs (the journeys, the benchmark)
 * never see each other's data: its topics with their value subjects, and its Cassandra keyspace.
 * Made before the job starts, removed after it stopped. On the local cluster (infra/bin/cluster) they are replicated
 * as its own are.
 */
public final class RunTopics {
    /** A topic of the run, with the schema its values are written in. */
    public record Topic(String name, int partitions, Schema valueSchema) {}

    private final LocalStackAddresses stack;
    private final String keyspace;
    private final List<Topic> topics;

    private RunTopics(LocalStackAddresses stack, String keyspace, List<Topic> topics) {
        this.stack = stack;
        this.keyspace = keyspace;
        this.topics = List.copyOf(topics);
    }

    /** Creates the topics, registers their value subjects and applies the Cassandra layout to the keyspace. */
    public static RunTopics provision(LocalStackAddresses stack, String keyspace, List<Topic> topics) throws Exception {
        try (Admin admin = admin(stack)) {
            List<NewTopic> create = new ArrayList<>();
            // each topic as the stack's topic of its kind (the same value schema): the dead-letter topic's room for the dead
            // letter of any record the usage topic takes, the usage and rated topics' retention (see Topics); replicated as
            // the brokers' default says (1 on the stack; 3, with min.insync.replicas 2, on the cluster)
            topics.forEach(t -> create.add(new NewTopic(t.name(), java.util.Optional.of(t.partitions()), java.util.Optional.empty())
                    .configs(Topics.all(1).stream().filter(s -> s.valueSchema().equals(t.valueSchema())).findFirst()
                            .map(Topics.Spec::config).orElse(Map.of()))));
            admin.createTopics(create).all().get(60, TimeUnit.SECONDS);
        }
        // One subject at a time, before anything else runs: Apicurio's in-memory store can deadlock when several
        // clients register first schemas at once. The job's sinks then find theirs.
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(stack.registryUrl()));
        for (Topic t : topics) {
            registry.register(Topics.valueSubject(t.name()), t.valueSchema());
        }
        try (CqlSession session = cql(stack)) {
            // replicated as the stack's or the cluster's own keyspace: one replica a node, at most 3
            CassandraSchema.apply(session, keyspace, Math.min(3, session.getMetadata().getNodes().size()));
        }
        return new RunTopics(stack, keyspace, topics);
    }

    public String keyspace() {
        return keyspace;
    }

    public List<String> names() {
        return topics.stream().map(Topic::name).toList();
    }

    /**
     * Cassandra's own count of the writes applied to the run's keyspace (system_views.local_write_latency, summed over its
     * tables: one per partition update, so a single-partition batch counts once) by the node the session connects to;
     * meaningful on the single-node stack, where that node holds every replica. One session for many readings, so that
     * a reading takes milliseconds, not a connection's seconds.
     */
    public final class WriteCount implements AutoCloseable {
        private final CqlSession session = cql(stack);
        private final com.datastax.oss.driver.api.core.cql.PreparedStatement query =
                session.prepare("SELECT count FROM system_views.local_write_latency WHERE keyspace_name = ?");

        public long now() {
            long n = 0;
            for (var row : session.execute(query.bind(keyspace))) {
                n += row.getLong("count");
            }
            return n;
        }

        @Override
        public void close() {
            session.close();
        }
    }

    public WriteCount writeCount() {
        return new WriteCount();
    }

    /** Deletes the topics and drops the keyspace; returns what could not be removed (nothing when all went well). */
    public List<String> remove() {
        List<String> problems = new ArrayList<>();
        try (Admin admin = admin(stack)) {
            admin.deleteTopics(names()).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            problems.add("could not delete the run's topics: " + e);
        }
        try (CqlSession session = cql(stack)) {
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(Duration.ofSeconds(60)));
        } catch (RuntimeException e) {
            problems.add("could not drop keyspace " + keyspace + ": " + e);
        }
        return problems;
    }

    private static Admin admin(LocalStackAddresses stack) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()));
    }

    private static CqlSession cql(LocalStackAddresses stack) {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(stack.host(), stack.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                .build();
    }
}
