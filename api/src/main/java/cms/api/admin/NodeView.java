package cms.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A distributor, partner, tenant or subscription as the caller may see it: the version in effect
 * now at the top level, every version in {@code versions} (left out in a children list). Keys that
 * are absent rather than null: the parent field the kind does not have or the caller cannot see,
 * {@code priceBookId} except on subscriptions, a {@code commissionPlanId} the caller cannot read
 * ({@code Optional.empty()} is the JSON null of "inherits"), and {@code recordedBy} except for
 * platform-admin.
 */
public record NodeView(String kind, String id, String name, String status, String effectiveFrom,
                       @JsonInclude(Include.NON_NULL) String distributorId,
                       @JsonInclude(Include.NON_NULL) String partnerId,
                       @JsonInclude(Include.NON_NULL) String tenantId,
                       @JsonInclude(Include.NON_NULL) String priceBookId,
                       @JsonInclude(Include.NON_NULL) Optional<String> commissionPlanId,
                       Map<String, String> attributes, String recordedAt,
                       @JsonInclude(Include.NON_NULL) String recordedBy,
                       @JsonInclude(Include.NON_NULL) List<Version> versions) {

    /** One effective-dated version of a node; the same keys, with the same rules, as the top level. */
    public record Version(String name, String status, String effectiveFrom,
                          @JsonInclude(Include.NON_NULL) String distributorId,
                          @JsonInclude(Include.NON_NULL) String partnerId,
                          @JsonInclude(Include.NON_NULL) String tenantId,
                          @JsonInclude(Include.NON_NULL) String priceBookId,
                          @JsonInclude(Include.NON_NULL) Optional<String> commissionPlanId,
                          Map<String, String> attributes, String recordedAt,
                          @JsonInclude(Include.NON_NULL) String recordedBy) {}

    static NodeView of(String kind, String id, Version current, List<Version> versions) {
        return new NodeView(kind, id, current.name(), current.status(), current.effectiveFrom(), current.distributorId(),
                current.partnerId(), current.tenantId(), current.priceBookId(), current.commissionPlanId(),
                current.attributes(), current.recordedAt(), current.recordedBy(), versions);
    }
}
