package cms.infra.flink;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The exposition text as the job's Prometheus reporter writes it (lines taken from a benchmark run, labels shortened). */
class PrometheusMetricsTest {
    private static final String TEXT = """
            # HELP flink_taskmanager_job_task_operator_cassandraRows cassandraRows (scope: taskmanager_job_task_operator)
            # TYPE flink_taskmanager_job_task_operator_cassandraRows gauge
            flink_taskmanager_job_task_operator_cassandraRows{job_id="76aa",operator_name="roll_up_sink:_Writer",task_name="a__b:_c",subtask_index="1",} 31263.0
            flink_taskmanager_job_task_operator_cassandraRows{job_id="76aa",operator_name="roll_up_sink:_Committer",subtask_index="0",} 0.0
            flink_taskmanager_job_task_operator_cassandraRows{job_id="76aa",operator_name="period_sink:_Writer",subtask_index="0",} 16.0
            flink_taskmanager_job_task_operator_cassandraRequests{job_id="76aa",operator_name="roll_up_sink:_Writer",subtask_index="1",} 1700.0
            flink_taskmanager_job_task_operator_level_freshnessMillis_count{level="TENANT",subtask_index="1",} 8721.0
            flink_taskmanager_job_task_operator_level_freshnessMillis{level="TENANT",subtask_index="1",quantile="0.5",} 1525.0
            flink_taskmanager_job_task_operator_level_freshnessMillis{level="TENANT",subtask_index="1",quantile="0.99",} 2261.0
            flink_taskmanager_job_task_operator_level_freshnessMillis{level="TENANT",subtask_index="0",quantile="0.5",} 1478.0
            flink_taskmanager_job_task_operator_level_freshnessMillis{level="PARTNER",subtask_index="0",quantile="0.5",} NaN
            flink_jobmanager_numRunningJobs 1.0
            """;

    @Test
    void sumsEveryOperatorAndSubtaskOfAMetric() {
        var m = PrometheusMetrics.of(TEXT);
        assertThat(m.sum("cassandraRows")).isEqualTo(31279.0);
        assertThat(m.sum("cassandraRequests")).isEqualTo(1700.0);
        assertThat(m.sum("numRunningJobs")).isEqualTo(1.0);
        assertThat(m.sum("cassandraBatchSize")).isNaN();
    }

    @Test
    void selectsByLabelsAndKeepsAHistogramApartFromItsCount() {
        var m = PrometheusMetrics.of(TEXT);
        List<PrometheusMetrics.Sample> medians = m.named("freshnessMillis", l -> "TENANT".equals(l.get("level")) && "0.5".equals(l.get("quantile")));
        assertThat(medians).extracting(PrometheusMetrics.Sample::value).containsExactly(1525.0, 1478.0);
        assertThat(medians.get(0).labels()).containsEntry("subtask_index", "1");
        assertThat(m.named("freshnessMillis", l -> "PARTNER".equals(l.get("level")))).singleElement()
                .satisfies(s -> assertThat(s.value()).isNaN());
        assertThat(m.named("freshnessMillis_count", l -> true)).hasSize(1);
    }
}
