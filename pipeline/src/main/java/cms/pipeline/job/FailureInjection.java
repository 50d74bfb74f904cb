package cms.pipeline.job;

import cms.pipeline.model.RawRecord;
import org.apache.flink.api.common.functions.MapFunction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opt-in fault injection ({@code failure-injection-dir}, off by default), for recovery tests and the
 * benchmark: a stateless pass-through right after the usage source. When a file named
 * {@value #REQUEST} appears in the directory, the subtask that deletes it throws once, failing its
 * task, and the job recovers from its last checkpoint as from any task failure. The directory is
 * looked at while records pass, at most once a second per subtask, never per record.
 */
public final class FailureInjection implements MapFunction<RawRecord, RawRecord> {
    /** The request file's name. */
    public static final String REQUEST = "fail";

    private final String dir;
    private final long intervalMillis;
    private transient long nextCheck;

    public FailureInjection(String dir) {
        this(dir, 1000);
    }

    FailureInjection(String dir, long intervalMillis) {
        this.dir = dir;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public RawRecord map(RawRecord record) {
        long now = System.currentTimeMillis();
        if (now >= nextCheck) {
            nextCheck = now + intervalMillis;
            Path request = Path.of(dir, REQUEST);
            boolean requested;
            try {
                requested = Files.deleteIfExists(request);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the failure request " + request, e);
            }
            if (requested) {
                throw new InjectedFailure("task failure injected on request (" + request + ")");
            }
        }
        return record;
    }

    /** What an injected failure throws. */
    public static final class InjectedFailure extends RuntimeException {
        public InjectedFailure(String message) {
            super(message);
        }
    }
}
