package io.caretaker.trading;

import io.caretaker.collect.RedisConnection;
import io.caretaker.config.TradingConfig.EventStream;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads order events from a Redis stream through a consumer group, on its own thread and
 * connection. Each batch is counted, then acknowledged; after a restart the entries this
 * consumer had received but not acknowledged are read first, so nothing is lost. Malformed
 * entries are acknowledged and counted as rejected. Redis going away pauses it; it reconnects
 * by itself. A new group starts at the stream's end: history is not replayed.
 */
public final class StreamConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
  private static final int BATCH = 1000;
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final RedisConnection redis;
  private final EventStream config;
  private final String consumer;
  private final TradingEvents events;
  private final Duration block;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile StatefulRedisConnection<String, String> connection;

  public StreamConsumer(RedisConnection redis, EventStream config, String consumer,
      TradingEvents events, Duration commandTimeout) {
    this.redis = redis;
    this.config = config;
    this.consumer = consumer;
    this.events = events;
    this.block = commandTimeout.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0
        ? commandTimeout.dividedBy(2) : Duration.ofSeconds(1);
    this.thread = new Thread(this::loop, "caretaker-events-stream");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    boolean pendingFirst = true;
    boolean reportedDown = false;
    while (running) {
      try {
        if (connection == null) {
          connection = redis.connectDedicated();
          createGroup(connection.sync());
          pendingFirst = true;
        }
        int read = readBatch(connection.sync(), pendingFirst);
        if (pendingFirst && read == 0) {
          pendingFirst = false; // the backlog is done; now new entries
        }
        if (reportedDown) {
          reportedDown = false;
          log.info("Reading stream {} again", config.stream());
        }
      } catch (RedisException e) {
        if (!running) {
          return;
        }
        if (!reportedDown) {
          reportedDown = true;
          log.warn("Cannot read stream {}: {}; retrying every {}s", config.stream(),
              e.getMessage(), RETRY.toSeconds());
        }
        closeConnection();
        sleep();
      }
    }
  }

  /** Reads, counts and acknowledges one batch; returns how many entries it held. */
  private int readBatch(RedisCommands<String, String> cmds, boolean pending) {
    XReadArgs args = XReadArgs.Builder.count(BATCH);
    if (!pending) {
      args.block(block);
    }
    List<StreamMessage<String, String>> batch = cmds.xreadgroup(
        Consumer.from(config.group(), consumer), args,
        StreamOffset.from(config.stream(), pending ? "0" : ">"));
    if (batch == null || batch.isEmpty()) {
      return 0;
    }
    String[] ids = new String[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      StreamMessage<String, String> m = batch.get(i);
      ids[i] = m.getId();
      try {
        events.count(OrderEvent.from(m.getBody()));
      } catch (OrderEvent.Invalid e) {
        events.reject(e.reason);
      }
    }
    cmds.xack(config.stream(), config.group(), ids);
    return batch.size();
  }

  private void createGroup(RedisCommands<String, String> cmds) {
    try {
      cmds.xgroupCreate(StreamOffset.from(config.stream(), "$"), config.group(),
          XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException exists) {
      // BUSYGROUP: the group is there already, with its position and pending entries.
    }
  }

  private void sleep() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void closeConnection() {
    StatefulRedisConnection<String, String> c = connection;
    connection = null;
    if (c != null) {
      c.closeAsync();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(block.toMillis() + 2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}
