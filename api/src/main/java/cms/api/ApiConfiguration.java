package cms.api;

import cms.cassandra.Consistency;
import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import cms.api.auth.JwtTokens;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * The API's configuration (config.yml, with ${ENV_VAR:-default} substitution). Addresses default
 * to the local stack's (cms.stack.LocalStackAddresses, which honours CMS_KAFKA_PORT and friends),
 * so a bare config runs against {@code infra/bin/stack up}.
 */
public class ApiConfiguration extends Configuration {
    @Valid @NotNull
    private Auth auth = new Auth();
    @Valid @NotNull
    private Kafka kafka = new Kafka();
    @Valid @NotNull
    private Registry registry = new Registry();
    @Valid @NotNull
    private Cassandra cassandra = new Cassandra();
    @Valid @NotNull
    private RatingJob ratingJob = new RatingJob();

    @JsonProperty public Auth getAuth() { return auth; }
    @JsonProperty public void setAuth(Auth auth) { this.auth = auth; }
    @JsonProperty public Kafka getKafka() { return kafka; }
    @JsonProperty public void setKafka(Kafka kafka) { this.kafka = kafka; }
    @JsonProperty public Registry getRegistry() { return registry; }
    @JsonProperty public void setRegistry(Registry registry) { this.registry = registry; }
    @JsonProperty public Cassandra getCassandra() { return cassandra; }
    @JsonProperty public void setCassandra(Cassandra cassandra) { this.cassandra = cassandra; }
    @JsonProperty public RatingJob getRatingJob() { return ratingJob; }
    @JsonProperty public void setRatingJob(RatingJob ratingJob) { this.ratingJob = ratingJob; }

    /**
     * The rating job the health check "rating-job" watches: its consumer group on the usage topic
     * (committed offsets against end offsets) and, when {@code flinkRestUrl} is set, its state in
     * Flink's REST API.
     */
    public static class RatingJob {
        @NotBlank
        private String consumerGroup = "cms-pipeline";
        @NotBlank
        private String usageTopic = cms.topics.Topics.USAGE;
        /** Flink's REST API (the local run's web UI); null or empty: judge by the offsets alone. */
        private String flinkRestUrl;
        @NotBlank
        private String jobName = "cms rating pipeline";
        /** Committed offsets standing still this long while usage waits is a stall (they move at each checkpoint, every 10 s by default). */
        @NotNull
        private Duration stallAfter = Duration.seconds(60);

        @JsonProperty public String getConsumerGroup() { return consumerGroup; }
        @JsonProperty public void setConsumerGroup(String consumerGroup) { this.consumerGroup = consumerGroup; }
        @JsonProperty public String getUsageTopic() { return usageTopic; }
        @JsonProperty public void setUsageTopic(String usageTopic) { this.usageTopic = usageTopic; }
        @JsonProperty public String getFlinkRestUrl() { return flinkRestUrl; }
        @JsonProperty public void setFlinkRestUrl(String flinkRestUrl) { this.flinkRestUrl = flinkRestUrl; }
        @JsonProperty public String getJobName() { return jobName; }
        @JsonProperty public void setJobName(String jobName) { this.jobName = jobName; }
        @JsonProperty public Duration getStallAfter() { return stallAfter; }
        @JsonProperty public void setStallAfter(Duration stallAfter) { this.stallAfter = stallAfter; }
    }

    /** Bearer JWTs signed with HMAC-SHA256. */
    public static class Auth {
        /** At least 32 characters: HS256 wants a key of at least 256 bits. */
        @NotNull @Size(min = 32, message = "must be at least 32 characters (HS256 needs a 256-bit key)")
        private String signingKey;
        @NotBlank
        private String issuer = "cms";
        /** Clock skew tolerated on exp/iat. */
        @NotNull
        private Duration leeway = Duration.seconds(30);
        /** Lifetime of the tokens the token command mints. */
        @NotNull
        private Duration tokenTtl = Duration.hours(12);
        /** The longest a token may live (exp - iat, and exp - now): longer ones are refused, and never minted. */
        @NotNull
        private Duration maxTokenLifetime = Duration.hours(24);

        @JsonProperty public Duration getMaxTokenLifetime() { return maxTokenLifetime; }
        @JsonProperty public void setMaxTokenLifetime(Duration maxTokenLifetime) { this.maxTokenLifetime = maxTokenLifetime; }

        @ValidationMethod(message = "tokenTtl must be positive and at most maxTokenLifetime")
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isTokenTtlWithinMaximum() {
            return tokenTtl == null || maxTokenLifetime == null
                    || (tokenTtl.toNanoseconds() > 0 && tokenTtl.compareTo(maxTokenLifetime) <= 0);
        }

        /** The local issuer's tokens as configured. */
        public JwtTokens tokens() {
            return new JwtTokens(signingKey, issuer, leeway.toJavaDuration(), maxTokenLifetime.toJavaDuration());
        }

