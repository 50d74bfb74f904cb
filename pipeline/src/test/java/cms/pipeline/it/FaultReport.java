package cms.pipeline.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The fault tests' report: one row of figures per injected fault, and the run's accounting under it (markdown). */
final class FaultReport {
    private FaultReport() {}

    /**
     * One injected fault's figures. Seconds: {@code down} the fault itself (a kill: until the process is back), {@code
     * serverRestart} the server's or process's own restart (NaN: none), {@code recover} from the fault's end until the
     * job ran and checkpointed again, {@code drain} until its committed lag drained; {@code restarts} the job's restarts
     * meanwhile (-1: not known, as across a JobManager's failover), {@code ratedDuring} records rated meanwhile (-1: not
     * counted).
     */
    record Figures(String fault, long atSeconds, double downSeconds, double serverRestartSeconds, double recoverSeconds,
                   double drainSeconds, long lagAtEnd, long peakLag, long restarts, long failedCheckpoints, long ratedDuring,
                   String note) {}

    /** The table of {@code figures} under {@code title}, then {@code summary}. */
    static String table(String title, List<Figures> figures, String summary) {
        StringBuilder t = new StringBuilder("# ").append(title).append("\n\n");
        t.append("| # | fault | at s | down s | server restart s | recovered s | lag drained s | lag at end | peak lag | job restarts | failed checkpoints | rated during | note |\n");
        t.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        int i = 1;
        for (Figures f : figures) {
            t.append(String.format("| %d | %s | %d | %.1f | %s | %.1f | %.1f | %d | %d | %s | %d | %s | %s |%n", i++, f.fault(), f.atSeconds(),
                    f.downSeconds(), Double.isNaN(f.serverRestartSeconds()) ? "" : String.format("%.1f", f.serverRestartSeconds()),
                    f.recoverSeconds(), f.drainSeconds(), f.lagAtEnd(), f.peakLag(), f.restarts() < 0 ? "" : Long.toString(f.restarts()),
                    f.failedCheckpoints(), f.ratedDuring() < 0 ? "" : Long.toString(f.ratedDuring()), f.note()));
        }
        return t.append('\n').append(summary).append('\n').toString();
    }

    /** The accounting line: records, rated, dead letters, duplicates, conservation, roll-ups compared, FINAL windows. */
    static String accounting(Scenario scenario, int rated, int dead, int rows, FinalWatch watch) {
        long duplicates = scenario.count(Scenario.Kind.DUPLICATE);
        return "records " + scenario.allRecords().size() + ": rated " + rated + " (expected " + scenario.count(Scenario.Kind.RATED)
                + "), dead letters " + dead + ", duplicates " + duplicates + "; conservation "
                + (rated + dead + duplicates == scenario.allRecords().size() ? "exact" : "BROKEN") + "; roll-up rows " + rows
                + " compared; FINAL windows watched " + watch.finalSeen.size() + ", changed " + watch.changed.size();
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
