package cms.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One server the stack runs as a child process: its command, its log file (stdout and stderr), and
 * a pid file so that a later start can find and end it if this JVM died without stopping it.
 */
final class ServerProcess {
    /** Every process the stack starts carries this marker in its command line (see {@link #isOurs}). */
    static final String MARKER_PROPERTY = "-Dcms.stack.member=";

    private final String name;
    private final List<String> command;
    private final Path workDir;
    private final Path log;
    private final Path pidFile;
    private final Map<String, String> environment;
    private Process process;

    ServerProcess(String name, List<String> command, Path workDir, Path logDir, Path pidDir) {
        this(name, command, workDir, logDir, pidDir, Map.of());
    }

    /** {@code environment}: variables set for the child on top of this JVM's own. */
    ServerProcess(String name, List<String> command, Path workDir, Path logDir, Path pidDir, Map<String, String> environment) {
        this.name = name;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.log = logDir.resolve(name + ".log");
        this.pidFile = pidDir.resolve(name + ".pid");
        this.environment = Map.copyOf(environment);
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    void start() {
        start(false);
    }

    /** Starts the process again after it ended (its log goes on where it stopped). */
    void restart() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        start(true);
    }

    private void start(boolean appendLog) {
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(log.getParent());
            Files.createDirectories(pidFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            process = builder
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(appendLog ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Files.writeString(pidFile, Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** The running process's id, or -1. */
    long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Fails with the log's tail when the process has exited. */
    void requireAlive() {
        if (!isAlive()) {
            throw new IllegalStateException(name + " exited with code " + (process == null ? "?" : process.exitValue())
                    + "; last lines of " + log + ":\n" + tail(40));
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}. Idempotent. */
    void stop(Duration grace) {
        if (process != null) {
            end(process.toHandle(), grace);
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file is checked against the live process table before it is trusted
        }
    }

    String tail(int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Runs a short-lived helper (e.g. a storage format) to completion, failing with its output. */
    static void runToCompletion(String what, List<String> command, Path workDir, Path logFile, Duration timeout) {
        try {
            Files.createDirectories(logFile.getParent());
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile())).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + timeout + "; see " + logFile);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with code " + p.exitValue() + ":\n"
                        + Files.readString(logFile, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        }
    }

    /**
     * Ends every process a pid file in {@code pidDir} names, if it is still ours (a JVM that died
     * without cleaning up leaves them behind; pids get reused, so the command line is checked).
     * Returns the names of the processes ended.
     */
    static List<String> endLeftovers(Path pidDir, String stackDir, Duration grace) {
        List<String> ended = new ArrayList<>();
        if (!Files.isDirectory(pidDir)) {
            return ended;
        }
        try (var files = Files.list(pidDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                Optional<ProcessHandle> handle = readPid(file).flatMap(ProcessHandle::of);
                if (handle.isPresent() && handle.get().pid() == ProcessHandle.current().pid()) {
                    continue; // the supervisor recording itself before it starts the servers
                }
                if (handle.isPresent() && handle.get().isAlive() && isOurs(handle.get(), stackDir)) {
                    end(handle.get(), grace);
                    ended.add(file.getFileName().toString().replace(".pid", "") + " (pid " + handle.get().pid() + ")");
                }
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pid files in " + pidDir, e);
        }
        return ended;
    }

    private static boolean isOurs(ProcessHandle handle, String stackDir) {
        String cmd = readCmdline(handle.pid());
        return cmd.contains(MARKER_PROPERTY + stackDir);
    }

    private static String readCmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void end(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = handle.descendants().toList();
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timedOut) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the port check of the next start if it somehow survives SIGKILL
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
