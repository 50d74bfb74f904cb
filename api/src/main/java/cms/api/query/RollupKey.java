package cms.api.query;

import cms.avro.NodeLevel;
import cms.rollup.Granularity;

/** What one read names: a node, a granularity and a bucket ({@link Granularity#bucket}). */
public record RollupKey(NodeLevel level, String nodeId, Granularity granularity, String bucket) {}
