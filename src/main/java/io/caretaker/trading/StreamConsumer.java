package io.caretaker.trading;

import io.caretaker.config.TradingConfig.EventStream;
import io.caretaker.redis.RedisConnection;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads order events from a Redis stream through a consumer group, on its own thread and
 * connection. Each batch is counted, then acknowledged; after a restart the entries this consumer
 * had received but not acknowledged are read first, so nothing is lost. Malformed entries are
 * acknowledged and counted as rejected. Redis going away pauses it; it reconnects by itself. A new
 * group starts at the stream's end: history is not replayed.
 */
public final class StreamConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
  private static final int BATCH = 2000;
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final RedisConnection redis;
  private final EventStream config;
  private final String consumer;
  private final TradingEvents events;
  private final Duration block;
  private final Duration timeout;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile StatefulRedisConnection<String, String> connection;
  private Interner interner;

  public StreamConsumer(
      RedisConnection redis,
      EventStream config,
      String consumer,
      TradingEvents events,
      Duration commandTimeout) {
    this.redis = redis;
    this.config = config;
    this.consumer = consumer;
    this.events = events;
    this.timeout = commandTimeout.plusSeconds(1);
    this.block =
        commandTimeout.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0
            ? commandTimeout.dividedBy(2)
            : Duration.ofSeconds(1);
    this.thread = new Thread(this::loop, "caretaker-events-stream");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    boolean reportedDown = false;
    while (running) {
      try {
        if (connection == null) {
          connection = redis.connectDedicated();
          interner = new Interner();
          createGroup(connection.sync());
          redis.report(null);
          if (reportedDown) {
            reportedDown = false;
            log.info("Reading stream {} again", config.stream());
          }
        }
        consume(connection.async());
      } catch (RedisException | ExecutionException | TimeoutException e) {
        if (!running) {
          return;
        }
        Throwable cause =
            e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (!(cause instanceof RedisCommandExecutionException)) {
          // Redis itself is away: RedisConnection logs the outage once, for every reader.
          redis.report(new RedisException(cause.getMessage(), cause));
        } else if (!reportedDown) {
          reportedDown = true; // the stream's own problem (a wrong type, say): once until it reads
          log.warn(
              "Cannot read stream {}: {}; retrying every {}s",
              config.stream(),
              cause.getMessage(),
              RETRY.toSeconds());
        }
        closeConnection();
        sleep();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Reads until stopped or Redis fails: first this consumer's unacknowledged backlog ("0"), then
   * new entries (">"). While a backlog drains (full batches), the next non-blocking read is on the
   * wire while a batch is counted, since Lettuce decodes on its own thread. Once caught up, each
   * batch is acknowledged, and the ack awaited, before the next read blocks: an XACK queued behind
   * a blocking read would wait for it, and could be lost on shutdown. A batch is counted only after
   * the previous XACK returned, so a failure leaves at most one counted batch unacknowledged, as a
   * synchronous loop would.
   */
  private void consume(RedisAsyncCommands<String, String> async)
      throws ExecutionException, TimeoutException, InterruptedException {
    boolean pending = true;
    RedisFuture<ReadBatch> next = read(async, true, false);
    RedisFuture<Long> lastAck = null;
    while (true) {
      ReadBatch batch = next == null ? null : next.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      next = null;
      boolean full = batch != null && batch.size() == BATCH;
      if (pending && !full && (batch == null || batch.size() == 0)) {
        pending = false; // the backlog is done; now new entries
      }
      if (full && !pending && running) {
        next = read(async, false, false); // more is waiting: fetch it while this batch counts
      }
      if (batch != null && batch.size() > 0) {
        await(lastAck);
        count(batch);
        lastAck = ack(async, batch);
      }
      if (next == null) {
        await(lastAck); // nothing may queue behind a blocking read, or be lost on shutdown
        lastAck = null;
        if (!running) {
          return;
        }
        next = read(async, pending, !pending);
      }
    }
  }

  private void await(RedisFuture<?> future)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (future != null) {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private RedisFuture<ReadBatch> read(
      RedisAsyncCommands<String, String> async, boolean pending, boolean blocking) {
    XReadArgs options = XReadArgs.Builder.count(BATCH);
    if (blocking) {
      options.block(block);
    }
    return readGroup(async, interner, config, consumer, pending ? "0" : ">", options);
  }

  /** XREADGROUP, read by {@link ReadBatchOutput} rather than into Lettuce's stream messages. */
  static RedisFuture<ReadBatch> readGroup(
      RedisAsyncCommands<String, String> async,
      Interner interner,
      EventStream stream,
      String consumer,
      String offset,
      XReadArgs options) {
    CommandArgs<String, String> args =
        new CommandArgs<>(StringCodec.UTF8).add("GROUP").add(stream.group()).add(consumer);
    options.build(args);
    args.add("STREAMS").addKey(stream.stream()).add(offset);
    return async.dispatch(
        CommandType.XREADGROUP, new ReadBatchOutput(StringCodec.UTF8, interner), args);
  }

  private void count(ReadBatch batch) {
    batch.rejected.forEach(events::reject);
    events.countAll(batch.valid);
  }

  private RedisFuture<Long> ack(RedisAsyncCommands<String, String> async, ReadBatch batch) {
    CommandArgs<String, String> args =
        new CommandArgs<>(StringCodec.UTF8).addKey(config.stream()).add(config.group());
    batch.ids.forEach(args::add);
    return async.dispatch(CommandType.XACK, new IntegerOutput<>(StringCodec.UTF8), args);
  }

  private void createGroup(RedisCommands<String, String> cmds) {
    try {
      cmds.xgroupCreate(
          StreamOffset.from(config.stream(), "$"),
          config.group(),
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

  /** Stops after the batch in hand is counted and acknowledged (within a blocking read). */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(block.toMillis() + timeout.toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
    closeConnection();
  }
}
