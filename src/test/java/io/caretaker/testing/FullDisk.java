package io.caretaker.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real full filesystem: a 64 KiB tmpfs mounted on a temp directory and filled up. Needs root
 * (tests that use it are skipped, with the reason, elsewhere); unmounted on close.
 */
public final class FullDisk implements AutoCloseable {
  private final Path mount;

  private FullDisk(Path mount) {
    this.mount = mount;
  }

  public static FullDisk at(Path mount) throws Exception {
    Files.createDirectories(mount);
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs here (root needed): " + output);
    FullDisk disk = new FullDisk(mount);
    disk.fill();
    return disk;
  }

  public Path path() {
    return mount;
  }

  private void fill() throws IOException {
    try (OutputStream out = Files.newOutputStream(mount.resolve("filler"))) {
      byte[] block = new byte[1024];
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // the disk is full now
    }
  }

  @Override
  public void close() throws Exception {
    new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
  }
}
