package cms.api.auth;

import cms.api.TestApi;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(DropwizardExtensionsSupport.class)
class AuthTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;
    private static final JwtTokens TOKENS = TestApi.TOKENS;

    @Test
    void roundTripsEveryRole() {
        for (Caller c : new Caller[] {Caller.platformAdmin(), new Caller(Role.DISTRIBUTOR, "d1"),
                new Caller(Role.PARTNER, "p1"), new Caller(Role.TENANT, "t1")}) {
            assertThat(TOKENS.verify(TOKENS.mint(c, Duration.ofMinutes(1)))).contains(c);
        }
    }

    @Test
    void refusesExpiredForgedAndInconsistentTokens() {
        JwtTokens past = new JwtTokens(TestApi.SIGNING_KEY, "cms", Duration.ZERO, Duration.ofHours(24),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertThat(TOKENS.verify(past.mint(TestApi.ADMIN, Duration.ofHours(1)))).isEmpty();
        assertThat(TOKENS.verify(new JwtTokens("some-other-key-some-other-key-1234", "cms", Duration.ZERO, Duration.ofHours(1))
                .mint(TestApi.ADMIN, Duration.ofMinutes(1)))).isEmpty();
        assertThat(TOKENS.verify(new JwtTokens(TestApi.SIGNING_KEY, "elsewhere", Duration.ZERO, Duration.ofHours(1))
                .mint(TestApi.ADMIN, Duration.ofMinutes(1)))).isEmpty();
        Algorithm alg = Algorithm.HMAC256(TestApi.SIGNING_KEY);
        Instant exp = Instant.now().plusSeconds(60);
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(exp).withClaim("role", "partner").sign(alg)))
                .as("partner without org").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(exp).withClaim("role", "platform-admin")
                .withClaim("org", "d1").sign(alg))).as("admin with org").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(exp).withClaim("role", "root").sign(alg)))
                .as("unknown role").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withClaim("role", "platform-admin").sign(alg)))
                .as("no expiry").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(exp).withClaim("role", "tenant")
                .withClaim("org", "../t1").sign(alg))).as("org not an id").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(exp).withClaim("role", "platform-admin")
                .sign(Algorithm.none()))).as("alg none").isEmpty();
    }

    @Test
    void meAnswersRoleAndScope() {
        assertThat(json(API.get("/v1/me", TestApi.P1)))
                .isEqualTo(Map.of("role", "partner", "org", "p1", "scope", Map.of("all", false, "level", "PARTNER", "id", "p1")));
        Map<String, Object> admin = json(API.get("/v1/me", TestApi.ADMIN));
        assertThat(admin).containsEntry("role", "platform-admin").containsEntry("org", null)
                .containsEntry("scope", Map.of("all", true));
        var unauthorized = API.get("/v1/me", null);
        assertThat(unauthorized.getStatus()).isEqualTo(401);
        assertThat(unauthorized.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
        assertThat(API.request("/v1/me", null).header("Authorization", "Basic dXNlcjpwdw==").get().getStatus()).isEqualTo(401);
    }

    @Test
    void theTokenIsTakenFromTheHeaderOnlyNeverFromTheQuery() {
        String token = TOKENS.mint(TestApi.P1, Duration.ofMinutes(1));
        assertThat(API.get("/v1/me?access_token=" + token, null).getStatus()).isEqualTo(401);
        assertThat(API.request("/v1/me", null).header("Authorization", "Bearer " + token).get().getStatus()).isEqualTo(200);
        assertThat(API.request("/v1/me", null).header("Authorization", "bearer " + token).get().getStatus())
                .as("the scheme is case-insensitive (RFC 7235)").isEqualTo(200);
        assertThat(API.request("/v1/me", null).header("Authorization", "Bearer").get().getStatus()).isEqualTo(401);
    }

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefusedAndNeverMinted() {
        // TestApi.TOKENS: at most 24 hours, leeway 30 s
        Algorithm alg = Algorithm.HMAC256(TestApi.SIGNING_KEY);
        Instant now = Instant.now();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withIssuedAt(now).withExpiresAt(now.plus(Duration.ofHours(25)))
                .withClaim("role", "platform-admin").sign(alg))).as("exp - iat over the maximum").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withExpiresAt(now.plus(Duration.ofDays(3650)))
                .withClaim("role", "platform-admin").sign(alg))).as("no iat, exp - now over the maximum").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withIssuedAt(now.plus(Duration.ofDays(30)))
                .withExpiresAt(now.plus(Duration.ofDays(30)).plusSeconds(60))
                .withClaim("role", "platform-admin").sign(alg))).as("iat in the future to shorten exp - iat").isEmpty();
        assertThat(TOKENS.verify(JWT.create().withIssuer("cms").withIssuedAt(now).withExpiresAt(now.plus(Duration.ofHours(24)))
                .withClaim("role", "platform-admin").sign(alg))).as("exactly the maximum").contains(Caller.platformAdmin());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TOKENS.mint(TestApi.ADMIN, Duration.ofDays(3650)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOrgMustNameANodeOfTheRolesLevel() {
        assertThat(API.get("/v1/me", new Caller(Role.PARTNER, "d1")).getStatus()).as("d1 is a distributor").isEqualTo(401);
        assertThat(API.get("/v1/me", new Caller(Role.TENANT, "nowhere")).getStatus()).isEqualTo(401);
        assertThat(API.get("/v1/me", new Caller(Role.DISTRIBUTOR, "p1")).getStatus()).isEqualTo(401);
        assertThat(API.get("/v1/me", new Caller(Role.TENANT, "t1")).getStatus()).isEqualTo(200);
    }
}