        @JsonProperty public String getSigningKey() { return signingKey; }
        @JsonProperty public void setSigningKey(String signingKey) { this.signingKey = signingKey; }
        @JsonProperty public String getIssuer() { return issuer; }
        @JsonProperty public void setIssuer(String issuer) { this.issuer = issuer; }
        @JsonProperty public Duration getLeeway() { return leeway; }
        @JsonProperty public void setLeeway(Duration leeway) { this.leeway = leeway; }
        @JsonProperty public Duration getTokenTtl() { return tokenTtl; }
        @JsonProperty public void setTokenTtl(Duration tokenTtl) { this.tokenTtl = tokenTtl; }
    }

    /** The reference-data topics: written by the API, and read back into its hierarchy model. */
    public static class Kafka {
        @NotBlank
        private String bootstrapServers = LocalStackAddresses.fromEnvironment().kafkaBootstrap();
        /** How long start-up may take to read the reference topics to their end. */
        @NotNull
        private Duration startupCatchUp = Duration.seconds(60);
        /** How long a PUT waits for Kafka to acknowledge its record. */
        @NotNull
        private Duration publishTimeout = Duration.seconds(15);
        /**
         * The largest reference record (key and value) a PUT may publish; above it the PUT answers
         * 413. Below the topics' max.message.bytes (Kafka's default 1,048,588), so a version the API
         * accepts is one the broker accepts.
         */
        @Min(64 * 1024)
        private int maxRecordBytes = 1_000_000;

        @JsonProperty public String getBootstrapServers() { return bootstrapServers; }
        @JsonProperty public void setBootstrapServers(String bootstrapServers) { this.bootstrapServers = bootstrapServers; }
        @JsonProperty public Duration getStartupCatchUp() { return startupCatchUp; }
        @JsonProperty public void setStartupCatchUp(Duration startupCatchUp) { this.startupCatchUp = startupCatchUp; }
        @JsonProperty public Duration getPublishTimeout() { return publishTimeout; }
        @JsonProperty public void setPublishTimeout(Duration publishTimeout) { this.publishTimeout = publishTimeout; }
        @JsonProperty public int getMaxRecordBytes() { return maxRecordBytes; }
        @JsonProperty public void setMaxRecordBytes(int maxRecordBytes) { this.maxRecordBytes = maxRecordBytes; }
    }

    /** The Confluent-API schema registry the Avro values are registered in. */
    public static class Registry {
        @NotBlank @Pattern(regexp = "https?://.+", message = "must be an http(s) URL")
        private String url = LocalStackAddresses.fromEnvironment().registryUrl();
        /** The API owns the reference-data schemas, so it registers them by default. */
        private boolean autoRegister = true;

        @JsonProperty public String getUrl() { return url; }
        @JsonProperty public void setUrl(String url) { this.url = url; }
        @JsonProperty public boolean isAutoRegister() { return autoRegister; }
        @JsonProperty public void setAutoRegister(boolean autoRegister) { this.autoRegister = autoRegister; }
    }

    /** The pipeline's roll-up tables. */
    public static class Cassandra {
        @NotEmpty
        private List<@Pattern(regexp = "[^:]+:\\d{1,5}", message = "must be host:port") String> contactPoints =
                List.of(LocalStackAddresses.fromEnvironment().cassandraContactPoint());
        @NotBlank
        private String localDatacenter = LocalStackAddresses.CASSANDRA_DATACENTER;
        @NotBlank @Pattern(regexp = "[a-z][a-z0-9_]{0,47}")
        private String keyspace = LocalStackAddresses.fromEnvironment().keyspace();
        @NotNull
        private Duration requestTimeout = Duration.seconds(5);
        @Min(1)
        private int connectAttempts = 5;
        /** The level of every read (cms.cassandra.Consistency: LOCAL_QUORUM, as the pipeline writes). */
        @NotNull
        private DefaultConsistencyLevel consistency = Consistency.DEFAULT;

        @JsonProperty public List<String> getContactPoints() { return contactPoints; }
        @JsonProperty public void setContactPoints(List<String> contactPoints) { this.contactPoints = contactPoints; }
        @JsonProperty public String getLocalDatacenter() { return localDatacenter; }
        @JsonProperty public void setLocalDatacenter(String localDatacenter) { this.localDatacenter = localDatacenter; }
        @JsonProperty public String getKeyspace() { return keyspace; }
        @JsonProperty public void setKeyspace(String keyspace) { this.keyspace = keyspace; }
        @JsonProperty public Duration getRequestTimeout() { return requestTimeout; }
        @JsonProperty public void setRequestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; }
        @JsonProperty public int getConnectAttempts() { return connectAttempts; }
        @JsonProperty public void setConnectAttempts(int connectAttempts) { this.connectAttempts = connectAttempts; }
        @JsonProperty public DefaultConsistencyLevel getConsistency() { return consistency; }
        @JsonProperty public void setConsistency(DefaultConsistencyLevel consistency) { this.consistency = consistency; }
    }
}
