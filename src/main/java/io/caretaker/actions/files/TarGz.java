package io.caretaker.actions.files;

import io.caretaker.actions.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * tar.gz archives through Apache Commons Compress: written with a manifest of every entry's size
 * and CRC, and verified by reading the whole archive back (gzip CRC and length, entry count, each
 * entry's size and content CRC). Entry names are the absolute paths without the leading '/', as tar
 * writes them; symlinks are stored as links, never followed.
 */
final class TarGz {
  private static final int BUFFER = 256 * 1024;

  /** An entry's size and content CRC (directories and links: 0, 0). */
  record Entry(long size, long crc) {}

  private TarGz() {}

  /** Archives {@code sources} into {@code archive} (created new, fsynced); returns the manifest. */
  static Map<String, Entry> write(List<Path> sources, Path archive, int level, Progress progress)
      throws IOException {
    Map<String, Entry> manifest = new LinkedHashMap<>();
    GzipParameters gzip = new GzipParameters();
    gzip.setCompressionLevel(level);
    try (FileChannel channel =
            FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream file = Channels.newOutputStream(channel);
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(new GzipCompressorOutputStream(file, gzip))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Path source : sources) {
        add(tar, source.toAbsolutePath().normalize(), manifest, progress);
      }
      tar.finish();
      tar.flush();
      channel.force(true);
    }
    return manifest;
  }

  private static void add(
      TarArchiveOutputStream tar, Path source, Map<String, Entry> manifest, Progress progress)
      throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            tar.putArchiveEntry(entry(dir, name(dir)));
            tar.closeArchiveEntry();
            manifest.put(name(dir) + "/", new Entry(0, 0));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isSymbolicLink()) {
              TarArchiveEntry link = new TarArchiveEntry(name(file), TarArchiveEntry.LF_SYMLINK);
              link.setLinkName(Files.readSymbolicLink(file).toString());
              tar.putArchiveEntry(link);
              tar.closeArchiveEntry();
              manifest.put(name(file), new Entry(0, 0));
            } else if (attrs.isRegularFile()) {
              manifest.put(name(file), copy(tar, file, attrs, progress));
              progress.add("files_done", 1);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            throw e; // a backup that silently misses a file is not a backup
          }
        });
  }

  /**
   * An entry with the file's mode, owner and modification time only: commons-compress would also
   * write its creation time as a LIBARCHIVE.creationtime PAX header, which GNU tar warns about on
   * every file of a restore, and access and change times, which no restore needs.
   */
  private static TarArchiveEntry entry(Path file, String name) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(file, name, LinkOption.NOFOLLOW_LINKS);
    entry.setCreationTime(null);
    entry.setLastAccessTime(null);
    entry.setStatusChangeTime(null);
    return entry;
  }

  private static Entry copy(
      TarArchiveOutputStream tar, Path file, BasicFileAttributes attrs, Progress progress)
      throws IOException {
    TarArchiveEntry entry = entry(file, name(file));
    entry.setSize(attrs.size());
    tar.putArchiveEntry(entry);
    CRC32 crc = new CRC32();
    long copied = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[BUFFER];
      for (int n;
          copied < attrs.size()
              && (n = in.read(buf, 0, (int) Math.min(buf.length, attrs.size() - copied))) > 0; ) {
        tar.write(buf, 0, n);
        crc.update(buf, 0, n);
        copied += n;
        progress.add("bytes_read", n);
      }
      if (copied != attrs.size() || in.read() >= 0) {
        throw new IOException(file + " changed size while being archived; try again");
      }
    }
    tar.closeArchiveEntry();
    return new Entry(copied, crc.getValue());
  }

  /** Reads the whole archive; its manifest, or an IOException saying what is wrong. */
  static Map<String, Entry> read(Path archive) throws IOException {
    Map<String, Entry> manifest = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GzipCompressorInputStream(Files.newInputStream(archive), true))) {
      byte[] buf = new byte[BUFFER];
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        CRC32 crc = new CRC32();
        long size = 0;
        for (int n; (n = tar.read(buf)) > 0; ) {
          crc.update(buf, 0, n);
          size += n;
        }
        if (size != e.getSize()) {
          throw new IOException(e.getName() + ": " + size + " bytes, header says " + e.getSize());
        }
        String name =
            e.isDirectory() && !e.getName().endsWith("/") ? e.getName() + "/" : e.getName();
        manifest.put(name, e.isFile() ? new Entry(size, crc.getValue()) : new Entry(0, 0));
      }
    }
    return manifest;
  }

  private static String name(Path path) {
    return path.toString().substring(1);
  }
}
