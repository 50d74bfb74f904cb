package cms.pipeline.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The checkpoint directory's disk full: a small tmpfs of a test's own (root only) kept full for a while, then emptied.
 * Kept full, not filled once: each checkpoint that completes deletes the one before and frees the space for the next.
 */
final class FullDisk {
    private final Path mount;
    private final boolean mounted;

    /** Mounts a tmpfs of {@code size} (e.g. "256m") on {@code mount}; {@link #mounted()} false where that is not allowed. */
    FullDisk(Path mount, String size) throws IOException {
        this.mount = mount;
        Files.createDirectories(mount);
        this.mounted = exec("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString()) == 0;
        if (mounted) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::unmount, "unmount-" + mount.getFileName()));
        }
    }

    boolean mounted() {
        return mounted;
    }

    Path dir() {
        return mount;
    }

    /** Keeps the file system full for {@code duration} (the space a deleted checkpoint frees is taken again at once), then frees it; bytes written. */
    long keepFull(Duration duration) throws IOException, InterruptedException {
        long filled = 0;
        long until = System.nanoTime() + duration.toNanos();
        int n = 0;
        try {
            while (System.nanoTime() < until) {
                filled += fill(mount.resolve("filler-" + n++));
                Thread.sleep(50);
            }
        } finally {
            for (int i = 0; i < n; i++) {
                Files.deleteIfExists(mount.resolve("filler-" + i));
            }
        }
        return filled;
    }

    void unmount() {
        if (mounted) {
            exec("umount", "-l", mount.toString());
        }
    }

    /** Writes zeros to {@code file} until its file system is full; returns the bytes written. */
    private static long fill(Path file) throws IOException {
        byte[] chunk = new byte[4096];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    static int exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            int code = p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
            if (code != 0) {
                org.slf4j.LoggerFactory.getLogger(FullDisk.class).warn("{} -> {}: {}", String.join(" ", command), code, out.strip());
            }
            return code;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
