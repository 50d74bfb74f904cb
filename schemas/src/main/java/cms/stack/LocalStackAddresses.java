package cms.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the local stack listens. One definition for the stack that binds these ports, the tests
 * that reach them, and the pipeline's and API's defaults. Each value can be overridden by an
 * environment variable or a system property of the same meaning (system property wins).
 *
 * <pre>
 *   CMS_KAFKA_PORT              cms.kafka.port               9092
 *   CMS_KAFKA_CONTROLLER_PORT   cms.kafka.controller.port    9093
 *   CMS_CASSANDRA_PORT          cms.cassandra.port           9042
 *   CMS_CASSANDRA_STORAGE_PORT  cms.cassandra.storage.port   7000
 *   CMS_REGISTRY_PORT           cms.registry.port            8085
 *   CMS_KEYSPACE                cms.keyspace                 cms
 *   CMS_STACK_DIR               cms.stack.dir                &lt;project root&gt;/.stack
 * </pre>
 */
public record LocalStackAddresses(
        String host,
        int kafkaPort,
        int kafkaControllerPort,
        int cassandraPort,
        int cassandraStoragePort,
        int registryPort,
        String keyspace) {

    public static final String HOST = "127.0.0.1";
    /** The datacenter name a single local Cassandra node reports. */
    public static final String CASSANDRA_DATACENTER = "datacenter1";
    /** Apicurio serves the Confluent API under this path. */
    public static final String REGISTRY_CONFLUENT_PATH = "/apis/ccompat/v7";

    public LocalStackAddresses {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(keyspace, "keyspace");
    }

    /** The addresses from the environment and system properties, defaults where unset. */
    public static LocalStackAddresses fromEnvironment() {
        return from(System.getenv(), System.getProperties());
    }

    static LocalStackAddresses from(Map<String, String> env, java.util.Properties props) {
        return new LocalStackAddresses(
                HOST,
                port(env, props, "CMS_KAFKA_PORT", "cms.kafka.port", 9092),
                port(env, props, "CMS_KAFKA_CONTROLLER_PORT", "cms.kafka.controller.port", 9093),
                port(env, props, "CMS_CASSANDRA_PORT", "cms.cassandra.port", 9042),
                port(env, props, "CMS_CASSANDRA_STORAGE_PORT", "cms.cassandra.storage.port", 7000),
                port(env, props, "CMS_REGISTRY_PORT", "cms.registry.port", 8085),
                value(env, props, "CMS_KEYSPACE", "cms.keyspace", "cms"));
    }

    public String kafkaBootstrap() {
        return host + ":" + kafkaPort;
    }

    /** Base URL of the Confluent Schema Registry API. */
    public String registryUrl() {
        return "http://" + host + ":" + registryPort + REGISTRY_CONFLUENT_PATH;
    }

    public String cassandraContactPoint() {
        return host + ":" + cassandraPort;
    }

    /**
     * The stack's working directory: logs, data, pid files. Defaults to .stack in the project root,
     * found by walking up from the working directory to the folder that holds infra/servers.
     */
    public static Path stackDir() {
        String configured = value(System.getenv(), System.getProperties(), "CMS_STACK_DIR", "cms.stack.dir", null);
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        return projectRoot().resolve(".stack");
    }

    /** The project's root folder (the one holding infra/servers). */
    public static Path projectRoot() {
        String configured = System.getProperty("cms.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (p.resolve("infra").resolve("servers").toFile().isDirectory()) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the project root (a folder holding infra/servers) above " + dir
                + "; set -Dcms.root");
    }

    private static int port(Map<String, String> env, java.util.Properties props, String envName, String prop, int dflt) {
        String v = value(env, props, envName, prop, null);
        if (v == null) {
            return dflt;
        }
        try {
            int port = Integer.parseInt(v.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(prop + " (" + envName + ") must be a port number 1..65535, was '" + v + "'");
        }
    }

    private static String value(Map<String, String> env, java.util.Properties props, String envName, String prop, String dflt) {
        String p = props.getProperty(prop);
        if (p != null && !p.isBlank()) {
            return p;
        }
        String e = env.get(envName);
        return e != null && !e.isBlank() ? e : dflt;
    }
}
