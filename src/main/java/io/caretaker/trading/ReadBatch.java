package io.caretaker.trading;

import io.caretaker.trading.OrderEvent.Rejection;
import java.util.ArrayList;
import java.util.List;

/** What one XREADGROUP returned: every entry's id (to acknowledge), its event or rejection. */
final class ReadBatch {
  final List<byte[]> ids = new ArrayList<>();
  final List<OrderEvent> valid = new ArrayList<>();
  final List<Rejection> rejected = new ArrayList<>();

  int size() {
    return ids.size();
  }
}
