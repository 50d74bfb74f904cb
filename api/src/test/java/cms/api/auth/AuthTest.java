package cms.api.auth;

import cms.api.Seed;
import cms.api.TestApi;
import cms.avro.NodeLevel;
import cms.avro.UserRole;
import cms.avro.UserStatus;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(DropwizardExtensionsSupport.class)
class AuthTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;
    private static final LocalIssuer TOKENS = TestApi.TOKENS;

    private static int status(String token) {
        return API.request("/v1/me", null).header("Authorization", "Bearer " + token).get().getStatus();
    }

    private static String signed(JWTClaimsSet claims, String key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder claims(String sub, Instant iat, Instant exp) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer("cms").subject(sub);
        if (iat != null) {
            b.issueTime(Date.from(iat));
        }
        if (exp != null) {
            b.expirationTime(Date.from(exp));
        }
        return b;
    }

    @Test
    void roundTripsEveryUser() {
        for (String user : new String[] {"admin", "viewer", "d1-admin", "p1-viewer", "t1-admin"}) {
            assertThat(TOKENS.verify(TOKENS.mint(user, Duration.ofMinutes(1)))).contains(user);
        }
    }

    @Test
    void refusesExpiredForgedAndMalformedTokens() throws Exception {
        LocalIssuer past = new LocalIssuer(TestApi.SIGNING_KEY, "cms", Duration.ZERO, Duration.ofHours(24),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertThat(status(past.mint("admin", Duration.ofHours(1)))).as("expired").isEqualTo(401);
        assertThat(status(new LocalIssuer("some-other-key-some-other-key-1234", "cms", Duration.ZERO, Duration.ofHours(1))
                .mint("admin", Duration.ofMinutes(1)))).as("forged").isEqualTo(401);
        assertThat(status(new LocalIssuer(TestApi.SIGNING_KEY, "elsewhere", Duration.ZERO, Duration.ofHours(1))
                .mint("admin", Duration.ofMinutes(1)))).as("unknown issuer").isEqualTo(401);
        Instant now = Instant.now();
        assertThat(status(signed(claims("admin", now, null).build(), TestApi.SIGNING_KEY))).as("no expiry").isEqualTo(401);
        assertThat(status(signed(new JWTClaimsSet.Builder().issuer("cms").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60))).build(), TestApi.SIGNING_KEY))).as("no sub").isEqualTo(401);
        assertThat(status(new PlainJWT(new PlainHeader(), claims("admin", now, now.plusSeconds(60)).build()).serialize()))
                .as("alg none").isEqualTo(401);
        assertThat(status("not.a.token")).isEqualTo(401);
        assertThat(status(signed(claims("admin", now, now.plusSeconds(60)).build(), TestApi.SIGNING_KEY))).isEqualTo(200);
    }

    @Test
    void aTokenMustNameAnActiveUserAsTheApiKnowsItNow() {
        assertThat(status(TOKENS.mint("nobody", Duration.ofMinutes(1)))).as("unknown user").isEqualTo(401);
        assertThat(status(TOKENS.mint("t1-disabled", Duration.ofMinutes(1)))).as("disabled user").isEqualTo(401);
        // a valid token stops working the moment its user is disabled, and works again when re-enabled
        String token = TOKENS.mint("t2-admin", Duration.ofMinutes(10));
        assertThat(status(token)).isEqualTo(200);
        Map<String, Object> disable = new HashMap<>(Map.of("level", "tenant", "orgId", "t2", "role", "admin", "status", "DISABLED"));
        assertThat(API.put("/v1/users/t2-admin", TestApi.P1, disable).getStatus()).isEqualTo(200);
        assertThat(status(token)).isEqualTo(401);
        disable.put("status", "ACTIVE");
        assertThat(API.put("/v1/users/t2-admin", TestApi.P1, disable).getStatus()).isEqualTo(200);
        assertThat(status(token)).isEqualTo(200);
        // a user whose first version starts later cannot sign in yet
        API.model.apply(cms.avro.UserVersion.newBuilder(Seed.user("later", NodeLevel.TENANT, "t2", UserRole.ADMIN, UserStatus.ACTIVE))
                .setEffectiveFrom(Instant.now().plus(Duration.ofDays(1))).build());
        assertThat(status(TOKENS.mint("later", Duration.ofMinutes(1)))).isEqualTo(401);
        // the configured first admin exists without ever having been written
        assertThat(json(API.request("/v1/me", null).header("Authorization", "Bearer "
                + TOKENS.mint(TestApi.FIRST_ADMIN, Duration.ofMinutes(1))).get())).containsEntry("role", "admin")
                .containsEntry("level", "platform");
    }

    @Test
    void meAnswersUserRoleAndScope() {
        assertThat(json(API.get("/v1/me", TestApi.P1))).isEqualTo(Map.of("user", "p1-admin", "role", "admin",
                "level", "partner", "org", "p1", "scope", Map.of("all", false, "level", "PARTNER", "id", "p1")));
        assertThat(json(API.get("/v1/me", TestApi.T1_VIEWER))).containsEntry("role", "viewer").containsEntry("org", "t1");
        Map<String, Object> admin = json(API.get("/v1/me", TestApi.ADMIN));
        assertThat(admin).containsEntry("role", "admin").containsEntry("level", "platform").containsEntry("org", null)
                .containsEntry("scope", Map.of("all", true));
        var unauthorized = API.get("/v1/me", null);
        assertThat(unauthorized.getStatus()).isEqualTo(401);
        assertThat(unauthorized.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
        assertThat(API.request("/v1/me", null).header("Authorization", "Basic dXNlcjpwdw==").get().getStatus()).isEqualTo(401);
    }

    @Test
    void theTokenIsTakenFromTheHeaderOnlyNeverFromTheQuery() {
        String token = TOKENS.mint("p1-admin", Duration.ofMinutes(1));
        assertThat(API.get("/v1/me?access_token=" + token, null).getStatus()).isEqualTo(401);
        assertThat(status(token)).isEqualTo(200);
        assertThat(API.request("/v1/me", null).header("Authorization", "bearer " + token).get().getStatus())
                .as("the scheme is case-insensitive (RFC 7235)").isEqualTo(200);
        assertThat(API.request("/v1/me", null).header("Authorization", "Bearer").get().getStatus()).isEqualTo(401);
    }

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefusedAndNeverMinted() throws Exception {
        // TestApi.TOKENS: at most 24 hours, leeway 30 s
        Instant now = Instant.now();
        assertThat(status(signed(claims("admin", now, now.plus(Duration.ofHours(25))).build(), TestApi.SIGNING_KEY)))
                .as("exp - iat over the maximum").isEqualTo(401);
        assertThat(status(signed(claims("admin", null, now.plus(Duration.ofDays(3650))).build(), TestApi.SIGNING_KEY)))
                .as("no iat, exp - now over the maximum").isEqualTo(401);
        assertThat(status(signed(claims("admin", now.plus(Duration.ofDays(30)), now.plus(Duration.ofDays(30)).plusSeconds(60))
                .build(), TestApi.SIGNING_KEY))).as("iat in the future to shorten exp - iat").isEqualTo(401);
        assertThat(status(signed(claims("admin", now, now.plus(Duration.ofHours(24))).build(), TestApi.SIGNING_KEY)))
                .as("exactly the maximum").isEqualTo(200);
        assertThatThrownBy(() -> TOKENS.mint("admin", Duration.ofDays(3650))).isInstanceOf(IllegalArgumentException.class);
    }
}
