package cms.api.openapi;

import cms.api.admin.CommissionPlanResource;
import cms.api.admin.NodeResource;
import cms.api.admin.PriceBookResource;
import cms.api.auth.MeResource;
import cms.api.query.CommissionResource;
import cms.api.query.PeriodResource;
import cms.api.query.StatementResource;
import cms.api.query.UsageResource;

import java.util.Set;

/** The resource classes the document describes: the ones ApiApplication registers (OpenApiIT checks it). */
public final class Resources {
    public static final Set<Class<?>> CLASSES = Set.of(MeResource.class, NodeResource.class, PriceBookResource.class,
            CommissionPlanResource.class, UsageResource.class, CommissionResource.class, StatementResource.class,
            PeriodResource.class);

    private Resources() {}
}
