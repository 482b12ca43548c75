package io.caretaker.triggers;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names this agent answers to in an alert's {@code instance} or {@code host} label: its
 * configured instance, its host names, and every address of its interfaces (loopback included: a
 * Prometheus scraping 127.0.0.1 runs on this host). Ports are ignored on both sides.
 */
public final class InstanceIdentity {
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+");
  private final Set<String> names;

  InstanceIdentity(Set<String> names) {
    Set<String> hosts = new HashSet<>();
    names.forEach(n -> hosts.add(host(n)));
    this.names = Set.copyOf(hosts);
  }

  /** This machine's names and addresses, plus the configured instance. */
  public static InstanceIdentity ofThisHost(String instance) {
    Set<String> names = new HashSet<>(Set.of(instance, "localhost"));
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(local.getHostName());
      names.add(local.getCanonicalHostName());
    } catch (UnknownHostException e) {
      // no resolvable host name: the interfaces still name us
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          names.add(address.getHostAddress().replaceFirst("%.*$", "")); // drop IPv6 scope
        }
      }
    } catch (SocketException e) {
      // keep the names we have
    }
    return new InstanceIdentity(names);
  }

  /** Whether the alert's {@code instance} or {@code host} label names this agent. */
  public boolean names(Map<String, String> labels) {
    for (String key : new String[] {"instance", "host"}) {
      String value = labels.get(key);
      if (value != null && !value.isEmpty() && names.contains(host(value))) {
        return true;
      }
    }
    return false;
  }

  /**
   * "host:9100" → "host", "[::1]:9100" → "::1", "::1" stays; lower case; IPv6 literals in one
   * spelling ("::1" and "0:0:0:0:0:0:0:1", as Java lists the loopback, are one address).
   */
  static String host(String address) {
    String a = address.trim().toLowerCase(Locale.ROOT);
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return ipv6(end > 0 ? a.substring(1, end) : a);
    }
    int colon = a.indexOf(':');
    return colon >= 0 && colon == a.lastIndexOf(':') ? a.substring(0, colon) : ipv6(a);
  }

  /** The canonical form of an IPv6 literal (no lookup: only literals get here); else as is. */
  private static String ipv6(String a) {
    String bare = a.replaceFirst("%.*$", "");
    if (bare.indexOf(':') < 0 || !IPV6_LITERAL.matcher(bare).matches()) {
      return a;
    }
    try {
      return InetAddress.getByName(bare).getHostAddress();
    } catch (UnknownHostException notALiteral) {
      return a;
    }
  }

  @Override
  public String toString() {
    return names.toString();
  }
}
