package io.caretaker.triggers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.config.InputLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An Alertmanager webhook body (payload version 4), read whole and checked before anything acts on
 * it: a body with one bad alert is refused entirely, with the path of what is wrong.
 */
public record AlertPayload(String receiver, List<Alert> alerts) {
  private static final ObjectMapper JSON = InputLimits.jsonMapper();

  /** One alert: its status, labels, start and Alertmanager's fingerprint of its labels. */
  public record Alert(
      String status, Map<String, String> labels, String startsAt, String fingerprint) {
    public boolean firing() {
      return "firing".equals(status);
    }

    public String name() {
      return labels.getOrDefault("alertname", "");
    }
  }

  /** Thrown for a body that is not a version 4 webhook payload; the message says where. */
  public static final class InvalidPayload extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPayload(String message) {
      super(message);
    }
  }

  public static AlertPayload parse(byte[] body) throws InvalidPayload {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidPayload("malformed JSON: " + InputLimits.describe(e));
    } catch (IOException e) {
      throw new InvalidPayload("unreadable body: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPayload(
          "expecting a JSON object with \"alerts\" (Alertmanager webhook" + " payload version 4)");
    }
    JsonNode version = root.get("version");
    if (version != null && !"4".equals(version.asText())) {
      throw new InvalidPayload("version: expecting \"4\", found " + version);
    }
    JsonNode alerts = root.get("alerts");
    if (alerts == null || !alerts.isArray()) {
      throw new InvalidPayload("alerts: expecting an array");
    }
    List<Alert> parsed = new ArrayList<>(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      parsed.add(alert(alerts.get(i), "alerts[" + i + "]"));
    }
    return new AlertPayload(root.path("receiver").asText(""), List.copyOf(parsed));
  }

  private static Alert alert(JsonNode a, String path) throws InvalidPayload {
    if (!a.isObject()) {
      throw new InvalidPayload(path + ": expecting an object");
    }
    String status = a.path("status").asText("");
    if (!status.equals("firing") && !status.equals("resolved")) {
      throw new InvalidPayload(
          path + ".status: expecting \"firing\" or \"resolved\", found " + a.get("status"));
    }
    JsonNode labels = a.get("labels");
    if (labels == null || !labels.isObject()) {
      throw new InvalidPayload(path + ".labels: expecting an object of label names to values");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new InvalidPayload(path + ".labels." + e.getKey() + ": expecting a string");
      }
      map.put(e.getKey(), e.getValue().asText());
    }
    String startsAt = text(a, "startsAt", path);
    String fingerprint = text(a, "fingerprint", path);
    if (fingerprint.isEmpty()) {
      // Alertmanager always sends one; a hand-written body may not: the sorted labels stand in.
      fingerprint = Integer.toHexString(new TreeMap<>(map).toString().hashCode());
    }
    return new Alert(status, Map.copyOf(map), startsAt, fingerprint);
  }

  private static String text(JsonNode a, String key, String path) throws InvalidPayload {
    JsonNode v = a.get(key);
    if (v != null && !v.isTextual() && !v.isNull()) {
      throw new InvalidPayload(path + "." + key + ": expecting a string");
    }
    return v == null || v.isNull() ? "" : v.asText();
  }
}
