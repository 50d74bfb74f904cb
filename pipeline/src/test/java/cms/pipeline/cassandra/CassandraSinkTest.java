package cms.pipeline.cassandra;

import cms.pipeline.model.FamilyRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CassandraSinkTest {
    /** Flink ships the sink to its tasks in serialized form: everything it holds must be serializable. */
    @Test
    void theSinkSurvivesJavaSerialization() throws Exception {
        CassandraSink<FamilyRow> sink = CassandraSink.<FamilyRow>builder()
                .setConnection(new CassandraConnection("127.0.0.1:9042", "datacenter1", "cms", Duration.ofSeconds(10)))
                .setStatements(new FamilyRollupStatements()).setElementType(TypeInformation.of(FamilyRow.class))
                .setBatchSize(10).setBatchDelay(Duration.ofMillis(50)).build();
        byte[] bytes = InstantiationUtil.serializeObject(sink);
        Object back = InstantiationUtil.deserializeObject(bytes, getClass().getClassLoader());
        assertThat(back).isInstanceOf(CassandraSink.class);
    }
}
