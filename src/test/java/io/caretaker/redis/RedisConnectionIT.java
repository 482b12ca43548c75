package io.caretaker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caretaker.config.RedisConfig;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared connection's APIs against a real redis-server: async first, sync when asked. */
class RedisConnectionIT {
  @TempDir Path dir;

  @Test
  void asyncWorksSyncIsBuiltOnFirstUseAndReactiveRefuses() throws Exception {
    try (RedisServer server = new RedisServer(dir);
        RedisConnection redis =
            new RedisConnection(new RedisConfig(server.uri(), Duration.ofSeconds(2)))) {
      StatefulRedisConnection<String, String> c = redis.get();
      assertThat(c.async().set("k", "v").get(2, TimeUnit.SECONDS)).isEqualTo("OK");
      assertThat(c.sync().get("k")).isEqualTo("v");
      assertThat(c.sync()).as("built once").isSameAs(c.sync());
      assertThatThrownBy(c::reactive).isInstanceOf(UnsupportedOperationException.class);
      try (StatefulRedisConnection<byte[], byte[]> binary =
          redis.connectDedicated(ByteArrayCodec.INSTANCE)) {
        assertThat(binary.sync().get("k".getBytes())).isEqualTo("v".getBytes());
      }
    }
  }
}
