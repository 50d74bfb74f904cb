package cms.infra;

import cms.stack.LocalStackAddresses;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the local stack can be told: where it listens ({@link LocalStackAddresses}), where it
 * keeps its files, and how much memory each server gets. Environment variables (system
 * properties win):
 *
 * <pre>
 *   CMS_STACK_DIR        cms.stack.dir         &lt;root&gt;/.stack   logs, data and pid files
 *   CMS_KAFKA_HEAP       cms.kafka.heap        512m
 *   CMS_CASSANDRA_HEAP   cms.cassandra.heap    768m
 *   CMS_REGISTRY_HEAP    cms.registry.heap     256m
 *   CMS_USAGE_PARTITIONS cms.usage.partitions  4        partitions of the usage topics
 *   CMS_STACK_TIMEOUT    cms.stack.timeout     180      seconds to wait for every server
 *   CMS_JAVA17_HOME      cms.java17.home       (this JVM if it is 17, else /usr/lib/jvm/java-17-openjdk-amd64)
 * </pre>
 */
record StackSettings(
        LocalStackAddresses addresses,
        Path root,
        Path dir,
        String kafkaHeap,
        String cassandraHeap,
        String registryHeap,
        int usagePartitions,
        Duration readyTimeout,
        Path java17Home) {

    static StackSettings fromEnvironment() {
        return new StackSettings(
                LocalStackAddresses.fromEnvironment(),
                LocalStackAddresses.projectRoot(),
                LocalStackAddresses.stackDir(),
                heap("CMS_KAFKA_HEAP", "cms.kafka.heap", "512m"),
                heap("CMS_CASSANDRA_HEAP", "cms.cassandra.heap", "768m"),
                heap("CMS_REGISTRY_HEAP", "cms.registry.heap", "256m"),
                positive("CMS_USAGE_PARTITIONS", "cms.usage.partitions", 4),
                Duration.ofSeconds(positive("CMS_STACK_TIMEOUT", "cms.stack.timeout", 180)),
                defaultJava17Home());
    }

    Path serversDir() {
        return root.resolve("infra").resolve("servers");
    }

    private static String heap(String env, String prop, String dflt) {
        String v = value(env, prop, dflt);
        if (!v.matches("\\d+[mMgG]")) {
            throw new IllegalArgumentException(prop + " (" + env + ") must look like 512m or 1g, was '" + v + "'");
        }
        return v;
    }

    private static int positive(String env, String prop, int dflt) {
        String v = value(env, prop, Integer.toString(dflt));
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(prop + " (" + env + ") must be a positive integer, was '" + v + "'");
        }
    }

    private static Path defaultJava17Home() {
        String configured = value("CMS_JAVA17_HOME", "cms.java17.home", null);
        if (configured != null) {
            return Path.of(configured);
        }
        if (Runtime.version().feature() == 17) {
            return Path.of(System.getProperty("java.home"));
        }
        return Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    }

    private static String value(String env, String prop, String dflt) {
        String p = System.getProperty(prop);
        if (p != null && !p.isBlank()) {
            return p;
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? e : dflt;
    }
}
