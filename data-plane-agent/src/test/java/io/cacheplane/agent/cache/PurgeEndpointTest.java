package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurgeEndpointTest {

  @TempDir
  Path dir;

  private final FakeTicker ticker = new FakeTicker();
  private final ResponseCache pages = new ResponseCache("pages", CacheConfig.defaults(), ticker, c -> { });
  private final ResponseCache secret;

  PurgeEndpointTest() {
    CachePolicySpec s = new CachePolicySpec();
    s.setSensitive(true);
    secret = new ResponseCache("secret", CacheConfig.from(s), Sealer.of(new byte[32]), ticker, c -> { });
  }

  private PurgeEndpoint endpoint(Path tokenFile) {
    Map<String, ResponseCache> all = Map.of("pages", pages, "secret", secret);
    return new PurgeEndpoint(tokenFile, all::get);
  }

  private Path token(String text) throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, text);
    return f;
  }

  private void put(ResponseCache c, String key) {
    c.put(c.storageKey(key), new CachedResponse(200, null, List.of(), Buffer.buffer("x"), 0));
  }

  @Test
  void offWithoutATokenFile() {
    PurgeEndpoint.Answer a = endpoint(null).handle("Bearer x", "pages", null, "/");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.json()).contains("off");
  }

  @Test
  void purgesByPrefixWithTheRightToken() throws Exception {
    PurgeEndpoint e = endpoint(token("s3cret\n"));
    put(pages, "GET /products/1");
    put(pages, "GET /products/2");
    put(pages, "GET /cart");
    PurgeEndpoint.Answer a = e.handle("Bearer s3cret", "pages", null, "/products/");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json()).isEqualTo("{\"cache\":\"pages\",\"purged\":2}");
    assertThat(pages.get("GET /cart")).isNotNull();
    assertThat(e.handle("bearer  s3cret ", "pages", "GET /cart", null).json()).contains("\"purged\":1");
  }

  @Test
  void refusesWrongOrMissingTokensAndBadRequests() throws Exception {
    PurgeEndpoint e = endpoint(token("s3cret"));
    put(pages, "GET /a");
    for (String auth : new String[] {null, "", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret"}) {
      assertThat(e.handle(auth, "pages", null, "/").status()).as(String.valueOf(auth)).isEqualTo(401);
    }
    assertThat(pages.get("GET /a")).isNotNull();
    assertThat(e.handle("Bearer s3cret", "pages", null, null).status()).isEqualTo(400);
    assertThat(e.handle("Bearer s3cret", "pages", "GET /a", "/").status()).isEqualTo(400);
    assertThat(e.handle("Bearer s3cret", "pages", null, "no-slash").status()).isEqualTo(400);
    assertThat(e.handle("Bearer s3cret", "nothing", null, "/").status()).isEqualTo(404);
  }

  @Test
  void aRotatedTokenIsReadOnTheNextRequestAndAnEmptyOneAuthorizesNothing() throws Exception {
    Path f = token("old");
    PurgeEndpoint e = endpoint(f);
    assertThat(e.handle("Bearer old", "pages", null, "/").status()).isEqualTo(200);
    Files.writeString(f, "new");
    assertThat(e.handle("Bearer old", "pages", null, "/").status()).isEqualTo(401);
    assertThat(e.handle("Bearer new", "pages", null, "/").status()).isEqualTo(200);
    Files.writeString(f, "  \n");
    assertThat(e.handle("Bearer ", "pages", null, "/").status()).isEqualTo(503);
    Files.delete(f);
    assertThat(e.handle("Bearer new", "pages", null, "/").status()).isEqualTo(503);
  }

  @Test
  void sensitiveCachesPurgeByExactKeyOnly() throws Exception {
    PurgeEndpoint e = endpoint(token("t"));
    put(secret, "GET /me @alice");
    PurgeEndpoint.Answer prefix = e.handle("Bearer t", "secret", null, "/me");
    assertThat(prefix.status()).isEqualTo(400);
    assertThat(prefix.json()).contains("sensitive", "exact key");
    assertThat(e.handle("Bearer t", "secret", "GET /me @alice", null).json()).contains("\"purged\":1");
    assertThat(e.handle("Bearer t", "secret", "GET /me @alice", null).json()).contains("\"purged\":0");
  }
}
