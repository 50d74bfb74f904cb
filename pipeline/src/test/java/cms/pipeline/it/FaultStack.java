package cms.pipeline.it;

import cms.infra.LocalStack;
import cms.stack.LocalStackAddresses;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * A local stack of the fault tests' own (cms.infra.LocalStack in pipeline/target/fault-stack), started on first use
 * and stopped when the test JVM exits: they kill, stop and hang its servers, which the stack the other tests share
 * must not see. Its ports are the first free ones from {@code -Dcms.faults.port-base} (24100), below the ephemeral range.
 */
public final class FaultStack {
    private static LocalStack stack;

    private FaultStack() {}

    public static synchronized LocalStack get() {
        if (stack == null) {
            int base = Integer.getInteger("cms.faults.port-base", 24100);
            Set<Integer> taken = new HashSet<>();
            LocalStackAddresses a = new LocalStackAddresses(LocalStackAddresses.HOST, free(base, taken), free(base, taken),
                    free(base, taken), free(base, taken), free(base, taken), "faults");
            Path dir = LocalStackAddresses.projectRoot().resolve("pipeline/target/fault-stack");
            LocalStack s = LocalStack.at(dir, a, System.getProperty("cms.faults.kafka-heap", "384m"),
                    System.getProperty("cms.faults.cassandra-heap", "640m"));
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "fault-stack-stop"));
            stack = s.start();
        }
        return stack;
    }

    private static int free(int from, Set<Integer> taken) {
        for (int port = from; port < 32768; port++) {
            if (taken.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(LocalStackAddresses.HOST, port));
                taken.add(port);
                return port;
            } catch (IOException inUse) {
                // the next one
            }
        }
        throw new IllegalStateException("no free port from " + from + " below 32768");
    }
}
