package io.caretaker.actions.files;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * A log writer for rotation tests, run as a child process: appends numbered lines ("0\n", "1\n",
 * ...) to a file opened with O_APPEND, one write per line, about 100 lines a millisecond; reopens
 * the file on SIGHUP when told to; stops at SIGTERM and prints the count of lines written.
 *
 * <p>args: FILE PIDFILE reopen|ignore
 */
public final class LogWriterMain {
  private LogWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    boolean reopen = args[2].equals("reopen");
    AtomicBoolean hup = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    Signal.handle(new Signal("HUP"), s -> hup.set(reopen));
    Signal.handle(new Signal("TERM"), s -> running.set(false));
    FileOutputStream out = new FileOutputStream(file.toFile(), true);
    Files.writeString(Path.of(args[1]), Long.toString(ProcessHandle.current().pid()));
    long n = 0;
    while (running.get()) {
      if (hup.getAndSet(false)) {
        out.close();
        out = new FileOutputStream(file.toFile(), true);
      }
      out.write((n++ + "\n").getBytes(StandardCharsets.US_ASCII));
      if (n % 100 == 0) {
        pause();
      }
    }
    out.close();
    System.out.println(n);
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
  }
}
