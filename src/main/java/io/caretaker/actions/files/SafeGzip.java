package io.caretaker.actions.files;

import io.caretaker.store.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Gzips a file so that nothing is ever lost, whatever happens mid-way (crash, disk full, a writer
 * appending): the compressed copy is written to {@code name.gz.tmp} and fsynced, re-read and
 * decompressed to check its length and CRC against what was read from the original, given the
 * original's mtime, published as {@code name.gz} without overwriting anything (a hard link, then
 * the temp name goes), and the directory fsynced. Only then is the original deleted, and only if
 * its size, mtime and inode, checked again right before the unlink, are still what was read: a
 * writer that appended during the verification keeps its lines (the new .gz then goes again, being
 * a proven prefix of the original). Streams with a fixed buffer: memory use does not grow with the
 * file. Compresses with {@link LibDeflate} when it is installed, else with the JDK's zlib.
 */
final class SafeGzip {
  static final String TMP_SUFFIX = ".gz.tmp";
  private static final int BUFFER = 256 * 1024;

  /** The original changed while it was being compressed; it was kept and no .gz was made. */
  static final class ChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    ChangedException(String message) {
      super(message);
    }
  }

  /** What a compression did: bytes of the original and of the .gz. */
  record Result(long originalBytes, long compressedBytes) {}

  private SafeGzip() {}

  static Result compress(Path file, int level) throws IOException {
    return compress(file, level, true);
  }

  /** {@code libdeflate} false: zlib even where libdeflate is installed (tests both). */
  static Result compress(Path file, int level, boolean libdeflate) throws IOException {
    return compress(file, level, libdeflate, () -> {});
  }

  /** {@code afterVerify} runs between the verification and the final check (tests race it). */
  // Long on purpose: the crash-safe steps in the order that makes them safe.
  static Result compress(Path file, int level, boolean libdeflate, Runnable afterVerify)
      throws IOException {
    BasicFileAttributes before =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Path target = file.resolveSibling(file.getFileName() + ".gz");
    Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return finishEarlier(file, target, before);
    }
    Checksum read;
    try {
      read = write(file, tmp, level, libdeflate);
      BasicFileAttributes after =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (after.size() != read.length()
          || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
        throw new ChangedException("changed while being compressed (still written to?); kept");
      }
      Checksum check = checksumOfGzip(tmp);
      if (!check.equals(read)) {
        throw new IOException(
            "verification failed: the compressed copy decompresses to "
                + check.length()
                + " bytes, CRC "
                + check.crc()
                + "; the original has "
                + read.length()
                + " bytes, CRC "
                + read.crc()
                + "; kept");
      }
      afterVerify.run();
      Files.setLastModifiedTime(tmp, before.lastModifiedTime());
      Files.createLink(target, tmp); // fails rather than replace an existing .gz
      Files.delete(tmp);
      AtomicFile.fsyncDirectory(file.getParent());
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    if (!unchanged(file, before, read.length())) {
      withdraw(file, target, read);
    }
    Files.delete(file);
    return new Result(read.length(), Files.size(target));
  }

  private static boolean unchanged(Path file, BasicFileAttributes before, long length)
      throws IOException {
    BasicFileAttributes now =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return now.size() == length
        && now.lastModifiedTime().equals(before.lastModifiedTime())
        && Objects.equals(now.fileKey(), before.fileKey());
  }

  /**
   * The original changed after it was read: it stays. The new .gz goes too when the original still
   * begins with exactly its bytes (nothing is lost); otherwise both stay, for a person.
   */
  private static void withdraw(Path file, Path target, Checksum read) throws IOException {
    Checksum prefix =
        checksum(BoundedInputStream.builder().setPath(file).setMaxCount(read.length()).get());
    if (prefix.equals(read)) {
      Files.delete(target);
      throw new ChangedException("changed while being compressed (still written to?); kept");
    }
    throw new ChangedException(
        "changed while being compressed and no longer begins with what"
            + " was compressed; kept both it and "
            + target.getFileName());
  }

  /**
   * A .gz already exists: a run that was stopped between publishing the .gz and deleting the
   * original left both. The original goes only if the .gz holds exactly its bytes.
   */
  private static Result finishEarlier(Path file, Path target, BasicFileAttributes attrs)
      throws IOException {
    Checksum original = checksum(Files.newInputStream(file));
    Checksum compressed;
    try {
      compressed = checksumOfGzip(target);
    } catch (IOException e) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists and is not a readable gzip; kept both");
    }
    if (!original.equals(compressed) || original.length() != attrs.size()) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists with other content; kept both");
    }
    Files.delete(file);
    return new Result(original.length(), Files.size(target));
  }

  private record Checksum(long length, long crc) {}

  /** Writes {@code tmp} with libdeflate when installed, else zlib; fsynced. */
  private static Checksum write(Path file, Path tmp, int level, boolean useLibDeflate)
      throws IOException {
    try (FileChannel src =
            FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        FileChannel dst =
            FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Optional<LibDeflate> libdeflate = useLibDeflate ? LibDeflate.open(level) : Optional.empty();
      Checksum read;
      if (libdeflate.isPresent()) {
        try (LibDeflate compressor = libdeflate.get()) {
          read = writeMembers(compressor, src, dst);
        }
      } else {
        read = writeStream(level, src, dst);
      }
      dst.force(true);
      return read;
    }
  }

  /** One gzip member per {@link LibDeflate#CHUNK} of input (at least one, for an empty file). */
  private static Checksum writeMembers(LibDeflate compressor, FileChannel src, FileChannel dst)
      throws IOException {
    CRC32 crc = new CRC32();
    long length = 0;
    ByteBuffer in = compressor.input();
    boolean more = true;
    while (more) {
      more = fill(src, in.clear());
      in.flip();
      if (in.hasRemaining() || length == 0) {
        crc.update(in.duplicate());
        length += in.remaining();
        writeFully(dst, compressor.compress(in.remaining()));
      }
    }
    return new Checksum(length, crc.getValue());
  }

  /** Reads until {@code buf} is full or the file ends; false at the end of the file. */
  private static boolean fill(FileChannel src, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (src.read(buf) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Raw deflate over direct buffers, as pigz drives zlib: about 12% faster than GZIPOutputStream
   * here. The 10-byte header and 8-byte trailer are RFC 1952's fixed form, the same bytes
   * GZIPOutputStream writes; the verification reads them back with GZIPInputStream.
   */
  private static Checksum writeStream(int level, FileChannel src, FileChannel dst)
      throws IOException {
    CRC32 crc = new CRC32();
    long length = 0;
    Deflater deflater = new Deflater(level, true);
    ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
    try {
      writeFully(dst, ByteBuffer.wrap(HEADER));
      while (true) {
        int n = src.read(in.clear());
        // Flipped even at the end: the deflater still holds this buffer, and must see it empty.
        in.flip();
        if (n < 0) {
          break;
        }
        crc.update(in.duplicate());
        length += n;
        deflater.setInput(in);
        while (!deflater.needsInput()) {
          drain(deflater, out, dst);
        }
      }
      deflater.finish();
      while (!deflater.finished()) {
        drain(deflater, out, dst);
      }
      ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      trailer.putInt((int) crc.getValue()).putInt((int) length).flip();
      writeFully(dst, trailer);
    } finally {
      deflater.end();
    }
    return new Checksum(length, crc.getValue());
  }

  /** Magic, deflate, no flags, no mtime, no extra flags, OS unknown: GZIPOutputStream's header. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};

  private static void drain(Deflater deflater, ByteBuffer out, FileChannel dst) throws IOException {
    deflater.deflate(out.clear());
    writeFully(dst, out.flip());
  }

  private static void writeFully(FileChannel dst, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      dst.write(buf);
    }
  }

  /** Decompresses the whole file; GZIPInputStream also checks the gzip trailer's CRC and size. */
  private static Checksum checksumOfGzip(Path gz) throws IOException {
    return checksum(new GZIPInputStream(Files.newInputStream(gz), BUFFER));
  }

  private static Checksum checksum(InputStream stream) throws IOException {
    CRC32 crc = new CRC32();
    long length = 0;
    try (InputStream in = stream) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
        length += n;
      }
    }
    return new Checksum(length, crc.getValue());
  }
}
