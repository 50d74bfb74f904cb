package cms.api.admin;

import java.util.List;

/** GET /v1/{kind}/{id}/children: the nodes whose current parent is this one, by id, without versions. */
public record ChildrenView(String kind, String id, List<NodeView> children) {}
