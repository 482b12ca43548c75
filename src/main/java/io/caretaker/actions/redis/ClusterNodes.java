package io.caretaker.actions.redis;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The masters of a Redis Cluster, from CLUSTER NODES: where each one listens and which slots it
 * serves. A cleanup scans every master (SCAN sees only the node it is sent to) and takes its lock
 * on the master that owns the lock key.
 */
record ClusterNodes(List<Master> masters) {
  /** One master: address and slot ranges (inclusive pairs). */
  record Master(String host, int port, List<int[]> slots) {
    boolean serves(int slot) {
      return slots.stream().anyMatch(r -> slot >= r[0] && slot <= r[1]);
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Parses CLUSTER NODES; masters that fail or have no address are left out. */
  static ClusterNodes parse(String nodes) {
    List<Master> masters = new ArrayList<>();
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      List<String> flags = List.of(f[2].split(","));
      if (!flags.contains("master") || flags.contains("fail") || flags.contains("noaddr")
          || flags.contains("handshake")) {
        continue;
      }
      String address = f[1].split("@")[0];
      int colon = address.lastIndexOf(':');
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being migrated or imported
        }
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        slots.add(new int[] {from, range.length > 1 ? Integer.parseInt(range[1]) : from});
      }
      masters.add(new Master(address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1)), List.copyOf(slots)));
    }
    return new ClusterNodes(List.copyOf(masters));
  }

  Optional<Master> owner(String key) {
    int slot = SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
    return masters.stream().filter(m -> m.serves(slot)).findFirst();
  }
}
