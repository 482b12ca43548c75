package io.caretaker.actions.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both compressors, at the sizes where chunking could go wrong, read back by the gzip CLI. */
class SafeGzipTest {
  private static final int CHUNK = LibDeflate.CHUNK;
  private static final int[] SIZES = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 12_345};

  @TempDir Path dir;

  /** Log-like text: compressible, but not a repeat a compressor could shortcut. */
  private static byte[] log(int size) {
    Random random = new Random(size);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size + 100);
    while (out.size() < size) {
      out.writeBytes(
          ("2026-11-23T10:00:00Z INFO order "
                  + random.nextInt(1_000_000_000)
                  + " venue=X"
                  + random.nextInt(5)
                  + " qty="
                  + random.nextInt(5000)
                  + "\n")
              .getBytes());
    }
    return Arrays.copyOf(out.toByteArray(), size);
  }

  private static byte[] gunzipWithTheCli(Path gz) throws Exception {
    Process p = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as(new String(p.getErrorStream().readAllBytes())).isZero();
    return out;
  }

  @ParameterizedTest(name = "libdeflate={0}")
  @ValueSource(booleans = {true, false})
  void everySizeDecompressesToTheSameBytes(boolean libdeflate) throws Exception {
    for (int size : SIZES) {
      byte[] content = log(size);
      Path file = Files.write(dir.resolve(size + ".log"), content);

      SafeGzip.Result r = SafeGzip.compress(file, 6, libdeflate);

      Path gz = dir.resolve(size + ".log.gz");
      assertThat(file).doesNotExist();
      assertThat(gunzipWithTheCli(gz)).as("gzip -dc, %d bytes", size).isEqualTo(content);
      try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
        assertThat(in.readAllBytes()).as("GZIPInputStream, %d bytes", size).isEqualTo(content);
      }
      assertThat(r.originalBytes()).isEqualTo(size);
      assertThat(r.compressedBytes()).isEqualTo(Files.size(gz));
    }
  }

  @Test
  void libdeflateIsUsedWhereverItIsInstalled() {
    boolean installed =
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libdeflate.so.0"))
            || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libdeflate.so.0"));
    assertThat(LibDeflate.engine()).isEqualTo(installed ? "libdeflate" : "zlib");
  }

  @Test
  void chunkingCostsAlmostNoRatio() throws Exception {
    byte[] content = log(3 * CHUNK);
    Path a = Files.write(dir.resolve("a.log"), content);
    Path b = Files.write(dir.resolve("b.log"), content);
    long members = SafeGzip.compress(a, 6, true).compressedBytes();
    long stream = SafeGzip.compress(b, 6, false).compressedBytes();
    assertThat((double) members / stream)
        .as("libdeflate members / one zlib stream")
        .isLessThan(1.02);
  }

  @Test
  void linesAppendedDuringVerificationAreKeptAndTheRunSaysChanged() throws Exception {
    Path file = dir.resolve("router.log");
    byte[] before = log(3 * CHUNK);
    Files.write(file, before);
    byte[] appended = "2026-11-23T10:00:01Z INFO the line that must not be lost\n".getBytes();
    assertThatThrownBy(() -> SafeGzip.compress(file, 6, true, () -> append(file, appended)))
        .isInstanceOf(SafeGzip.ChangedException.class)
        .hasMessageContaining("kept");
    byte[] expected = Arrays.copyOf(before, before.length + appended.length);
    System.arraycopy(appended, 0, expected, before.length, appended.length);
    assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    assertThat(dir.resolve("router.log.gz")).as("the .gz of the old prefix goes").doesNotExist();
    assertThat(dir.resolve("router.log.gz.tmp")).doesNotExist();
  }

  @Test
  void aFileReplacedDuringVerificationKeepsBothCopies() throws Exception {
    Path file = dir.resolve("app.log");
    byte[] before = log(10_000);
    Files.write(file, before);
    assertThatThrownBy(
            () ->
                SafeGzip.compress(file, 6, false, () -> replace(file, "new content\n".getBytes())))
        .isInstanceOf(SafeGzip.ChangedException.class)
        .hasMessageContaining("kept both");
    assertThat(gunzipWithTheCli(dir.resolve("app.log.gz"))).isEqualTo(before);
    assertThat(Files.readString(file)).isEqualTo("new content\n");
  }

  private static void append(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void replace(Path file, byte[] bytes) {
    try {
      Path other = file.resolveSibling("other");
      Files.write(other, bytes);
      Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
