package cms.api.users;

import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.errors.Problems;
import cms.api.hierarchy.Ids;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.ReferencePublisher;
import cms.api.hierarchy.Scope;
import cms.api.hierarchy.User;
import cms.avro.NodeLevel;
import cms.avro.UserRole;
import cms.avro.UserStatus;
import cms.avro.UserVersion;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API's users: PUT /v1/users/{id} (admins, for users of their own node and below; the
 * platform's admins for everyone), GET /v1/users/{id} and GET /v1/{kind}/{id}/users (anyone whose
 * subtree holds the user's node). Users are effective-dated versions on their reference topic,
 * like the hierarchy; every access goes through {@link Scope}.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class UserResource {
    private static final int MAX_NAME = 200;
    private static final int MAX_EMAIL = 254;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final Scope scope;
    private final ReferencePublisher publisher;
    private final Clock clock;

    public UserResource(Scope scope, ReferencePublisher publisher, Clock clock) {
        this.scope = scope;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The PUT body; {@code level} is platform, distributor, partner or tenant; {@code orgId} absent for the platform. */
    public record Body(String level, String orgId, String role, String name, String email, String status,
                       Instant effectiveFrom) {}

    @PUT
    @Timed
    @Path("users/{id}")
    @Operation(operationId = "putUser")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = UserView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = UserView.class)))
    public Response put(@Auth Caller caller, @PathParam("id") String id, Body body) {
        scope.requireWriter(caller);
        if (!Ids.isValid(id)) {
            throw ApiErrors.badRequest("id", "must match " + Ids.PATTERN);
        }
        if (body == null) {
            throw ApiErrors.badRequest("body", "a JSON object is required");
        }
        Problems problems = new Problems();
        NodeLevel level = null;
        boolean platform = "platform".equalsIgnoreCase(body.level());
        if (body.level() == null) {
            problems.add("level", "is required (platform, distributor, partner or tenant)");
        } else if (!platform) {
            Optional<NodeKind> kind = NodeKind.parse(body.level()).filter(k -> k != NodeKind.SUBSCRIPTION);
            if (kind.isEmpty()) {
                problems.add("level", "must be platform, distributor, partner or tenant");
            } else {
                level = kind.get().level();
            }
        }
        if (platform && body.orgId() != null) {
            problems.add("orgId", "must be absent for a platform user");
        } else if (!platform && body.level() != null) {
            if (body.orgId() == null) {
                problems.add("orgId", "is required");
            } else if (!Ids.isValid(body.orgId())) {
                problems.add("orgId", "must match " + Ids.PATTERN);
            }
        }
        UserRole role = parse(UserRole.class, body.role(), "role", true, problems);
        UserStatus status = parse(UserStatus.class, body.status(), "status", false, problems);
        if (body.name() != null && (body.name().isBlank() || body.name().length() > MAX_NAME)) {
            problems.add("name", "must be 1 to " + MAX_NAME + " characters and not blank");
        }
        if (body.email() != null && (body.email().length() > MAX_EMAIL || !EMAIL.matcher(body.email()).matches())) {
            problems.add("email", "must be an address of at most " + MAX_EMAIL + " characters");
        }
        problems.throwIfAny();

        Optional<User> existing = scope.userForWrite(caller, id);
        scope.requireUserNodeForWrite(caller, level, platform ? null : body.orgId(), "orgId");
        Instant now = clock.instant();
        UserVersion version = UserVersion.newBuilder()
                .setUserId(id)
                .setLevel(level)
                .setOrgId(platform ? null : body.orgId())
                .setRole(role)
                .setName(body.name())
                .setEmail(body.email())
                .setStatus(status == null ? UserStatus.ACTIVE : status)
                .setEffectiveFrom(body.effectiveFrom() == null ? now : body.effectiveFrom())
                .setRecordedAt(now)
                .setRecordedBy(caller.getName())
                .build();
        if (existing.isEmpty() || !alreadyRecorded(existing.get(), version, body.effectiveFrom() == null)) {
            publisher.publish(version);
        }
        UserView view = UserView.of(scope.user(caller, id), true);
        return Response.status(existing.isPresent() ? Response.Status.OK : Response.Status.CREATED).entity(view).build();
    }

    @GET
    @Timed
    @Path("users/{id}")
    @Operation(operationId = "getUser")
    public UserView get(@Auth Caller caller, @PathParam("id") String id) {
        return UserView.of(scope.user(caller, id), true);
    }

    @GET
    @Timed
    @Path("{kind: distributors|partners|tenants}/{id}/users")
    @Operation(operationId = "getNodeUsers")
    public UserView.ListView usersOf(@Auth Caller caller, @PathParam("kind") String kind, @PathParam("id") String id) {
        NodeKind k = NodeKind.parse(kind).orElseThrow(); // the path template admits only these
        return new UserView.ListView(k.singular(), id,
                scope.usersOf(caller, k, id).stream().map(u -> UserView.of(u, false)).toList());
    }

    @GET
    @Timed
    @Path("platform/users")
    @Operation(operationId = "getPlatformUsers")
    public UserView.ListView platformUsers(@Auth Caller caller) {
        return new UserView.ListView("platform", null,
                scope.platformUsers(caller).stream().map(u -> UserView.of(u, false)).toList());
    }

    /**
     * True when the PUT repeats what is recorded: with an effectiveFrom, the version of that time
     * with the same content; without one, the version in effect now.
     */
    private static boolean alreadyRecorded(User user, UserVersion version, boolean effectiveNow) {
        if (effectiveNow) {
            return user.inEffect() != null && sameContent(user.inEffect(), version);
        }
        return user.versions().stream().anyMatch(v -> v.getEffectiveFrom().equals(version.getEffectiveFrom())
                && sameContent(v, version));
    }

    private static boolean sameContent(UserVersion a, UserVersion b) {
        return a.getLevel() == b.getLevel() && Objects.equals(a.getOrgId(), b.getOrgId()) && a.getRole() == b.getRole()
                && Objects.equals(a.getName(), b.getName()) && Objects.equals(a.getEmail(), b.getEmail())
                && a.getStatus() == b.getStatus();
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String field, boolean required, Problems problems) {
        if (value == null) {
            if (required) {
                problems.add(field, "is required");
            }
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(value.toUpperCase(Locale.ROOT))) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        problems.add(field, "must be one of " + String.join(", ", names));
        return null;
    }
}
