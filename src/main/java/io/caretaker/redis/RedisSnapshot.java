package io.caretaker.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A fresh RDB snapshot for a backup: BGSAVE, wait until Redis reports it finished and succeeded,
 * then the RDB file's path when this host can read it (a remote or managed Redis writes it
 * elsewhere: the snapshot is then taken but not archived, and the run says so).
 */
public final class RedisSnapshot {
  private static final long POLL_MS = 100;

  private RedisSnapshot() {}

  /** Takes the snapshot; its path and whether it can be archived go into {@code details}. */
  // Long on purpose: one sequence (BGSAVE, wait for Redis to report it, locate the file), read top
  // to bottom.
  public static Optional<Path> take(RedisConnection redis, Map<String, Object> details)
      throws IOException, InterruptedException {
    RedisCommands<String, String> cmds;
    try {
      cmds = redis.get().sync();
      // rdb_saves (Redis 7+) counts saves exactly; LASTSAVE is only to the second, and Redis
      // counts its own start as a save, so it is the fallback.
      Map<String, String> start = RedisInfo.parse(cmds.info("persistence"));
      String savesBefore = start.get("rdb_saves");
      long lastSaveBefore = cmds.lastsave().getTime();
      try {
        cmds.bgsave();
      } catch (RedisException alreadyRunning) {
        // "Background save already in progress": the next finished save will do.
      }
      while (true) {
        Map<String, String> info = RedisInfo.parse(cmds.info("persistence"));
        boolean saved =
            savesBefore != null
                ? !savesBefore.equals(info.get("rdb_saves"))
                : cmds.lastsave().getTime() != lastSaveBefore;
        if ("0".equals(info.get("rdb_bgsave_in_progress")) && saved) {
          if (!"ok".equals(info.get("rdb_last_bgsave_status"))) {
            throw new IOException(
                "Redis BGSAVE failed (rdb_last_bgsave_status "
                    + info.get("rdb_last_bgsave_status")
                    + ")");
          }
          break;
        }
        Thread.sleep(POLL_MS); // the run's timeout interrupts this
      }
      Path rdb =
          Path.of(cmds.configGet("dir").get("dir"))
              .resolve(cmds.configGet("dbfilename").get("dbfilename"));
      details.put("redis_snapshot", rdb.toString());
      if (!Files.isReadable(rdb)) {
        details.put("redis_snapshot_archived", false);
        return Optional.empty();
      }
      details.put("redis_snapshot_archived", true);
      return Optional.of(rdb);
    } catch (RedisException e) {
      throw new IOException("Redis snapshot failed: " + e.getMessage(), e);
    }
  }
}
