package io.cacheplane.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The upstream of the data-path benchmark: a Vert.x HTTP server answering every GET with 200 and a fixed body,
 * 16 KiB for paths starting with {@code /16k}, else 1 KiB, without Cache-Control (so the policy's and NGINX's
 * configured freshness apply). Prints {@code READY port=<port>} once listening; runs until killed.
 *
 * <p>Arguments: {@code --port N} (default 0: an ephemeral port).
 */
public final class UpstreamMain {

  private UpstreamMain() {}

  public static void main(String[] args) throws Exception {
    BenchSupport.quietLogs();
    int port = Integer.parseInt(BenchSupport.arg(args, "port", "0"));
    Buffer small = body(1024);
    Buffer large = body(16 * 1024);
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Content-Type", "application/octet-stream")
        .end(req.path().startsWith("/16k") ? large : small));
    server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.println("READY port=" + server.actualPort());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static Buffer body(int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) 'x');
    return Buffer.buffer(b);
  }
}
