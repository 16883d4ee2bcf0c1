package io.cacheplane.kubectl;

/** An error that ends the command: {@code message} goes to stderr after {@code error: }, then exit {@code exitCode}. */
public final class CliException extends Exception {

  private final int exitCode;

  /**
   * @param exitCode one of {@link ExitCodes}
   * @param message one or more lines for the user; says what failed and, where it can, what to do
   */
  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
