package cms.pipeline.job;

import cms.pipeline.model.RawRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureInjectionTest {
    private static final RawRecord RECORD = new RawRecord("t", 0, 0, 0, null, new byte[0]);

    @Test
    void passesRecordsThroughAndThrowsOnceWhenTheRequestFileAppears(@TempDir Path dir) throws Exception {
        FailureInjection injection = new FailureInjection(dir.toString(), 0);
        assertThat(injection.map(RECORD)).isSameAs(RECORD);

        Files.writeString(dir.resolve(FailureInjection.REQUEST), "now");
        assertThatThrownBy(() -> injection.map(RECORD)).isInstanceOf(FailureInjection.InjectedFailure.class)
                .hasMessageContaining("injected");
        assertThat(dir.resolve(FailureInjection.REQUEST)).doesNotExist();
        assertThat(injection.map(RECORD)).isSameAs(RECORD);
    }

    @Test
    void looksAtTheDirectoryAtMostOnceAnInterval(@TempDir Path dir) throws Exception {
        FailureInjection injection = new FailureInjection(dir.toString(), 60_000);
        injection.map(RECORD);
        Files.writeString(dir.resolve(FailureInjection.REQUEST), "now");
        for (int i = 0; i < 1000; i++) {
            injection.map(RECORD);
        }
        assertThat(dir.resolve(FailureInjection.REQUEST)).exists();
    }

    @Test
    void onlyTheSubtaskThatTakesTheRequestFails(@TempDir Path dir) throws Exception {
        FailureInjection first = new FailureInjection(dir.toString(), 0);
        FailureInjection second = new FailureInjection(dir.toString(), 0);
        Files.writeString(dir.resolve(FailureInjection.REQUEST), "now");
        assertThatThrownBy(() -> first.map(RECORD)).isInstanceOf(FailureInjection.InjectedFailure.class);
        assertThat(second.map(RECORD)).isSameAs(RECORD);
    }
}
