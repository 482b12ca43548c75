package io.caretaker.actions.redis;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The masters of a Redis Cluster, from CLUSTER NODES as Lettuce parses it: where each listens and
 * which slots it serves. A cleanup scans every master (SCAN sees only the node it is sent to) and
 * takes its lock on the master that owns the lock key. Masters that fail, have no address or are in
 * a handshake are left out.
 */
record ClusterNodes(List<RedisClusterNode> masters) {
  static ClusterNodes parse(String nodes) {
    return new ClusterNodes(
        ClusterPartitionParser.parse(nodes).stream()
            .filter(
                n ->
                    n.is(NodeFlag.UPSTREAM)
                        && !n.is(NodeFlag.FAIL)
                        && !n.is(NodeFlag.NOADDR)
                        && !n.is(NodeFlag.HANDSHAKE)
                        && n.getUri() != null)
            .toList());
  }

  Optional<RedisClusterNode> owner(String key) {
    int slot = SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
    return masters.stream().filter(m -> m.hasSlot(slot)).findFirst();
  }

  /** "host:port", for run records. */
  static String address(RedisClusterNode node) {
    return node.getUri().getHost() + ":" + node.getUri().getPort();
  }
}
