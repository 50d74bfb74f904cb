package cms.api.query;

import cms.avro.NodeLevel;
import cms.rollup.Granularity;

/** The partition key of rollups and rollups_by_child: one node, one granularity, one bucket. */
public record RollupKey(NodeLevel level, String nodeId, Granularity granularity, String bucket) {}
