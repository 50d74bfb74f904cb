package cms.stack;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStackAddressesTest {
    @Test
    void defaults() {
        LocalStackAddresses a = LocalStackAddresses.from(Map.of(), new Properties());
        assertThat(a.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(a.registryUrl()).isEqualTo("http://127.0.0.1:8085/apis/ccompat/v7");
        assertThat(a.cassandraContactPoint()).isEqualTo("127.0.0.1:9042");
        assertThat(a.keyspace()).isEqualTo("cms");
    }

    @Test
    void environmentOverridesAndSystemPropertiesWin() {
        Properties props = new Properties();
        props.setProperty("cms.registry.port", "8999");
        LocalStackAddresses a = LocalStackAddresses.from(Map.of("CMS_KAFKA_PORT", "19092", "CMS_REGISTRY_PORT", "18085"), props);
        assertThat(a.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
        assertThat(a.registryPort()).isEqualTo(8999);
    }

    @Test
    void badPortNamesTheSetting() {
        assertThatThrownBy(() -> LocalStackAddresses.from(Map.of("CMS_CASSANDRA_PORT", "90420"), new Properties()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CMS_CASSANDRA_PORT").hasMessageContaining("90420");
    }
}
