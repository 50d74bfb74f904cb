package cms.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Leftovers of a killed run are ended; a process that merely reuses a recorded pid is not. */
class ServerProcessTest {
    @TempDir
    Path dir;

    private Process sleeper(String... extraArgs) throws IOException {
        // sh -c 'sleep 300' $0 $1: the extra words land in the command line, like the stack's marker
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "sleep 300"));
        cmd.addAll(List.of(extraArgs));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void endsRecordedProcessesThatCarryTheStacksMarker() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Process ours = sleeper(ServerProcess.MARKER_PROPERTY + dir + "#kafka");
        Files.writeString(pids.resolve("kafka.pid"), Long.toString(ours.pid()));

        List<String> ended = ServerProcess.endLeftovers(pids, dir.toString(), Duration.ofSeconds(5));

        assertThat(ours.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ended).containsExactly("kafka (pid " + ours.pid() + ")");
        assertThat(pids.resolve("kafka.pid")).doesNotExist();
    }

    @Test
    void leavesAloneAProcessThatReusedTheRecordedPid() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Process stranger = sleeper("-Dcms.stack.member=/some/other/stack#kafka");
        try {
            Files.writeString(pids.resolve("kafka.pid"), Long.toString(stranger.pid()));

            List<String> ended = ServerProcess.endLeftovers(pids, dir.toString(), Duration.ofSeconds(5));

            assertThat(ended).isEmpty();
            assertThat(stranger.isAlive()).isTrue();
            assertThat(pids.resolve("kafka.pid")).doesNotExist(); // stale record dropped
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aProcessThatIgnoresSigtermIsKilled() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Process stubborn = new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done",
                ServerProcess.MARKER_PROPERTY + dir + "#cassandra").start();
        Files.writeString(pids.resolve("cassandra.pid"), Long.toString(stubborn.pid()));

        ServerProcess.endLeftovers(pids, dir.toString(), Duration.ofMillis(500));

        assertThat(stubborn.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void garbageAndMissingPidFilesAreHarmless() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Files.writeString(pids.resolve("registry.pid"), "not a pid");
        Files.writeString(pids.resolve("kafka.pid"), "999999999");
        assertThat(ServerProcess.endLeftovers(pids, dir.toString(), Duration.ofSeconds(1))).isEmpty();
        assertThat(ServerProcess.endLeftovers(dir.resolve("absent"), dir.toString(), Duration.ofSeconds(1))).isEmpty();
    }
}
