package cms.infra.bench;

import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the job's time goes, from a JFR recording (settings=profile) of the pipeline's JVM: CPU
 * samples by thread (Flink names task threads after their operators), by top frame (self time) and
 * by the project's own methods anywhere on the stack (inclusive), by library; garbage collection
 * pauses; allocation by class and by allocating method. The same figures come from
 * {@code jfr print --events jdk.ExecutionSample pipeline.jfr} and {@code jfr summary pipeline.jfr};
 * this reads the file with jdk.jfr.consumer and aggregates.
 */
final class JfrProfile {
    private JfrProfile() {}

    static String analyse(Path recording, int top) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusiveOwn = new HashMap<>();
        Map<String, Long> byLibrary = new HashMap<>();
        Map<String, Long> allocByClass = new HashMap<>();
        Map<String, Long> allocByMethod = new HashMap<>();
        Map<String, long[]> gcs = new LinkedHashMap<>();
        long samples = 0;
        long allocated = 0;
        double cpuJvm = 0;
        double cpuMachine = 0;
        int cpuReadings = 0;
        Instant first = null;
        Instant last = null;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                Instant t = e.getStartTime();
                first = first == null || t.isBefore(first) ? t : first;
                last = last == null || t.isAfter(last) ? t : last;
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        samples++;
                        RecordedThread thread = e.getThread("sampledThread");
                        byThread.merge(threadGroup(thread == null ? "?" : thread.getJavaName()), 1L, Long::sum);
                        RecordedStackTrace stack = e.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        List<RecordedFrame> frames = stack.getFrames();
                        String top1 = method(frames.get(0));
                        self.merge(top1, 1L, Long::sum);
                        byLibrary.merge(library(frames), 1L, Long::sum);
                        Set<String> seen = new HashSet<>();
                        for (RecordedFrame f : frames) {
                            String m = method(f);
                            if (m.startsWith("cms.") && seen.add(m)) {
                                inclusiveOwn.merge(m, 1L, Long::sum);
                            }
                        }
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long weight = e.getLong("weight");
                        allocated += weight;
                        RecordedClass c = e.getClass("objectClass");
                        allocByClass.merge(c == null ? "?" : c.getName(), weight, Long::sum);
                        RecordedStackTrace stack = e.getStackTrace();
                        if (stack != null && !stack.getFrames().isEmpty()) {
                            allocByMethod.merge(firstNonJdk(stack.getFrames()), weight, Long::sum);
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        long[] g = gcs.computeIfAbsent(e.getString("name"), k -> new long[3]);
                        g[0]++;
                        g[1] += e.getDuration("sumOfPauses").toNanos();
                        g[2] = Math.max(g[2], e.getDuration("longestPause").toNanos());
                    }
                    case "jdk.CPULoad" -> {
                        cpuJvm += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                        cpuMachine += e.getFloat("machineTotal");
                        cpuReadings++;
                    }
                    default -> {
                        // not used
                    }
                }
            }
        }
        double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
        StringBuilder md = new StringBuilder();
        md.append(String.format("Recording: %s, %.0f s, %,d CPU samples (JFR samples running Java threads every 10-20 ms).%n",
                recording.getFileName(), seconds, samples));
        if (cpuReadings > 0) {
            md.append(String.format("CPU (jdk.CPULoad, share of all cores): the job's JVM %.0f%%, the whole machine %.0f%%.%n",
                    100 * cpuJvm / cpuReadings, 100 * cpuMachine / cpuReadings));
        }
        md.append("\nCPU samples by thread (task threads carry their operator chain's name):\n\n");
        table(md, byThread, samples, top, "thread");
        md.append("\nCPU samples by library of the top frame's caller chain (first non-JDK frame):\n\n");
        table(md, byLibrary, samples, top, "library");
        md.append("\nTop frames (self time):\n\n");
        table(md, self, samples, top, "method");
        md.append("\nThe project's methods anywhere on the stack (inclusive time):\n\n");
        table(md, inclusiveOwn, samples, top, "method");
        md.append("\nGarbage collection:\n\n| collector | collections | total pause | longest pause | pause share of the recording |\n|---|---:|---:|---:|---:|\n");
        for (var g : gcs.entrySet()) {
            md.append(String.format("| %s | %,d | %,.0f ms | %,.1f ms | %.1f%% |%n", g.getKey(), g.getValue()[0], g.getValue()[1] / 1e6,
                    g.getValue()[2] / 1e6, seconds > 0 ? 100 * g.getValue()[1] / 1e9 / seconds : 0));
        }
        md.append(String.format("%nAllocation (jdk.ObjectAllocationSample, weighted): %,.0f MB in all, %,.0f MB/s.%n%n",
                allocated / 1048576.0, seconds > 0 ? allocated / 1048576.0 / seconds : 0));
        md.append("By class:\n\n");
        table(md, allocByClass, allocated, top, "class");
        md.append("\nBy allocating method (first frame outside java.*/jdk.*/sun.*):\n\n");
        table(md, allocByMethod, allocated, top, "method");
        return md.toString();
    }

    private static void table(StringBuilder md, Map<String, Long> counts, long total, int top, String what) {
        md.append("| ").append(what).append(" | share |\n|---|---:|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(top)
                .forEach(e -> md.append(String.format("| `%s` | %.1f%% |%n", e.getKey(), total > 0 ? 100.0 * e.getValue() / total : 0)));
    }

    private static String method(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    private static String firstNonJdk(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String m = method(f);
            if (!m.startsWith("java.") && !m.startsWith("jdk.") && !m.startsWith("sun.")) {
                return m;
            }
        }
        return method(frames.get(0));
    }

    /** The library the sample's time is spent for: the package family of the first non-JDK frame from the top. */
    private static String library(List<RecordedFrame> frames) {
        String m = firstNonJdk(frames);
        String[] parts = m.split("\\.");
        if (m.startsWith("java.") || m.startsWith("jdk.") || m.startsWith("sun.")) {
            return "JDK (" + parts[0] + "." + parts[1] + ")";
        }
        if (parts[0].equals("cms")) {
            return parts.length > 3 ? "cms." + parts[1] + "." + parts[2] : "cms." + parts[1];
        }
        return parts.length > 3 ? parts[0] + "." + parts[1] + "." + parts[2] : parts[0] + "." + parts[1];
    }

    /** "enrich and rate (1/2)#0" and "enrich and rate (2/2)#0" are one group; digits of pool threads go too. */
    private static String threadGroup(String name) {
        return name.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?", "").replaceAll("-\\d+$", "-N").replaceAll("\\d+", "N");
    }
}
