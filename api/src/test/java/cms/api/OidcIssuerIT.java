package cms.api;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.client.ClientProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application on the real stack, trusting an OpenID Connect issuer the test plays
 * itself: a JWKS document served over HTTP (the JDK's HttpServer) with key pairs the test
 * generated. Tokens of that issuer sign in the users the API knows; a rotation to a new key (of
 * another algorithm) is picked up from the first token signed with it; the wrong issuer or
 * audience, expiry, an over-long lifetime, an unknown key, a disallowed algorithm and a disabled
 * user are each 401.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OidcIssuerIT {
    private static final String ISSUER = "https://idp.test.invalid/realms/cms";
    private static final String AUDIENCE = "cms-api";
    private static final String RUN = "oidc" + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000);
    private static final AtomicReference<JWKSet> SERVED = new AtomicReference<>();
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static final HttpServer JWKS = jwksServer();
    private static final RSAKey RSA = generateRsa("k1-" + RUN);
    private static final ECKey EC = generateEc("k2-" + RUN);

    static {
        SERVED.set(new JWKSet(List.<JWK>of(RSA.toPublicJWK())));
    }

    static final DropwizardAppExtension<ApiConfiguration> APP = new DropwizardAppExtension<>(ApiApplication.class,
            ResourceHelpers.resourceFilePath("it-config.yml"),
            ConfigOverride.config("auth.oidc.issuer", ISSUER),
            ConfigOverride.config("auth.oidc.audience", AUDIENCE),
            ConfigOverride.config("auth.oidc.jwksUrl", "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks.json"),
            ConfigOverride.config("auth.oidc.jwksCacheTtl", "1 hour"),
            ConfigOverride.config("auth.oidc.jwksRefreshMinInterval", "1 second"));

    private static HttpServer jwksServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/jwks.json", exchange -> {
                FETCHES.incrementAndGet();
                byte[] body = SERVED.get().toString(true).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop(0);
    }

    private static JWTClaimsSet.Builder claims(String sub) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(sub)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm alg, String kid, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String rsa(JWTClaimsSet claims) throws Exception {
        return sign(claims, JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(RSA));
    }

    private static String ec(JWTClaimsSet claims) throws Exception {
        return sign(claims, JWSAlgorithm.ES256, EC.getKeyID(), new ECDSASigner(EC));
    }

    private static Invocation.Builder request(String path, String token) {
        return APP.client().target("http://127.0.0.1:" + APP.getLocalPort()).path(path).request()
                .property(ClientProperties.READ_TIMEOUT, 30_000)
                .header("Authorization", "Bearer " + token);
    }

    private static int me(String token) {
        try (Response r = request("/v1/me", token).get()) {
            r.bufferEntity(); // and so the connection goes back to the pool
            return r.getStatus();
        }
    }

    interface Token {
        String mint() throws Exception;
    }

    /** /v1/me with fresh tokens until 200 or the wait is over: the key set is fetched again at most once per jwksRefreshMinInterval (1 s). */
    private static int meWithin(Token token, Duration wait) throws Exception {
        Instant deadline = Instant.now().plus(wait);
        int status = me(token.mint());
        while (status != 200 && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            status = me(token.mint());
        }
        return status;
    }

    /** A user written by the first admin (a local token), as an enterprise's provisioning would. */
    private static void putUser(String id, String status) {
        String admin = APP.getConfiguration().getAuth().localIssuer().mint("admin", Duration.ofMinutes(5));
        try (Response r = request("/v1/users/" + id, admin).put(Entity.json(Map.of("level", "platform", "role", "viewer",
                "name", "OIDC user", "status", status)))) {
            assertThat(r.getStatus()).as(r.readEntity(String.class)).isIn(200, 201);
        }
    }

    @Test
    void tokensOfTheIssuerSignInItsUsersAndNothingElse() throws Exception {
        String user = RUN + "-ann";
        putUser(user, "ACTIVE");

        // (if the other test rotated the keys a moment ago, the set is fetched again at most once per second)
        assertThat(meWithin(() -> rsa(claims(user).build()), Duration.ofSeconds(30))).as("RS256 from the JWKS").isEqualTo(200);
        Map<?, ?> me;
        try (Response r = request("/v1/me", rsa(claims(user).build())).get()) {
            me = r.readEntity(Map.class);
        }
        assertThat(me.get("user")).isEqualTo(user);
        assertThat(me.get("role")).isEqualTo("viewer");

        assertThat(me(rsa(claims(user).issuer("https://elsewhere.invalid/").build()))).as("wrong issuer").isEqualTo(401);
        assertThat(me(rsa(claims(user).audience("another-api").build()))).as("wrong audience").isEqualTo(401);
        assertThat(me(rsa(claims(user).audience((String) null).build()))).as("no audience").isEqualTo(401);
        Instant past = Instant.now().minus(Duration.ofHours(2));
        assertThat(me(rsa(claims(user).issueTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofHours(1))))
                .build()))).as("expired").isEqualTo(401);
        assertThat(me(rsa(claims(user).expirationTime(Date.from(Instant.now().plus(Duration.ofDays(30)))).build())))
                .as("lives longer than auth.maxTokenLifetime").isEqualTo(401);
        assertThat(me(rsa(claims(RUN + "-nobody").build()))).as("a user the API does not know").isEqualTo(401);
        RSAKey stranger = generateRsa(RSA.getKeyID()); // same kid, another key: a forgery
        assertThat(me(sign(claims(user).build(), JWSAlgorithm.RS256, stranger.getKeyID(), new RSASSASigner(stranger))))
                .as("signed by a key the issuer does not publish").isEqualTo(401);
        assertThat(me(sign(claims(user).build(), JWSAlgorithm.HS256, RSA.getKeyID(),
                new MACSigner("integration-test-signing-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)))))
                .as("HS256 under the OIDC issuer, even with the local key").isEqualTo(401);

        // disabling the user refuses its next request, though its token is still valid
        String token = rsa(claims(user).build());
        putUser(user, "DISABLED");
        assertThat(me(token)).isEqualTo(401);
        putUser(user, "ACTIVE");
        assertThat(me(token)).isEqualTo(200);
    }

    @Test
    void aRotatedKeyIsPickedUpAndTheRetiredOneRefused() throws Exception {
        String user = RUN + "-bob";
        putUser(user, "ACTIVE");
        assertThat(me(rsa(claims(user).build()))).isEqualTo(200);
        int fetchesBefore = FETCHES.get();

        // the provider rotates: the set now holds only the new ES256 key
        SERVED.set(new JWKSet(List.<JWK>of(EC.toPublicJWK())));
        assertThat(meWithin(() -> ec(claims(user).build()), Duration.ofSeconds(30))).as("a token signed with the new key")
                .isEqualTo(200);
        assertThat(FETCHES.get()).as("the set was fetched again").isGreaterThan(fetchesBefore);
        assertThat(me(rsa(claims(user).build()))).as("the retired key, no longer in the set").isEqualTo(401);

        SERVED.set(new JWKSet(List.<JWK>of(RSA.toPublicJWK(), EC.toPublicJWK())));
    }
}
