package io.cacheplane.agent.cache;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Keeps the entries of a {@code sensitive} cache unreadable in memory (heap dumps, debuggers): values are encrypted
 * with AES-256-GCM and keys replaced by their HMAC-SHA256, both with the JDK's {@code javax.crypto}.
 * <ul>
 *   <li>the file holds a 32-byte master key, raw (exactly 32 bytes) or base64 (standard or URL-safe alphabet,
 *       surrounding whitespace ignored);
 *   <li>two keys are derived from it with HKDF-Expand (RFC 5869, section 2.3, SHA-256, the master key as PRK; Bouncy
 *       Castle's implementation):
 *       {@code "cacheplane cache encryption"} for AES-GCM and {@code "cacheplane cache key hmac"} for the key hash, so
 *       neither use weakens the other;
 *   <li>each entry gets a fresh random 96-bit nonce (NIST SP 800-38D, section 8.2.2) and a 128-bit tag; the
 *       hashed key is the additional authenticated data, so an entry cannot be moved to another key;
 *   <li>the stored form is a {@link CachedResponse} with status 0, no headers and {@code nonce || ciphertext} as
 *       body; {@code storedAtNanos} and {@code lifetimeNanos} stay in clear (freshness needs them).
 * </ul>
 * Thread-safe.
 */
public final class Sealer {

  /** Bytes of the master key. */
  public static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec encryption;
  private final SecretKeySpec hmac;
  private final byte[] fingerprint;

  private Sealer(byte[] master) {
    this.encryption = new SecretKeySpec(expand(master, "cacheplane cache encryption"), "AES");
    this.hmac = new SecretKeySpec(expand(master, "cacheplane cache key hmac"), "HmacSHA256");
    this.fingerprint = expand(master, "cacheplane key fingerprint");
  }

  /**
   * Reads the master key from {@code file}.
   *
   * @throws IllegalArgumentException with a message naming the problem (no file configured, unreadable, wrong
   *     length); never contains key material
   */
  public static Sealer fromKeyFile(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("sensitive caches need the agent's encryption key file "
          + "(cacheplane.agent.encryption-key-file), and this agent has none");
    }
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the encryption key file " + file + ": "
          + e.getClass().getSimpleName());
    }
    try {
      return new Sealer(masterKey(raw));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** A sealer over a 32-byte master key (tests). */
  public static Sealer of(byte[] master) {
    if (master.length != KEY_BYTES) {
      throw new IllegalArgumentException("the encryption key must be " + KEY_BYTES + " bytes");
    }
    return new Sealer(master.clone());
  }

  /** The master key in a file's bytes: 32 raw bytes, or base64 of 32 bytes. */
  static byte[] masterKey(byte[] file) {
    if (file.length == KEY_BYTES) {
      return file.clone();
    }
    String text = new String(file, StandardCharsets.US_ASCII).strip();
    byte[] decoded = null;
    for (Base64.Decoder d : List.of(Base64.getDecoder(), Base64.getUrlDecoder())) {
      try {
        decoded = d.decode(text);
        break;
      } catch (IllegalArgumentException e) {
        // try the other alphabet
      }
    }
    if (decoded == null || decoded.length != KEY_BYTES) {
      throw new IllegalArgumentException("the encryption key file must hold " + KEY_BYTES
          + " bytes, raw or base64 (it holds " + file.length + " bytes"
          + (decoded == null ? ", not base64)" : ", base64 of " + decoded.length + " bytes)"));
    }
    return decoded;
  }

  /** Whether both sealers use the same master key (compared in constant time). */
  public boolean sameKey(Sealer other) {
    return other != null && MessageDigest.isEqual(fingerprint, other.fingerprint);
  }

  /** HMAC-SHA256 of {@code key}, base64url without padding (43 characters). */
  public String hashKey(String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(hmac);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(key.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Encrypts {@code r} for storage under {@code hashedKey}. */
  public CachedResponse seal(String hashedKey, CachedResponse r) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, encryption, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(hashedKey.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(serialize(r));
      Buffer body = Buffer.buffer(NONCE_BYTES + sealed.length).appendBytes(nonce).appendBytes(sealed);
      return new CachedResponse(0, null, List.of(), body, r.storedAtNanos(), r.lifetimeNanos());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts an entry made by {@link #seal} under the same hashed key.
   *
   * @return the response, or {@code null} when it does not authenticate (another key, tampering)
   */
  public CachedResponse open(String hashedKey, CachedResponse sealed) {
    byte[] all = sealed.body().getBytes();
    if (all.length < NONCE_BYTES) {
      return null;
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, encryption, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      c.updateAAD(hashedKey.getBytes(StandardCharsets.UTF_8));
      byte[] plain = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return deserialize(plain, sealed.storedAtNanos(), sealed.lifetimeNanos());
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] expand(byte[] prk, String info) {
    return expand(prk, info.getBytes(StandardCharsets.UTF_8), KEY_BYTES);
  }

  /**
   * HKDF-Expand with SHA-256 (RFC 5869, section 2.3), Bouncy Castle's {@link HKDFBytesGenerator} with the extract step
   * skipped: {@code prk} is already a uniformly random key.
   *
   * @param prk the pseudorandom key, ≥ 32 bytes
   * @param info the context
   * @param length bytes of output, ≤ 255 × 32
   * @return the output keying material
   */
  static byte[] expand(byte[] prk, byte[] info, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
    hkdf.init(HKDFParameters.skipExtractParameters(prk, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  private static byte[] serialize(CachedResponse r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.weight());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(r.status());
      writeString(out, r.statusMessage());
      out.writeInt(r.headers().size());
      for (Map.Entry<String, String> h : r.headers()) {
        writeString(out, h.getKey());
        writeString(out, h.getValue());
      }
      byte[] body = r.body().getBytes();
      out.writeInt(body.length);
      out.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static CachedResponse deserialize(byte[] plain, long storedAt, long lifetime) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
      int status = in.readInt();
      String message = readString(in);
      int n = in.readInt();
      List<Map.Entry<String, String>> headers = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        headers.add(Map.entry(readString(in), readString(in)));
      }
      byte[] body = new byte[in.readInt()];
      in.readFully(body);
      return new CachedResponse(status, message, headers, Buffer.buffer(body), storedAt, lifetime);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
