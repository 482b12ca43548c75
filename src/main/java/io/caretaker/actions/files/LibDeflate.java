package io.caretaker.actions.files;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libdeflate's gzip compressor, through JNA (which OSHI already brings). At the same level it
 * compresses about twice as fast as zlib, on one thread, to a slightly smaller file. It works on
 * whole buffers, so a file is compressed as a series of {@link #CHUNK}-sized gzip members: one
 * valid .gz (RFC 1952 allows members back to back; gzip, zcat and Java's GZIPInputStream read them
 * all) whose memory use does not grow with the file. Debian's {@code libdeflate0}; when it is
 * missing, {@link SafeGzip} uses the JDK's zlib.
 */
final class LibDeflate implements AutoCloseable {
  /**
   * Input per gzip member. Each member starts without history; at 4 MiB that costs far less than
   * libdeflate gains over zlib (the bench log: 8.6% smaller than gzip -6's one stream).
   */
  static final int CHUNK = 4 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(LibDeflate.class);

  /** The calls used, from libdeflate.h. size_t is a Java long: LP64 Linux only, checked. */
  interface Api extends Library {
    Pointer libdeflate_alloc_compressor(int level);

    long libdeflate_gzip_compress_bound(Pointer compressor, long inBytes);

    long libdeflate_gzip_compress(
        Pointer compressor, Pointer in, long inBytes, Pointer out, long outAvailable);

    void libdeflate_free_compressor(Pointer compressor);
  }

  private static final Api API = load();

  private final Pointer compressor;
  private final Memory in;
  private final Memory out;

  private LibDeflate(Pointer compressor, long outBytes) {
    this.compressor = compressor;
    this.in = new Memory(CHUNK);
    this.out = new Memory(outBytes);
  }

  private static Api load() {
    if (Native.SIZE_T_SIZE != Long.BYTES) {
      return null;
    }
    try {
      return Native.load("libdeflate.so.0", Api.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      log.info(
          "libdeflate not found ({}); compressing with zlib, about half as fast "
              + "(apt-get install libdeflate0)",
          e.getMessage());
      return null;
    }
  }

  /** A compressor at {@code level}, or empty when libdeflate is not installed. */
  static Optional<LibDeflate> open(int level) throws IOException {
    if (API == null) {
      return Optional.empty();
    }
    Pointer c = API.libdeflate_alloc_compressor(level);
    if (c == null) {
      throw new IOException("libdeflate could not allocate a compressor at level " + level);
    }
    return Optional.of(new LibDeflate(c, API.libdeflate_gzip_compress_bound(c, CHUNK)));
  }

  /** The name reported in a run's figures. */
  static String engine() {
    return API == null ? "zlib" : "libdeflate";
  }

  /** Where the next member's input goes: a direct buffer of {@link #CHUNK} bytes. */
  ByteBuffer input() {
    return in.getByteBuffer(0, CHUNK);
  }

  /** Compresses the first {@code bytes} of {@link #input()} into one gzip member. */
  ByteBuffer compress(int bytes) throws IOException {
    long n = API.libdeflate_gzip_compress(compressor, in, bytes, out, out.size());
    if (n == 0) {
      throw new IOException("libdeflate: output larger than its own bound");
    }
    return out.getByteBuffer(0, n);
  }

  @Override
  public void close() {
    API.libdeflate_free_compressor(compressor);
    in.close();
    out.close();
  }
}
