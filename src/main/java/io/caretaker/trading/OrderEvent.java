package io.caretaker.trading;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/** One order event, validated: {@code {"type":"order","status":..,"side":..,"venue":..}}. */
public record OrderEvent(
    String status, String side, String venue, String symbol, OptionalDouble latencyMs) {

  static final Set<String> STATUSES =
      Set.of("submitted", "filled", "partially_filled", "cancelled", "rejected");
  static final Set<String> SIDES = Set.of("buy", "sell");

  /** Why an event was refused; the label of {@code trading_events_rejected_total}. */
  public enum Rejection {
    MALFORMED("not a JSON object"),
    UNKNOWN_TYPE("type must be \"order\""),
    BAD_STATUS("status must be one of submitted, filled, partially_filled, cancelled, rejected"),
    BAD_SIDE("side must be buy or sell"),
    BAD_VENUE("venue must be a non-empty string"),
    BAD_LATENCY("latency_ms must be a number >= 0");

    final String message;

    Rejection(String message) {
      this.message = message;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Thrown by {@link #from} with the reason. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final Rejection reason;

    Invalid(Rejection reason) {
      super(reason.message, null, false, false);
      this.reason = reason;
    }
  }

  /** Validates fields as parsed from JSON or read from a stream entry (all strings there). */
  static OrderEvent from(Map<String, ?> fields) throws Invalid {
    return of(
        fields.get("type"),
        fields.get("status"),
        fields.get("side"),
        fields.get("venue"),
        fields.get("latency_ms"),
        fields.get("symbol"));
  }

  /** Validates one event's fields, each null when absent; latency a number or its text. */
  static OrderEvent of(
      Object type, Object status, Object side, Object venue, Object latency, Object symbol)
      throws Invalid {
    if (!"order".equals(type)) {
      throw new Invalid(Rejection.UNKNOWN_TYPE);
    }
    if (!(status instanceof String statusText) || !STATUSES.contains(statusText)) {
      throw new Invalid(Rejection.BAD_STATUS);
    }
    if (!(side instanceof String sideText) || !SIDES.contains(sideText)) {
      throw new Invalid(Rejection.BAD_SIDE);
    }
    if (!(venue instanceof String venueText) || venueText.isBlank()) {
      throw new Invalid(Rejection.BAD_VENUE);
    }
    OptionalDouble latencyMs = OptionalDouble.empty();
    if (latency != null) {
      double ms;
      try {
        ms = latency instanceof Number n ? n.doubleValue() : Double.parseDouble(latency.toString());
      } catch (NumberFormatException e) {
        throw new Invalid(Rejection.BAD_LATENCY);
      }
      if (!(ms >= 0) || Double.isInfinite(ms)) {
        throw new Invalid(Rejection.BAD_LATENCY);
      }
      latencyMs = OptionalDouble.of(ms);
    }
    return new OrderEvent(
        statusText, sideText, venueText, symbol == null ? null : symbol.toString(), latencyMs);
  }
}
