package io.caretaker.redis;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisReactiveCommandsImpl;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.json.JsonParser;
import io.lettuce.core.protocol.PushHandler;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A Lettuce client whose connections build only the async API up front. Lettuce builds all three
 * APIs for every connection: the sync one is a java.lang.reflect.Proxy over some 1,000 command
 * methods and the reactive one a class as large, about 2 MiB of class metadata and 5,000 reflected
 * methods that the collectors, which use only the async API, never call (docs/BENCHMARKS.md). Here
 * the sync API is built on its first use (by an action) and the reactive one, which caretaker does
 * not use, refuses.
 */
final class AsyncFirstRedisClient extends RedisClient {
  private final ClientResources resources;

  AsyncFirstRedisClient(ClientResources resources, RedisURI uri) {
    super(resources, uri);
    this.resources = resources;
  }

  @Override
  protected <K, V> StatefulRedisConnectionImpl<K, V> newStatefulRedisConnection(
      RedisChannelWriter writer,
      PushHandler pushHandler,
      RedisCodec<K, V> codec,
      Duration timeout) {
    return new Connection<>(writer, pushHandler, codec, timeout, getOptions().getJsonParser());
  }

  /** Shuts the client down with its resources (a client given resources does not own them). */
  @Override
  public void shutdown() {
    super.shutdown();
    resources.shutdown();
  }

  private static final class Connection<K, V> extends StatefulRedisConnectionImpl<K, V> {
    private RedisCommands<K, V> sync;

    Connection(
        RedisChannelWriter writer,
        PushHandler pushHandler,
        RedisCodec<K, V> codec,
        Duration timeout,
        Supplier<JsonParser> jsonParser) {
      super(writer, pushHandler, codec, timeout, jsonParser);
    }

    @Override
    protected RedisCommands<K, V> newRedisSyncCommandsImpl() {
      return null; // built by sync() when first asked for
    }

    @Override
    protected RedisReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
      return null;
    }

    @Override
    public synchronized RedisCommands<K, V> sync() {
      if (sync == null) {
        sync = super.newRedisSyncCommandsImpl();
      }
      return sync;
    }

    @Override
    public RedisReactiveCommands<K, V> reactive() {
      throw new UnsupportedOperationException("caretaker's Redis connections have no reactive API");
    }
  }
}
