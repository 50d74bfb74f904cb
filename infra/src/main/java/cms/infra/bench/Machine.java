package cms.infra.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What the benchmark ran on, and CPU use of processes over an interval (Linux /proc). */
final class Machine {
    private Machine() {}

    record Description(int cores, String cpuModel, long memoryMb, String jvm, String os) {
        String oneLine() {
            return String.format("%d cores (%s), %,d MB RAM, %s, %s", cores, cpuModel, memoryMb, jvm, os);
        }
    }

    static Description describe() {
        String model = "unknown CPU";
        long memory = Runtime.getRuntime().maxMemory() >> 20;
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(model);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(memory);
        } catch (IOException | RuntimeException notLinux) {
            // keep the defaults
        }
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")";
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        return new Description(Runtime.getRuntime().availableProcessors(), model, memory, jvm, os);
    }

    /** The 1, 5 and 15 minute load averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** CPU ticks (user + system) of a process so far, or -1. */
    static long processTicks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy and total CPU ticks of the whole machine so far. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /**
     * CPU use over an interval: started by {@link #start}, read by {@link #cores}: the average
     * number of cores each named process used, and the machine's busy share.
     */
    static final class CpuWindow {
        private final Map<String, Long> pids;
        private final Map<String, Long> ticksAtStart = new HashMap<>();
        private final long[] machineAtStart;
        private final long began = System.nanoTime();

        private CpuWindow(Map<String, Long> pids) {
            this.pids = pids;
            pids.forEach((name, pid) -> ticksAtStart.put(name, processTicks(pid)));
            this.machineAtStart = machineTicks();
        }

        static CpuWindow start(Map<String, Long> pids) {
            return new CpuWindow(pids);
        }

        /** name -> cores used on average (ticks are 1/100 s on Linux); "machine busy" -> busy share 0..1 of all cores. */
        Map<String, Double> cores() {
            double seconds = (System.nanoTime() - began) / 1e9;
            Map<String, Double> out = new java.util.LinkedHashMap<>();
            pids.forEach((name, pid) -> {
                long now = processTicks(pid);
                long then = ticksAtStart.get(name);
                if (now >= 0 && then >= 0) {
                    out.put(name, (now - then) / 100.0 / seconds);
                }
            });
            long[] machine = machineTicks();
            if (machine[1] > machineAtStart[1]) {
                out.put("machine busy", (double) (machine[0] - machineAtStart[0]) / (machine[1] - machineAtStart[1]));
            }
            return out;
        }
    }

    /** Pids of the local stack's servers from its pid files (kafka, cassandra, registry), where running. */
    static Map<String, Long> stackPids(Path stackDir) {
        Map<String, Long> out = new java.util.TreeMap<>();
        Path dir = stackDir.resolve("pids");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replace(".pid", "");
                // the stack's servers, or the cluster's members (kafka-1.., cassandra-1.., flink-*), not the supervisor or the API
                if (name.matches("kafka(-\\d+)?|cassandra(-\\d+)?|registry|flink-.+")) {
                    try {
                        long pid = Long.parseLong(Files.readString(f).strip());
                        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                            out.put(name, pid);
                        }
                    } catch (IOException | NumberFormatException ignored) {
                        // not ours to report
                    }
                }
            }
        } catch (IOException ignored) {
            // nothing to report
        }
        return out;
    }
}
