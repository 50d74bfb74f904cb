package cms.api.auth;

import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.User;
import com.nimbusds.jwt.JWTParser;
import io.dropwizard.auth.Authenticator;

import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer token to caller: the token's issuer (one of those configured, chosen by its {@code iss})
 * must vouch for it, and its {@code sub} must name a user the read model holds, ACTIVE now. The
 * caller's node and role are that user's at this request, so a user disabled or moved a moment ago
 * is refused or rescoped at once, whatever its token says.
 */
public final class UserAuthenticator implements Authenticator<String, Caller> {
    private final Map<String, TokenIssuer> issuers = new HashMap<>();
    private final HierarchyModel model;

    public UserAuthenticator(List<TokenIssuer> issuers, HierarchyModel model) {
        for (TokenIssuer issuer : issuers) {
            if (this.issuers.put(issuer.issuer(), issuer) != null) {
                throw new IllegalArgumentException("two issuers named " + issuer.issuer());
            }
        }
        this.model = model;
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        String iss;
        try {
            // only to pick the issuer; its own check then verifies signature and claims
            iss = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
        TokenIssuer issuer = iss == null ? null : issuers.get(iss);
        if (issuer == null) {
            return Optional.empty();
        }
        return issuer.verify(token).flatMap(model::user).filter(User::active).map(u -> Caller.of(u.inEffect()));
    }
}
