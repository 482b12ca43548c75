package io.caretaker.testing;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A Redis command Lettuce has no method for (LATENCY LATEST, ACL SETUSER ...), as nested lists. */
public final class RedisRaw {
  private RedisRaw() {}

  public static List<Object> call(
      RedisCommands<String, String> redis, String command, String... args) {
    ProtocolKeyword keyword =
        new ProtocolKeyword() {
          @Override
          public byte[] getBytes() {
            return command.getBytes(StandardCharsets.US_ASCII);
          }

          @Override
          public String name() {
            return command;
          }
        };
    return redis.dispatch(
        keyword,
        new NestedMultiOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).addValues(args));
  }
}
