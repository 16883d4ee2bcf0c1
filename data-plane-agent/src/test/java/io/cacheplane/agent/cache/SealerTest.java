package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealerTest {

  @TempDir
  Path dir;

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed + i);
    }
    return k;
  }

  private Path file(byte[] content) throws Exception {
    Path f = Files.createTempFile(dir, "key", "");
    Files.write(f, content);
    return f;
  }

  @Test
  void keyFileRawOrBase64() throws Exception {
    Sealer raw = Sealer.fromKeyFile(file(key(1)));
    Sealer b64 = Sealer.fromKeyFile(file((Base64.getEncoder().encodeToString(key(1)) + "\n")
        .getBytes(StandardCharsets.US_ASCII)));
    Sealer url = Sealer.fromKeyFile(file(Base64.getUrlEncoder().withoutPadding().encodeToString(key(1))
        .getBytes(StandardCharsets.US_ASCII)));
    assertThat(raw.sameKey(b64)).isTrue();
    assertThat(raw.sameKey(url)).isTrue();
    assertThat(raw.hashKey("GET /a")).isEqualTo(b64.hashKey("GET /a"));
    assertThat(raw.sameKey(Sealer.of(key(2)))).isFalse();
  }

  @Test
  void badKeyFilesSayWhyWithoutTheKey() throws Exception {
    assertThatThrownBy(() -> Sealer.fromKeyFile(null)).hasMessageContaining("has none");
    assertThatThrownBy(() -> Sealer.fromKeyFile(dir.resolve("missing")))
        .hasMessageContaining("cannot read the encryption key file").hasMessageContaining("NoSuchFileException");
    assertThatThrownBy(() -> Sealer.fromKeyFile(file(new byte[16])))
        .hasMessageContaining("must hold 32 bytes, raw or base64").hasMessageContaining("16 bytes");
    String short64 = Base64.getEncoder().encodeToString(new byte[24]);
    assertThatThrownBy(() -> Sealer.fromKeyFile(file((short64 + "  \n").getBytes(StandardCharsets.US_ASCII))))
        .hasMessageContaining("base64 of 24 bytes").message().doesNotContain(short64);
    assertThatThrownBy(() -> Sealer.fromKeyFile(file(new byte[0]))).hasMessageContaining("32 bytes");
  }

  @Test
  void sealsWithAFreshNonceAndBindsTheEntryToItsKey() {
    Sealer s = Sealer.of(key(3));
    CachedResponse r = new CachedResponse(203, "Fine", List.of(Map.entry("A", "1"), Map.entry("A", "2")),
        Buffer.buffer("secret body"), 77, 5_000);
    String k = s.hashKey("GET /me @alice");
    CachedResponse one = s.seal(k, r);
    CachedResponse two = s.seal(k, r);
    assertThat(one.body()).isNotEqualTo(two.body());
    assertThat(one.body().getBytes(0, 12)).isNotEqualTo(two.body().getBytes(0, 12));
    assertThat(one.storedAtNanos()).isEqualTo(77);
    assertThat(one.lifetimeNanos()).isEqualTo(5_000);

    CachedResponse back = s.open(k, one);
    assertThat(back.status()).isEqualTo(203);
    assertThat(back.statusMessage()).isEqualTo("Fine");
    assertThat(back.headers()).containsExactly(Map.entry("A", "1"), Map.entry("A", "2"));
    assertThat(back.body().toString()).isEqualTo("secret body");

    assertThat(s.open(s.hashKey("GET /me @bob"), one)).as("moved to another key").isNull();
    assertThat(Sealer.of(key(4)).open(k, one)).as("another master key").isNull();
    byte[] tampered = one.body().getBytes();
    tampered[20] ^= 1;
    assertThat(s.open(k, new CachedResponse(0, null, List.of(), Buffer.buffer(tampered), 77, 5_000))).isNull();
  }

  @Test
  void keyHashIsKeyedAndSeparateFromEncryption() {
    Sealer a = Sealer.of(key(5));
    assertThat(a.hashKey("GET /x")).isEqualTo(a.hashKey("GET /x")).isNotEqualTo(a.hashKey("GET /y"))
        .isNotEqualTo(Sealer.of(key(6)).hashKey("GET /x"));
  }

  @Test
  void keysAreDerivedWithHkdfExpandAsRfc5869TestCase1() {
    // RFC 5869, appendix A.1: PRK and info of test case 1; the first 32 bytes of its OKM.
    byte[] prk = HexFormat.of().parseHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    byte[] info = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(HexFormat.of().formatHex(Sealer.expand(prk, info, 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }
}
