package io.caretaker.actions.files;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.config.ActionSpec;
import io.caretaker.store.Background;
import io.caretaker.store.FileErrors;
import io.caretaker.store.StateFile;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Secrets that ended up in logs, found continuously instead of by a weekly grep: the files of
 * fenced roots (plain and .gz, symlinks never followed) read line by line for {@link
 * SecretPatterns}. A finding is its file, line, kind and fingerprint (a salted SHA-256 prefix of
 * the secret, so the same secret is recognised across files and runs): never the secret, never the
 * line, anywhere. Incremental: how far each file (by inode) was read is kept in the data directory,
 * so a run reads only what was appended since, and a renamed (rotated) file is not read again.
 * Findings whose fingerprint or {@code path:line} is in {@code allow} are passed over.
 */
public final class SecurityAuditAction implements Action {
  private static final int MAX_LISTED = 1000;

  private final String name;
  private final ActionSpec.SecurityAudit spec;
  private final SecretPatterns patterns;
  private final List<PathMatcher> include;
  private final StateFile offsets;
  private final Path dataDir;
  private final byte[] salt;
  private final Gauge findings;
  private final Counter scanned;

  public SecurityAuditAction(
      String name,
      ActionSpec.SecurityAudit spec,
      Path dataDir,
      byte[] salt,
      Gauge findings,
      Counter scanned) {
    this.name = name;
    this.spec = spec;
    this.patterns = new SecretPatterns(spec.patterns());
    this.include =
        spec.include().stream()
            .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g))
            .toList();
    this.offsets = new StateFile(dataDir.resolve("security-audit-" + name + ".json"));
    this.dataDir = dataDir;
    this.salt = salt.clone();
    this.findings = findings;
    this.scanned = scanned;
    kinds().forEach(kind -> findings.labelValues(name, kind).set(0));
    scanned.labelValues(name);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    return Background.run("caretaker-" + ctx.action(), () -> audit(ctx.dryRun()));
  }

  private Map<String, Object> audit(boolean dryRun) throws Exception {
    Map<String, Object> read = offsets.read();
    Map<String, Object> next = new LinkedHashMap<>(); // only files still there: no stale inodes
    List<Map<String, Object>> found = new ArrayList<>();
    Map<String, Long> byKind = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    long bytes = 0;
    List<PermissionAudit.Finding> permissions = new ArrayList<>();
    try {
      permissions.addAll(
          PermissionAudit.privateFiles(spec.privateFiles(), spec.owners(), spec.fix(), dryRun));
    } catch (IOException e) {
      errors.add("private: " + FileErrors.describe(e));
    }
    for (Path configured : spec.roots()) {
      try {
        Path root = FencedRoot.resolve(configured, spec.allowSystemRoot(), dataDir);
        permissions.addAll(PermissionAudit.worldWritable(root, spec.fix(), dryRun));
        for (Path file : files(root)) {
          try {
            bytes += scan(file, read, next, found, byKind);
          } catch (IOException e) {
            errors.add(file + ": " + FileErrors.describe(e));
          }
        }
      } catch (IOException e) {
        errors.add(configured + ": " + FileErrors.describe(e));
      }
    }
    permissions.forEach(p -> byKind.merge(p.kind(), 1L, Long::sum));
    if (!dryRun) {
      offsets.write(next);
      scanned.labelValues(name).inc(bytes);
      kinds().forEach(kind -> findings.labelValues(name, kind).set(0));
      byKind.forEach((kind, n) -> findings.labelValues(name, kind).set(n));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bytes_scanned", bytes);
    details.put("findings", found.size());
    details.put("by_kind", byKind);
    details.put("found", found.subList(0, Math.min(MAX_LISTED, found.size())));
    details.put(
        "permissions",
        permissions.stream().limit(MAX_LISTED).map(PermissionAudit.Finding::toMap).toList());
    if (!errors.isEmpty()) {
      details.put("errors", errors.subList(0, Math.min(20, errors.size())));
    }
    return details;
  }

  private List<String> kinds() {
    List<String> kinds = new ArrayList<>(patterns.kinds());
    kinds.addAll(PermissionAudit.KINDS);
    return kinds;
  }

  private List<Path> files(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            Path relative = root.relativize(file);
            if (attrs.isRegularFile() && include.stream().anyMatch(m -> m.matches(relative))) {
              out.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    out.sort(null);
    return out;
  }

  /**
   * Reads {@code file} from where the last run stopped (by inode; a .gz whole, once); returns the
   * bytes read.
   */
  private long scan(
      Path file,
      Map<String, Object> read,
      Map<String, Object> next,
      List<Map<String, Object>> found,
      Map<String, Long> byKind)
      throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    String key = String.valueOf(attrs.fileKey());
    long from = read.get(key) instanceof Number n ? n.longValue() : 0;
    if (from > attrs.size()) {
      from = 0; // truncated (copytruncate) or a new file on a reused inode: read it all again
    }
    boolean gz = file.getFileName().toString().endsWith(".gz");
    if (from == attrs.size() || (gz && from > 0)) {
      next.put(key, from);
      next.put(key + ":line", lineAt(read, key));
      return 0;
    }
    long skip = gz ? 0 : from;
    long number = skip == 0 ? 0 : lineAt(read, key) - 1;
    try (InputStream raw = Files.newInputStream(file)) {
      raw.skipNBytes(skip);
      InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
      byte[] buf = new byte[1 << 20];
      int held = 0; // bytes of an unfinished line at the start of buf
      for (int n; (n = in.readNBytes(buf, held, buf.length - held)) > 0 || held > 0; ) {
        int end = held + n;
        int start = 0;
        for (int i = 0; i < end; i++) {
          if (buf[i] == '\n') {
            inspect(file, ++number, buf, start, i, found, byKind);
            start = i + 1;
          }
        }
        if (n == 0) { // the end: a last line without a newline
          if (start < end) {
            inspect(file, ++number, buf, start, end, found, byKind);
          }
          break;
        }
        if (start == 0 && end == buf.length) { // a line longer than buf: read in parts
          inspect(file, number + 1, buf, 0, end, found, byKind);
          start = end;
        }
        held = end - start;
        System.arraycopy(buf, start, buf, 0, held);
      }
      next.put(key, attrs.size());
      next.put(key + ":line", number + 1);
    }
    return attrs.size() - skip;
  }

  /** One line, {@code buf[from, to)}: its secrets, each recorded without its text. */
  private void inspect(
      Path file,
      long number,
      byte[] buf,
      int from,
      int to,
      List<Map<String, Object>> found,
      Map<String, Long> byKind) {
    if (!patterns.mayHold(buf, from, to)) {
      return;
    }
    String line = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    for (SecretPatterns.Match m : patterns.find(line)) {
      String fingerprint = fingerprint(line.substring(m.start(), m.end()));
      if (spec.allow().contains(fingerprint) || spec.allow().contains(file + ":" + number)) {
        continue;
      }
      byKind.merge(m.kind(), 1L, Long::sum);
      if (found.size() < MAX_LISTED) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", file.toString());
        f.put("line", number);
        f.put("kind", m.kind());
        f.put("fingerprint", fingerprint);
        found.add(f);
      }
    }
  }

  private static long lineAt(Map<String, Object> read, String key) {
    return read.get(key + ":line") instanceof Number n ? n.longValue() : 1;
  }

  /**
   * A salted SHA-256 prefix: the same secret gives the same print; the print gives nothing back.
   */
  private String fingerprint(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      return HexFormat.of()
          .formatHex(sha.digest(secret.getBytes(StandardCharsets.ISO_8859_1)), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
