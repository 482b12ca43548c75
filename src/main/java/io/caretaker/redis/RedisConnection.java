package io.caretaker.redis;

import io.caretaker.config.RedisConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shared Redis connection (Lettuce). Connects lazily, so the agent starts without Redis.
 * Lettuce's own reconnect is off: its watchdog backs off up to 30 s (Redis read as down for half a
 * minute after it is back) and logs every attempt. Instead each use of a closed connection opens a
 * new one, so the collector's next cycle is the probe: Redis reads as up within one collection
 * interval of accepting connections, and an outage costs one failed connect per cycle. Logs once
 * when Redis goes away and once when it is back.
 */
public final class RedisConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);

  private final RedisConfig config;
  private final RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private volatile boolean up;
  private boolean reportedDown;

  public RedisConnection(RedisConfig config) {
    this.config = config;
    RedisURI uri = RedisURI.create(config.uri());
    uri.setTimeout(config.timeout());
    this.client = new AsyncFirstRedisClient(DefaultClientResources.create(), uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
            .socketOptions(SocketOptions.builder().connectTimeout(config.timeout()).build())
            .build());
  }

  /** The connection, connecting first if needed; throws when Redis cannot be reached. */
  public synchronized StatefulRedisConnection<String, String> get() {
    if (connection != null && !connection.isOpen()) {
      connection.close();
      connection = null;
    }
    if (connection == null) {
      connection = client.connect();
    }
    return connection;
  }

  /**
   * A separate connection for work that pipelines or blocks (auto-flush is per connection). It does
   * not reconnect: its owner opens a new one once {@code isOpen()} turns false.
   */
  public StatefulRedisConnection<String, String> connectDedicated() {
    return client.connect();
  }

  /** A separate connection with its own codec (binary keys, for instance). */
  public <K, V> StatefulRedisConnection<K, V> connectDedicated(RedisCodec<K, V> codec) {
    return client.connect(codec);
  }

  /**
   * A connection to another node of the same deployment (a Redis Cluster master), with the
   * configured credentials, TLS and timeouts.
   */
  public <K, V> StatefulRedisConnection<K, V> connectNode(
      RedisCodec<K, V> codec, String host, int port) {
    RedisURI base = RedisURI.create(config.uri());
    RedisURI node =
        RedisURI.builder(base)
            .withHost(host)
            .withPort(port)
            .withDatabase(0)
            .withTimeout(config.timeout())
            .build();
    return client.connect(codec, node);
  }

  /** Whether the last command through this connection worked. */
  public boolean up() {
    return up;
  }

  /** Records the outcome of a use; logs at the start and the end of an outage only. */
  public synchronized void report(RuntimeException failure) {
    up = failure == null;
    if (failure != null && !reportedDown) {
      reportedDown = true;
      log.warn(
          "Redis at {} is unreachable: {}; redis_up reads 0 and the other Redis series are absent meanwhile",
          config.redactedUri(),
          failure.getMessage());
    } else if (failure == null && reportedDown) {
      reportedDown = false;
      log.info("Redis at {} is back", config.redactedUri());
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
    }
    client.shutdown();
  }
}
