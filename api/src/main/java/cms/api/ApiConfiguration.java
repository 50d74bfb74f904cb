package cms.api;

import cms.cassandra.Consistency;
import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import cms.api.auth.LocalIssuer;
import cms.api.auth.OidcIssuer;
import cms.api.auth.TokenIssuer;
import cms.api.hierarchy.Ids;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
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

    /**
     * Bearer JWTs naming a user: from the local issuer (HMAC-SHA256 over signingKey, what the token
     * command mints) and, when configured, from an OpenID Connect issuer.
     */
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

        /** The platform admin that exists from the start (until a PUT of that user says otherwise). */
        @NotNull @Pattern(regexp = Ids.PATTERN)
        private String firstAdmin = "admin";
        /** An OpenID Connect issuer; absent: local tokens only. */
        @Valid
        private Oidc oidc;

        @JsonProperty public String getFirstAdmin() { return firstAdmin; }
        @JsonProperty public void setFirstAdmin(String firstAdmin) { this.firstAdmin = firstAdmin; }
        @JsonProperty public Oidc getOidc() { return oidc; }
        @JsonProperty public void setOidc(Oidc oidc) { this.oidc = oidc; }

        /** The local issuer as configured. */
        public LocalIssuer localIssuer() {
            return new LocalIssuer(signingKey, issuer, leeway.toJavaDuration(), maxTokenLifetime.toJavaDuration());
        }

        /** Every issuer whose tokens the API accepts. */
        public List<TokenIssuer> issuers() {
            List<TokenIssuer> out = new ArrayList<>(List.of(localIssuer()));
            if (oidc != null) {
                out.add(new OidcIssuer(oidc.getIssuer(), oidc.getAudience(), oidc.getJwksUrl(),
                        oidc.getJwksCacheTtl().toJavaDuration(), oidc.getJwksRefreshMinInterval().toJavaDuration(),
                        leeway.toJavaDuration(), maxTokenLifetime.toJavaDuration()));
            }
            return out;
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

    /** An OpenID Connect identity provider: RS256/ES256 tokens whose keys are at its JWKS URL. */
    public static class Oidc {
        /** The {@code iss} of its tokens, exactly. */
        @NotBlank
        private String issuer;
        /** The {@code aud} the API's tokens must carry. */
        @NotBlank
        private String audience;
        @NotBlank @Pattern(regexp = "https?://.+", message = "must be an http(s) URL")
        private String jwksUrl;
        /** How long the key set is kept before it is fetched again. */
        @NotNull
        private Duration jwksCacheTtl = Duration.minutes(5);
        /** A token naming an unknown key fetches the set again, at most this often (rotation). */
        @NotNull
        private Duration jwksRefreshMinInterval = Duration.seconds(30);

        @JsonProperty public String getIssuer() { return issuer; }
        @JsonProperty public void setIssuer(String issuer) { this.issuer = issuer; }
        @JsonProperty public String getAudience() { return audience; }
        @JsonProperty public void setAudience(String audience) { this.audience = audience; }
        @JsonProperty public String getJwksUrl() { return jwksUrl; }
        @JsonProperty public void setJwksUrl(String jwksUrl) { this.jwksUrl = jwksUrl; }
        @JsonProperty public Duration getJwksCacheTtl() { return jwksCacheTtl; }
        @JsonProperty public void setJwksCacheTtl(Duration jwksCacheTtl) { this.jwksCacheTtl = jwksCacheTtl; }
        @JsonProperty public Duration getJwksRefreshMinInterval() { return jwksRefreshMinInterval; }
        @JsonProperty public void setJwksRefreshMinInterval(Duration d) { this.jwksRefreshMinInterval = d; }
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
        /**
         * How long a read waits for its coordinator before the same read also goes to the next replica (a
         * speculative execution; the first answer wins, within requestTimeout): a node just restarted, or in a long
         * GC pause, answers seconds late, and the reads are idempotent.
         */
        @NotNull
        private Duration speculativeReadDelay = Duration.seconds(1);
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
        @JsonProperty public Duration getSpeculativeReadDelay() { return speculativeReadDelay; }
        @JsonProperty public void setSpeculativeReadDelay(Duration speculativeReadDelay) { this.speculativeReadDelay = speculativeReadDelay; }
        @JsonProperty public DefaultConsistencyLevel getConsistency() { return consistency; }
        @JsonProperty public void setConsistency(DefaultConsistencyLevel consistency) { this.consistency = consistency; }
    }
}
