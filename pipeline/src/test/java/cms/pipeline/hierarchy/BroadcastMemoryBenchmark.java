package cms.pipeline.hierarchy;

import cms.avro.NodeLevel;
import cms.pipeline.Fixtures;
import cms.pipeline.model.ReferenceUpdate;

import java.lang.management.ManagementFactory;

/**
 * How much heap the broadcast reference data takes per subscription: loads a channel of N
 * subscriptions (one version each; 10 subscriptions a tenant, 10 tenants a partner, 10 partners a
 * distributor) into a {@link ReferenceIndex} and prints the retained heap after full GCs.
 * A harness that prints figures, not a test:
 *
 * <pre>
 *   mvn -q -pl pipeline -am test-compile
 *   java -Xmx4g -cp "pipeline/target/test-classes:pipeline/target/classes:$(mvn -q -pl pipeline \
 *     dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)" \
 *     cms.pipeline.hierarchy.BroadcastMemoryBenchmark 100000 1000000
 * </pre>
 */
public final class BroadcastMemoryBenchmark {
    public static void main(String[] args) {
        System.out.printf("machine: %d cores, max heap %d MB, %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        for (String arg : args.length == 0 ? new String[] {"100000"} : args) {
            int n = Integer.parseInt(arg);
            long before = retainedHeap();
            ReferenceIndex index = load(n);
            long after = retainedHeap();
            System.out.printf("%,d subscriptions (%,d versions in all): %,d MB retained, %.2f KB per subscription%n",
                    n, index.size(), (after - before) >> 20, (after - before) / 1024.0 / n);
            if (index.size() == 0) {
                throw new IllegalStateException("nothing loaded");
            }
        }
    }

    static ReferenceIndex load(int subscriptions) {
        ReferenceIndex index = new ReferenceIndex();
        String from = "2026-01-01T00:00:00Z";
        int tenants = Math.max(1, subscriptions / 10);
        int partners = Math.max(1, tenants / 10);
        int distributors = Math.max(1, partners / 10);
        for (int d = 0; d < distributors; d++) {
            index.add(ReferenceUpdate.of(Fixtures.node(NodeLevel.DISTRIBUTOR, "dist-" + d, null, from)));
        }
        for (int p = 0; p < partners; p++) {
            index.add(ReferenceUpdate.of(Fixtures.node(NodeLevel.PARTNER, "partner-" + p, "dist-" + (p % distributors), from)));
        }
        for (int t = 0; t < tenants; t++) {
            index.add(ReferenceUpdate.of(Fixtures.node(NodeLevel.TENANT, "tenant-" + t, "partner-" + (t % partners), from)));
        }
        for (int s = 0; s < subscriptions; s++) {
            index.add(ReferenceUpdate.of(Fixtures.subscription("sub-" + s, "tenant-" + (s % tenants), from, "book-standard")));
        }
        return index;
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private BroadcastMemoryBenchmark() {}
}
