package io.caretaker.actions.files;

import java.nio.file.Path;

/** bench/compress-vs-gzip.sh: compresses one file with SafeGzip, prints MB/s and ratio. */
public final class SafeGzipMain {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int level = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    long start = System.nanoTime();
    SafeGzip.Result r = SafeGzip.compress(file, level);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "caretaker: %.1f MB/s, ratio %.2f, %.2f s%n",
        r.originalBytes() / 1e6 / seconds,
        (double) r.originalBytes() / r.compressedBytes(),
        seconds);
  }
}
