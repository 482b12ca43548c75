package io.caretaker.actions.files;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.Progress;
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
import java.nio.file.LinkOption;
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
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.io.input.BoundedInputStream;

// One file on purpose: the walk, the incremental scan and the redaction share one run's state.
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
  private final ScanState state;
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
    this.state =
        new ScanState(new StateFile(dataDir.resolve("security-audit-" + name + ".json")), salt);
    this.dataDir = dataDir;
    this.salt = salt.clone();
    this.findings = findings;
    this.scanned = scanned;
    kinds().forEach(kind -> findings.labelValues(name, kind).set(0));
    scanned.labelValues(name);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    return Background.run("caretaker-" + ctx.action(), () -> audit(ctx.dryRun(), ctx.progress()));
  }

  private Map<String, Object> audit(boolean dryRun, Progress progress) throws Exception {
    state.load();
    Run run = new Run();
    List<PermissionAudit.Finding> permissions = new ArrayList<>();
    try {
      permissions.addAll(
          PermissionAudit.privateFiles(spec.privateFiles(), spec.owners(), spec.fix(), dryRun));
    } catch (IOException e) {
      run.errors.add("private: " + FileErrors.describe(e));
    }
    for (Path configured : spec.roots()) {
      try {
        Path root = FencedRoot.resolve(configured, spec.allowSystemRoot(), dataDir);
        permissions.addAll(PermissionAudit.worldWritable(root, spec.fix(), dryRun));
        List<Path> files = files(root, run);
        progress.add("files_total", files.size());
        for (Path file : files) {
          try {
            run.bytes += scan(file, run);
            progress.add("files_done", 1);
            progress.set("bytes_read", run.bytes);
          } catch (IOException e) {
            run.errors.add(file + ": " + FileErrors.describe(e));
          }
        }
      } catch (IOException e) {
        run.errors.add(configured + ": " + FileErrors.describe(e));
      }
    }
    if (spec.redact()) {
      redact(run, dryRun);
    }
    permissions.forEach(p -> run.byKind.merge(p.kind(), 1L, Long::sum));
    if (!dryRun) {
      state.save();
      scanned.labelValues(name).inc(run.bytes);
      kinds().forEach(kind -> findings.labelValues(name, kind).set(0));
      run.byKind.forEach((kind, n) -> findings.labelValues(name, kind).set(n));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bytes_scanned", run.bytes);
    details.put("findings", run.found.size());
    details.put("by_kind", run.byKind);
    details.put("found", run.found.subList(0, Math.min(MAX_LISTED, run.found.size())));
    details.put(
        "permissions",
        permissions.stream().limit(MAX_LISTED).map(PermissionAudit.Finding::toMap).toList());
    if (spec.redact()) {
      details.put(dryRun ? "would_redact" : "redacted", run.redacted);
    }
    if (!run.errors.isEmpty()) {
      details.put("errors", run.errors.subList(0, Math.min(20, run.errors.size())));
    }
    return details;
  }

  /** What one run found and did, as it goes. */
  private static final class Run {
    final List<Map<String, Object>> found = new ArrayList<>();
    final Map<String, Long> byKind = new TreeMap<>();
    final List<String> errors = new ArrayList<>();
    final Map<Path, String> inodes = new LinkedHashMap<>();
    final List<String> redacted = new ArrayList<>();
    final List<Path> leftovers = new ArrayList<>(); // of a redaction a crash stopped
    long bytes;
  }

  /**
   * Rotated files holding secrets not yet masked (found by this run or an earlier one) are
   * rewritten masked; the new file is recorded as read, so it is not scanned again.
   */
  private void redact(Run run, boolean dryRun) {
    for (Path leftover : dryRun ? List.<Path>of() : run.leftovers) {
      try {
        Files.deleteIfExists(leftover); // the original it was made from is still whole
      } catch (IOException e) {
        run.errors.add(leftover + ": " + FileErrors.describe(e));
      }
    }
    SecretRedaction redaction =
        new SecretRedaction(patterns, (file, line, secret) -> allowed(file, line, secret));
    for (Map.Entry<Path, String> e : run.inodes.entrySet()) {
      Path file = e.getKey();
      ScanState.Seen seen = state.current().get(e.getValue());
      if (seen == null || seen.secrets() == 0 || !SecretRedaction.rotated(file)) {
        continue;
      }
      if (dryRun) {
        run.redacted.add(file.toString());
        continue;
      }
      try {
        SecretRedaction.Rewritten done = redaction.rewrite(file);
        state.current().remove(e.getValue());
        state.put(
            inode(file),
            new ScanState.Seen(
                done.bytes(), done.lines() + 1, 0, printOf(done.head()), printOf(done.tail())));
        run.redacted.add(file.toString());
      } catch (IOException ex) {
        run.errors.add(file + ": redact: " + FileErrors.describe(ex));
      }
    }
  }

  private String printOf(byte[] window) {
    return window == null ? "" : state.print(window, window.length);
  }

  private static String inode(Path file) throws IOException {
    return String.valueOf(
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
  }

  private List<String> kinds() {
    List<String> kinds = new ArrayList<>(patterns.kinds());
    kinds.addAll(PermissionAudit.KINDS);
    return kinds;
  }

  private List<Path> files(Path root, Run run) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            Path relative = root.relativize(file);
            if (file.getFileName().toString().endsWith(SecretRedaction.TMP_SUFFIX)) {
              run.leftovers.add(file);
            }
            if (attrs.isRegularFile()
                && !inProgress(file)
                && include.stream().anyMatch(m -> m.matches(relative))) {
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

  /** A copy being written by a compression or a redaction: read once it is published. */
  private static boolean inProgress(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(SafeGzip.TMP_SUFFIX) || name.endsWith(SecretRedaction.TMP_SUFFIX);
  }

  /**
   * Reads {@code file} from where the last run stopped: by inode, or, for a file under a new inode,
   * by its content when it is a copy of one read before (a .gz is never appended to, so one read is
   * enough); returns the bytes read.
   */
  // Long on purpose: one pass over the bytes, lines split in place, the record kept as it goes.
  private long scan(Path file, Run run) throws IOException {
    BasicFileAttributes attrs =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String inode = String.valueOf(attrs.fileKey());
    run.inodes.put(file, inode);
    boolean gz = file.getFileName().toString().endsWith(".gz");
    ScanState.Seen seen = state.before(inode).orElse(ScanState.Seen.NOTHING);
    if (!gz && seen.offset() > attrs.size()) {
      seen = ScanState.Seen.NOTHING; // truncated (copytruncate) or a reused inode: read it again
    }
    if (seen.offset() > 0 && (gz || seen.offset() == attrs.size())) {
      state.put(inode, seen);
      return 0;
    }
    InputStream in = open(file, gz, attrs.size());
    try {
      ScanState.Tail tail = new ScanState.Tail();
      if (seen.offset() == 0) {
        Optional<ScanState.Seen> copy = state.recognise(in, tail);
        if (copy.isPresent()) {
          seen = copy.get(); // a copy of what was read: in stands where that read stopped
        } else {
          in.close();
          in = open(file, gz, attrs.size());
        }
      } else {
        in.skipNBytes(Math.max(0, seen.offset() - ScanState.WINDOW)); // the tail's window
        byte[] window = in.readNBytes((int) Math.min(seen.offset(), ScanState.WINDOW));
        tail.add(window, 0, window.length);
      }
      long number = seen.line() - 1;
      long secrets = seen.secrets();
      long read = 0;
      String head = seen.head();
      byte[] buf = new byte[1 << 20];
      int held = 0; // bytes of an unfinished line at the start of buf
      for (int n; (n = in.readNBytes(buf, held, buf.length - held)) > 0 || held > 0; ) {
        if (read == 0 && seen.offset() == 0 && held + n >= ScanState.WINDOW) {
          head = state.print(buf, ScanState.WINDOW);
        }
        tail.add(buf, held, held + n);
        read += n;
        int end = held + n;
        int start = 0;
        for (int i = 0; i < end; i++) {
          if (buf[i] == '\n') {
            secrets += inspect(file, ++number, buf, start, i, run);
            start = i + 1;
          }
        }
        if (n == 0) { // the end: a last line without a newline
          if (start < end) {
            secrets += inspect(file, ++number, buf, start, end, run);
          }
          break;
        }
        if (start == 0 && end == buf.length) { // a line longer than buf: read in parts
          secrets += inspect(file, number + 1, buf, 0, end, run);
          start = end;
        }
        held = end - start;
        System.arraycopy(buf, start, buf, 0, held);
      }
      byte[] last = tail.window();
      state.put(
          inode,
          new ScanState.Seen(
              seen.offset() + read, number + 1, secrets, head, last == null ? "" : printOf(last)));
      return read;
    } finally {
      in.close();
    }
  }

  /** The file's text: a .gz decompressed, a plain file up to the size it had when listed. */
  private static InputStream open(Path file, boolean gz, long size) throws IOException {
    InputStream raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    return gz
        ? new GZIPInputStream(raw, 1 << 16)
        : BoundedInputStream.builder().setInputStream(raw).setMaxCount(size).get();
  }

  /** One line, {@code buf[from, to)}: its secrets, each recorded without its text. */
  private int inspect(Path file, long number, byte[] buf, int from, int to, Run run) {
    if (!patterns.mayHold(buf, from, to)) {
      return 0;
    }
    String line = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    int secrets = 0;
    for (SecretPatterns.Match m : patterns.find(line)) {
      String secret = line.substring(m.start(), m.end());
      if (allowed(file, number, secret)) {
        continue;
      }
      String fingerprint = fingerprint(secret);
      secrets++;
      run.byKind.merge(m.kind(), 1L, Long::sum);
      if (run.found.size() < MAX_LISTED) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", file.toString());
        f.put("line", number);
        f.put("kind", m.kind());
        f.put("fingerprint", fingerprint);
        run.found.add(f);
      }
    }
    return secrets;
  }

  private boolean allowed(Path file, long number, String secret) {
    return spec.allow().contains(file + ":" + number) || spec.allow().contains(fingerprint(secret));
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
