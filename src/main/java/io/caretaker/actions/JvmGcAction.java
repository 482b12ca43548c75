package io.caretaker.actions;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.caretaker.config.ActionSpec.JvmTarget;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Full GC in each target JVM over JMX: this agent, a pid or local JVMs by main class (through the
 * Attach API and the target's local management agent), or a JMX URL. Reports heap used before and
 * after per target. A target that is gone or refuses attach, or that runs with {@code
 * -XX:+DisableExplicitGC} (it would silently ignore the request), is a per-target failure with its
 * reason; the run fails if any target did.
 */
public final class JvmGcAction implements Action {
  private static final String DIAGNOSTIC = "com.sun.management:type=HotSpotDiagnostic";

  private final List<JvmTarget> targets;

  public JvmGcAction(List<JvmTarget> targets) {
    this.targets = List.copyOf(targets);
  }

  /** A JVM reached over JMX; closing releases the connection (nothing for this agent's own). */
  private record Jvm(String target, long pid, MBeanServerConnection beans, AutoCloseable closer) {}

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.BYTES_FREED);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    List<Map<String, Object>> results = new ArrayList<>();
    long freed = 0;
    int failed = 0;
    for (JvmTarget target : targets) {
      for (Object resolved : resolve(target)) {
        Map<String, Object> result =
            resolved instanceof Jvm jvm
                ? collect(jvm, ctx.dryRun())
                : failure(target.describe(), -1, (String) resolved);
        results.add(result);
        if (result.containsKey("error")) {
          failed++;
        } else {
          freed += ((Number) result.getOrDefault("freed_bytes", 0L)).longValue();
        }
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("targets", results);
    details.put(Figure.BYTES_FREED.key(), freed);
    if (failed > 0) {
      String first =
          results.stream()
              .filter(r -> r.containsKey("error"))
              .map(r -> r.get("target") + ": " + r.get("error"))
              .findFirst()
              .orElse("");
      throw new ActionFailure(
          failed + " of " + results.size() + " targets failed; " + first, details);
    }
    return details;
  }

  /** The JVMs a target names, or an error message per target that cannot be reached. */
  private static List<Object> resolve(JvmTarget target) {
    long self = ProcessHandle.current().pid();
    if (target instanceof JvmTarget.Pid p) {
      return List.of(p.pid() == self ? selfJvm(self) : attach(target.describe(), p.pid()));
    }
    if (target instanceof JvmTarget.Jmx j) {
      return List.of(connect(target.describe(), -1, j.url()));
    }
    if (target instanceof JvmTarget.MainClass m) {
      List<Object> found = new ArrayList<>();
      for (VirtualMachineDescriptor d : VirtualMachine.list()) {
        long pid = Long.parseLong(d.id());
        if (pid != self && m.regex().matcher(d.displayName()).find()) {
          found.add(attach("main_class " + d.displayName(), pid));
        }
      }
      return found.isEmpty()
          ? List.of("no running JVM matches main_class \"" + m.regex() + "\"")
          : found;
    }
    return List.of(selfJvm(self));
  }

  private static Jvm selfJvm(long pid) {
    return new Jvm("self", pid, ManagementFactory.getPlatformMBeanServer(), () -> {});
  }

  private static Object attach(String target, long pid) {
    String url;
    try {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      try {
        url = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
    } catch (AttachNotSupportedException | IOException | SecurityException e) {
      return "cannot attach to pid "
          + pid
          + " (gone, another user's, or attach disabled): "
          + e.getMessage();
    }
    return connect(target, pid, url);
  }

  private static Object connect(String target, long pid, String url) {
    try {
      JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url));
      return new Jvm(target, pid, connector.getMBeanServerConnection(), connector);
    } catch (IOException | RuntimeException e) {
      return "cannot connect to " + url + ": " + e.getMessage();
    }
  }

  private static Map<String, Object> collect(Jvm jvm, boolean dryRun) {
    try (AutoCloseable closer = jvm.closer()) {
      MemoryMXBean memory =
          ManagementFactory.newPlatformMXBeanProxy(
              jvm.beans(), ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
      HotSpotDiagnosticMXBean diagnostic =
          ManagementFactory.newPlatformMXBeanProxy(
              jvm.beans(), DIAGNOSTIC, HotSpotDiagnosticMXBean.class);
      long before = memory.getHeapMemoryUsage().getUsed();
      if ("true".equals(diagnostic.getVMOption("DisableExplicitGC").getValue())) {
        return failure(
            jvm.target(),
            jvm.pid(),
            "runs with -XX:+DisableExplicitGC, which makes it"
                + " ignore a requested GC; nothing was collected");
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("target", jvm.target());
      result.put("pid", jvm.pid());
      result.put("heap_used_before_bytes", before);
      if (dryRun) {
        result.put("would_collect", true);
        return result;
      }
      long collectionsBefore = collections(jvm.beans());
      memory.gc();
      long after = memory.getHeapMemoryUsage().getUsed();
      long collectionsAfter = collections(jvm.beans());
      result.put("heap_used_after_bytes", after);
      result.put("freed_bytes", Math.max(0, before - after));
      result.put("collections", collectionsAfter - collectionsBefore);
      if (collectionsAfter == collectionsBefore) {
        return failure(jvm.target(), jvm.pid(), "no collection happened");
      }
      return result;
    } catch (Exception e) {
      return failure(jvm.target(), jvm.pid(), "lost the JVM during GC: " + e.getMessage());
    }
  }

  private static long collections(MBeanServerConnection beans) throws IOException {
    long sum = 0;
    for (GarbageCollectorMXBean gc :
        ManagementFactory.getPlatformMXBeans(beans, GarbageCollectorMXBean.class)) {
      sum += Math.max(0, gc.getCollectionCount());
    }
    return sum;
  }

  private static Map<String, Object> failure(String target, long pid, String error) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("target", target);
    if (pid >= 0) {
      result.put("pid", pid);
    }
    result.put("error", error);
    return result;
  }
}
