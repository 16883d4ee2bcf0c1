package io.cacheplane.agent.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** Reads a whole body into memory, up to a limit. */
final class Bodies {

  private Bodies() {}

  /** The body was longer than allowed. */
  static final class TooLargeException extends RuntimeException {
    TooLargeException(long max) {
      super("body larger than " + max + " bytes", null, false, false);
    }
  }

  /**
   * Collects {@code stream} until its end. Must be called before the stream emits (in the handler that received
   * it).
   *
   * @param max largest accepted body, bytes
   * @return the body, or a failure: {@link TooLargeException} past {@code max} (the rest is read and discarded), or
   *     the stream's own error
   */
  static Future<Buffer> collect(ReadStream<Buffer> stream, long max) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    stream.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      if ((long) body.length() + chunk.length() > max) {
        done.tryFail(new TooLargeException(max));
      } else {
        body.appendBuffer(chunk);
      }
    });
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(v -> done.tryComplete(body));
    return done.future();
  }
}
