package io.caretaker.collect;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * How far the clock is from the time server it follows, as the kernel's NTP discipline knows it
 * (adjtimex(2), read-only: modes 0): the offset, the maximum error, and whether the kernel counts
 * the clock as synchronized. Order timestamps and market-data latencies are only as good as this.
 * Linux x86-64 and arm64 (struct timex's layout is theirs).
 */
public final class TimeSyncCollector implements Collector {
  private interface Api extends Library {
    int adjtimex(Pointer timex) throws LastErrorException;
  }

  private static final int TIMEX_BYTES = 256; // struct timex is 208 bytes on 64-bit Linux
  private static final int OFFSET = 8;
  private static final int MAXERROR = 24;
  private static final int STATUS = 40;
  private static final int STA_NANO = 0x2000;
  private static final int TIME_ERROR = 5;

  private final Api api = Native.load("c", Api.class);

  @Override
  public String name() {
    return "timesync";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Memory timex = new Memory(TIMEX_BYTES);
    timex.clear();
    int state = api.adjtimex(timex);
    boolean nano = (timex.getInt(STATUS) & STA_NANO) != 0;
    return List.of(
        Family.gauge("host_time_offset_seconds", "The clock's offset from its time source.")
            .add(timex.getLong(OFFSET) / (nano ? 1e9 : 1e6))
            .toSnapshot(),
        Family.gauge("host_time_maxerror_seconds", "The kernel's bound on the clock's error.")
            .add(timex.getLong(MAXERROR) / 1e6)
            .toSnapshot(),
        Family.gauge("host_time_synced", "1 when the kernel counts the clock as synchronized.")
            .add(state == TIME_ERROR ? 0 : 1)
            .toSnapshot());
  }
}
