package io.caretaker.trading;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.caretaker.config.InputLimits;
import io.caretaker.trading.OrderEvent.Rejection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a pushed body (one JSON object, a JSON array, or NDJSON), counts every valid event and
 * rejects the others with their line (NDJSON) or position (array, from 1) and reason.
 */
public final class EventBody {
  private static final ObjectMapper JSON = InputLimits.jsonMapper();

  /** For "is the whole body one object?": anything after it makes the answer no. */
  private static final ObjectReader WHOLE_OBJECT =
      JSON.readerFor(Map.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Rejections listed in an answer; the count covers them all. */
  static final int MAX_LISTED = 100;

  /** What happened to a body. */
  public record Result(int accepted, int rejectedCount, List<Map<String, Object>> rejected) {}

  private EventBody() {}

  public static Result ingest(byte[] body, TradingEvents events) {
    Tally tally = new Tally(events);
    int start = 0;
    while (start < body.length && Character.isWhitespace(body[start])) {
      start++;
    }
    boolean opens = start < body.length;
    if (opens && body[start] == '[') {
      array(body, tally);
    } else if (!(opens && body[start] == '{' && single(body, tally))) {
      lines(body, tally);
    }
    tally.events.countAll(tally.valid);
    return new Result(tally.accepted, tally.rejectedCount, tally.rejected);
  }

  private static void array(byte[] body, Tally tally) {
    try (JsonParser p = JSON.createParser(body)) {
      p.nextToken();
      int position = 0;
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY && t != null; ) {
        position++;
        if (t == JsonToken.START_OBJECT) {
          tally.event(position, JSON.readValue(p, Map.class));
        } else {
          p.skipChildren();
          tally.reject(position, Rejection.MALFORMED);
        }
      }
    } catch (IOException e) {
      tally.reject(
          0,
          Rejection.MALFORMED,
          "the JSON array is malformed: "
              + (e instanceof JsonProcessingException j
                  ? InputLimits.describe(j)
                  : e.getMessage()));
    }
  }

  /** The whole body as one object (it may span lines); false when it is not exactly one. */
  private static boolean single(byte[] body, Tally tally) {
    Map<?, ?> event;
    try {
      event = WHOLE_OBJECT.readValue(body);
    } catch (IOException notOneObject) {
      return false;
    }
    tally.event(1, event);
    return true;
  }

  private static void lines(byte[] body, Tally tally) {
    int line = 0;
    int from = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        line++;
        if (i > from && !blank(body, from, i)) {
          try {
            Object value = JSON.readValue(body, from, i - from, Object.class);
            if (value instanceof Map<?, ?> map) {
              tally.event(line, map);
            } else {
              tally.reject(line, Rejection.MALFORMED);
            }
          } catch (IOException e) {
            tally.reject(line, Rejection.MALFORMED);
          }
        }
        from = i + 1;
      }
    }
  }

  private static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Character.isWhitespace(b[i])) {
        return false;
      }
    }
    return true;
  }

  private static final class Tally {
    final TradingEvents events;
    int accepted;
    int rejectedCount;
    final List<Map<String, Object>> rejected = new ArrayList<>();

    Tally(TradingEvents events) {
      this.events = events;
    }

    final List<OrderEvent> valid = new ArrayList<>();

    @SuppressWarnings("unchecked")
    void event(int line, Map<?, ?> fields) {
      try {
        valid.add(OrderEvent.from((Map<String, ?>) fields));
        accepted++;
      } catch (OrderEvent.Invalid e) {
        reject(line, e.reason);
      }
    }

    void reject(int line, Rejection reason) {
      reject(line, reason, reason.message);
    }

    void reject(int line, Rejection reason, String message) {
      events.reject(reason);
      rejectedCount++;
      if (rejected.size() < MAX_LISTED) {
        rejected.add(Map.of("line", line, "error", message));
      }
    }
  }
}
