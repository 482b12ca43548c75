package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.regex.Pattern;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/** Bytes and errors per network interface, minus excluded interfaces. */
public final class NetworkCollector implements Collector {
  private final HardwareAbstractionLayer hardware;
  private final List<Pattern> exclude;

  public NetworkCollector(HardwareAbstractionLayer hardware, List<Pattern> exclude) {
    this.hardware = hardware;
    this.exclude = List.copyOf(exclude);
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Family received =
        Family.counter(
            "host_network_receive_bytes_total", "Bytes received on the interface.", "interface");
    Family sent =
        Family.counter(
            "host_network_transmit_bytes_total", "Bytes sent on the interface.", "interface");
    Family errors =
        Family.counter(
            "host_network_errors_total",
            "Receive and transmit errors on the interface.",
            "interface",
            "direction");
    for (NetworkIF nic : hardware.getNetworkIFs(true)) {
      String name = nic.getName();
      if (exclude.stream().anyMatch(p -> p.matcher(name).matches())) {
        continue;
      }
      received.add(nic.getBytesRecv(), name);
      sent.add(nic.getBytesSent(), name);
      errors.add(nic.getInErrors(), name, "receive");
      errors.add(nic.getOutErrors(), name, "transmit");
    }
    return List.of(received.toSnapshot(), sent.toSnapshot(), errors.toSnapshot());
  }
}
