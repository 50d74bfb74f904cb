package cms.api;

import cms.stack.LocalStackAddresses;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiConfigurationTest {
    private static final YamlConfigurationFactory<ApiConfiguration> FACTORY = new YamlConfigurationFactory<>(
            ApiConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    @Test
    void theShippedConfigIsValidAndDefaultsToTheLocalStack() throws Exception {
        Path shipped = Path.of(LocalStackAddresses.projectRoot().toString(), "api", "config.yml");
        ApiConfiguration config = FACTORY.build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                new EnvironmentVariableSubstitutor(false)), shipped.toString());
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        assertThat(config.getKafka().getBootstrapServers()).isEqualTo(stack.kafkaBootstrap());
        assertThat(config.getRegistry().getUrl()).isEqualTo(stack.registryUrl());
        assertThat(config.getCassandra().getContactPoints()).containsExactly(stack.cassandraContactPoint());
        assertThat(config.getAuth().getSigningKey()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(config.getCassandra().getConsistency().name()).isEqualTo("LOCAL_QUORUM");
    }

    @Test
    void theReadConsistencyIsALevelOfTheDriver() throws Exception {
        Path config = Files.createTempFile("api-config", ".yml");
        try {
            String key = "auth:\n  signingKey: local-only-signing-key-change-me-0123456789abcdef\n";
            Files.writeString(config, key + "cassandra:\n  consistency: quorum\n");
            assertThat(FACTORY.build(new FileConfigurationSourceProvider(), config.toString()).getCassandra().getConsistency().name())
                    .isEqualTo("QUORUM");
            Files.writeString(config, key + "cassandra:\n  consistency: MOST\n");
            assertThatThrownBy(() -> FACTORY.build(new FileConfigurationSourceProvider(), config.toString()))
                    .hasMessageContaining("cassandra.consistency").hasMessageContaining("DefaultConsistencyLevel");
        } finally {
            Files.delete(config);
        }
    }

    @Test
    void aShortSigningKeyIsRefusedNamingTheField() throws Exception {
        Path bad = Files.createTempFile("api-config", ".yml");
        try {
            Files.writeString(bad, "auth:\n  signingKey: short\ncassandra:\n  contactPoints: [nohost]\n");
            assertThatThrownBy(() -> FACTORY.build(new FileConfigurationSourceProvider(), bad.toString()))
                    .isInstanceOf(ConfigurationValidationException.class)
                    .hasMessageContaining("auth.signingKey must be at least 32 characters")
                    .hasMessageContaining("must be host:port");
        } finally {
            Files.delete(bad);
        }
    }

    @Test
    void theIntegrationTestConfigIsValid() throws Exception {
        assertThat(FACTORY.build(new ResourceConfigurationSourceProvider(), "it-config.yml").getAuth().getIssuer()).isEqualTo("cms");
    }
}
