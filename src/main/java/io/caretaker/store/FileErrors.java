package io.caretaker.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** File errors in words an operator reads in a run record: "disk full (...)", not a class name. */
public final class FileErrors {
  private FileErrors() {}

  public static String describe(Exception e) {
    String kind =
        e instanceof AccessDeniedException
            ? "permission denied"
            : e instanceof NoSuchFileException
                ? "vanished"
                : e.getMessage() != null && e.getMessage().contains("No space left")
                    ? "disk full"
                    : e.getClass().getSimpleName();
    return e.getMessage() == null ? kind : kind + " (" + e.getMessage() + ")";
  }
}
