package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CacheKeysTest {

  private static final KeyRecipe RECIPE = KeyRecipe.of(List.of("size", "page"), List.of("Accept-Language"));

  private static Function<String, List<String>> headers(Map<String, List<String>> h) {
    Map<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(h);
    return name -> ci.getOrDefault(name, List.of());
  }

  private static String key(String method, String path, String query, Map<String, List<String>> h) {
    return CacheKeys.key(RECIPE, method, path, query, headers(h));
  }

  static Stream<Arguments> equivalent() {
    return Stream.of(
        Arguments.of("parameter order", "page=1&size=2", "size=2&page=1", Map.of(), Map.of()),
        Arguments.of("non-listed parameters ignored", "page=1&utm_source=x&session=abc", "page=1", Map.of(), Map.of()),
        Arguments.of("percent-encoding of values", "page=%31", "page=1", Map.of(), Map.of()),
        Arguments.of("header name case", "page=1", "page=1",
            Map.of("accept-language", List.of("fr")), Map.of("ACCEPT-LANGUAGE", List.of("fr"))),
        Arguments.of("non-listed headers ignored", "", "",
            Map.of("User-Agent", List.of("curl")), Map.of("Cookie", List.of("a=b"))),
        Arguments.of("empty and missing query", "", null, Map.of(), Map.of()),
        Arguments.of("repeated values sorted by value", "page=1&page=2", "page=2&page=1", Map.of(), Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("equivalent")
  void equivalentRequestsShareAKey(String why, String q1, String q2, Map<String, List<String>> h1,
      Map<String, List<String>> h2) {
    assertThat(key("GET", "/p", q1, h1)).isEqualTo(key("GET", "/p", q2, h2));
  }

  static Stream<Arguments> different() {
    return Stream.of(
        Arguments.of("listed parameter value", "page=1", "page=2", Map.of(), Map.of()),
        Arguments.of("listed parameter present or absent", "page=1", "", Map.of(), Map.of()),
        Arguments.of("listed header value", "", "",
            Map.of("Accept-Language", List.of("fr")), Map.of("Accept-Language", List.of("de"))),
        Arguments.of("listed header absent or empty", "", "", Map.of(), Map.of("Accept-Language", List.of(""))),
        Arguments.of("separator inside a value cannot collide", "page=1%26size%3D2", "page=1&size=2", Map.of(), Map.of()),
        Arguments.of("comma inside a header value cannot collide", "", "",
            Map.of("Accept-Language", List.of("fr,de")), Map.of("Accept-Language", List.of("fr", "de"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("different")
  void differentRequestsGetDifferentKeys(String why, String q1, String q2, Map<String, List<String>> h1,
      Map<String, List<String>> h2) {
    assertThat(key("GET", "/p", q1, h1)).isNotEqualTo(key("GET", "/p", q2, h2));
  }

  @Test
  void methodAndPathAreAlwaysPartOfTheKey() {
    assertThat(key("GET", "/p", null, Map.of())).isNotEqualTo(key("HEAD", "/p", null, Map.of()));
    assertThat(key("get", "/p", null, Map.of())).isEqualTo(key("GET", "/p", null, Map.of()));
    assertThat(key("GET", "/p", null, Map.of())).isNotEqualTo(key("GET", "/q", null, Map.of()));
  }

  @Test
  void keyShape() {
    assertThat(key("get", "/p", "size=2&x=1&page=1", Map.of("accept-language", List.of("fr-CH"))))
        .isEqualTo("GET /p?page=1&size=2 accept-language=fr-CH");
    assertThat(CacheKeys.key(KeyRecipe.of(null, null), "GET", "/p", "page=1", headers(Map.of())))
        .isEqualTo("GET /p");
  }

  // --- host, path folding and scope ---

  private static final KeyRecipe FOLDING = KeyRecipe.of(List.of("page"), List.of(), true, true, true);

  private static String folded(String host, boolean https, String path, String query, String scope) {
    return CacheKeys.key(FOLDING, "GET", host, https, path, query, headers(Map.of()), scope);
  }

  static Stream<Arguments> foldedEquivalent() {
    return Stream.of(
        Arguments.of("host case", "Shop.Example", false, "/p", "shop.example", false, "/p"),
        Arguments.of("default http port", "shop.example:80", false, "/p", "shop.example", false, "/p"),
        Arguments.of("default https port", "shop.example:443", true, "/p", "shop.example", true, "/p"),
        Arguments.of("slashes merged", "h", false, "//a///b/", "h", false, "/a/b/"),
        Arguments.of("path lower-cased", "h", false, "/Products/ABC", "h", false, "/products/abc"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foldedEquivalent")
  void foldingSharesAKey(String why, String h1, boolean s1, String p1, String h2, boolean s2, String p2) {
    assertThat(folded(h1, s1, p1, "page=1", null)).isEqualTo(folded(h2, s2, p2, "page=1", null));
  }

  @Test
  void foldingKeepsWhatDiffers() {
    assertThat(folded("a.example", false, "/p", null, null)).isNotEqualTo(folded("b.example", false, "/p", null, null));
    assertThat(folded("h:8080", false, "/p", null, null)).isNotEqualTo(folded("h", false, "/p", null, null));
    assertThat(folded("h:443", false, "/p", null, null)).as("443 is not the http default")
        .isNotEqualTo(folded("h", false, "/p", null, null));
    assertThat(folded("h", false, "/p", null, "tenant-a")).isNotEqualTo(folded("h", false, "/p", null, "tenant-b"));
    assertThat(folded("h", false, "/p", null, "a")).isNotEqualTo(folded("h", false, "/p", null, null));
    KeyRecipe keepCase = KeyRecipe.of(null, null, false, false, false);
    assertThat(CacheKeys.key(keepCase, "GET", "/A//b", null, headers(Map.of())))
        .isNotEqualTo(CacheKeys.key(keepCase, "GET", "/a/b", null, headers(Map.of())));
    assertThat(KeyRecipe.of(null, null).mergeSlashes()).as("CRD default").isTrue();
  }

  @Test
  void pathOfReadsThePathBackForPurges() {
    assertThat(CacheKeys.pathOf(folded("Shop.example:80", false, "/A//b", "page=2", "t"))).isEqualTo("/a/b");
    assertThat(CacheKeys.pathOf(folded(null, false, "/x", null, null))).isEqualTo("/x");
    assertThat(CacheKeys.pathOf(folded("evil/host", false, "/x", null, null))).as("host is encoded").isEqualTo("/x");
    assertThat(CacheKeys.pathOf(key("GET", "/p/q", "page=1", Map.of("Accept-Language", List.of("fr")))))
        .isEqualTo("/p/q");
    assertThat(CacheKeys.pathOf("garbage")).isNull();
  }

  // --- property: equivalent spellings of one request share a key; listed values that differ never do ---

  record Spelling(String host, boolean https, String path, List<Map.Entry<String, String>> params) {}

  @Provide
  Arbitrary<Spelling> spellings() {
    Arbitrary<String> host = Arbitraries.of("shop.example", "api.example", "10.0.0.1");
    Arbitrary<String> segment = Arbitraries.strings().withCharRange('a', 'z').withChars('A', 'Z', '-').ofMinLength(1)
        .ofMaxLength(6);
    Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(4).map(l -> "/" + String.join("/", l));
    Arbitrary<Map.Entry<String, String>> pair = Combinators.combine(Arbitraries.of("page", "utm", "session"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(6)).as(Map::entry);
    return Combinators.combine(host, Arbitraries.of(true, false), path, pair.list().ofMaxSize(5)).as(Spelling::new);
  }

  @Property(tries = 300)
  void equivalentSpellingsShareOneKey(@ForAll("spellings") Spelling s, @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    String original = folded(s.host(), s.https(), s.path(), query(s.params()), null);
    // another spelling: host case and default port, doubled slashes, path case, parameter order, noise parameters
    String host = (random.nextBoolean() ? s.host().toUpperCase() : s.host()) + (s.https() ? ":443" : ":80");
    String path = s.path().replace("/", random.nextBoolean() ? "//" : "/");
    path = random.nextBoolean() ? path.toUpperCase() : path.toLowerCase();
    List<Map.Entry<String, String>> params = new ArrayList<>(s.params());
    Collections.shuffle(params, random);
    params.add(Map.entry("utm", "noise" + seed));
    assertThat(folded(host, s.https(), path, query(params), null)).isEqualTo(original);
  }

  @Property(tries = 300)
  void differentListedValuesGiveDifferentKeys(@ForAll("spellings") Spelling s,
      @ForAll @CharRange(from = ' ', to = '\uD7FF') @StringLength(max = 8) String a,
      @ForAll @CharRange(from = ' ', to = '\uD7FF') @StringLength(max = 8) String b) {
    net.jqwik.api.Assume.that(!a.equals(b));
    List<Map.Entry<String, String>> withA = new ArrayList<>(s.params());
    withA.add(Map.entry("page", a));
    List<Map.Entry<String, String>> withB = new ArrayList<>(s.params());
    withB.add(Map.entry("page", b));
    assertThat(folded(s.host(), s.https(), s.path(), query(withA), null))
        .isNotEqualTo(folded(s.host(), s.https(), s.path(), query(withB), null));
  }

  // --- property: reordering, adding non-listed parameters and changing header-name case never change the key ---

  record Request(List<Map.Entry<String, String>> params, String language) {}

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<String> names = Arbitraries.of("page", "size", "utm", "q", "session");
    Arbitrary<String> values = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8);
    Arbitrary<Map.Entry<String, String>> pair = Combinators.combine(names, values).as(Map::entry);
    return Combinators.combine(pair.list().ofMaxSize(6), Arbitraries.strings().alpha().ofMaxLength(5).injectNull(0.3))
        .as(Request::new);
  }

  @Property(tries = 300)
  void keyIgnoresWhatIsNotListed(@ForAll("requests") Request r, @ForAll long seed) {
    String original = key("GET", "/p", query(r.params()), langHeader(r.language(), "Accept-Language"));

    List<Map.Entry<String, String>> shuffled = new ArrayList<>(r.params());
    // keep the relative order of repeated listed names, shuffle everything else around them
    Collections.shuffle(shuffled, new java.util.Random(seed));
    List<Map.Entry<String, String>> reordered = stableByListedName(r.params(), shuffled);
    reordered.add(Map.entry("utm_campaign", "noise" + seed));
    String variant = key("GET", "/p", query(reordered), langHeader(r.language(), "aCCEPT-lANGUAGE"));

    assertThat(variant).isEqualTo(original);
  }

  /** Shuffled order, except that values of each listed name appear in their original order. */
  private static List<Map.Entry<String, String>> stableByListedName(List<Map.Entry<String, String>> original,
      List<Map.Entry<String, String>> shuffled) {
    Map<String, List<Map.Entry<String, String>>> byName = new TreeMap<>();
    for (Map.Entry<String, String> e : original) {
      byName.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e);
    }
    Map<String, Integer> next = new TreeMap<>();
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> e : shuffled) {
      int i = next.merge(e.getKey(), 1, Integer::sum) - 1;
      out.add(byName.get(e.getKey()).get(i));
    }
    return out;
  }

  private static String query(List<Map.Entry<String, String>> params) {
    StringBuilder q = new StringBuilder();
    for (Map.Entry<String, String> e : params) {
      if (q.length() > 0) {
        q.append('&');
      }
      q.append(enc(e.getKey())).append('=').append(enc(e.getValue()));
    }
    return q.toString();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> langHeader(String value, String name) {
    return value == null ? Map.of() : Map.of(name, List.of(value));
  }

  static Stream<Arguments> forwardedParts() {
    return Stream.of(
        Arguments.of("agent's own values (no client XF headers)", List.of("shop.example"), List.of("http"),
            "shop.example", "http", null),
        Arguments.of("client values equal to the request's own", List.of("shop.example"), List.of("http"),
            "shop.example", "http", null),
        Arguments.of("no Host, none sent", List.of(), List.of("http"), null, "http", null),
        Arguments.of("another host", List.of("evil.example"), List.of("http"), "shop.example", "http",
            new CacheKeys.Forwarded("evil.example", "http")),
        Arguments.of("another proto", List.of("shop.example"), List.of("javascript"), "shop.example", "http",
            new CacheKeys.Forwarded("shop.example", "javascript")),
        Arguments.of("two host values", List.of("shop.example", "evil.example"), List.of("http"), "shop.example",
            "http", new CacheKeys.Forwarded("shop.example,evil.example", "http")),
        Arguments.of("proto removed by a modifier", List.of("shop.example"), List.of(), "shop.example", "http",
            new CacheKeys.Forwarded("shop.example", "")),
        Arguments.of("host sent without a Host", List.of("evil.example"), List.of("http"), null, "http",
            new CacheKeys.Forwarded("evil.example", "http")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardedParts")
  void forwardedPartIsLeftOutOnlyForTheRequestsOwnValues(String why, List<String> sentHost, List<String> sentProto,
      String ownHost, String ownScheme, CacheKeys.Forwarded expected) {
    assertThat(CacheKeys.forwarded(sentHost, sentProto, ownHost, ownScheme)).isEqualTo(expected);
  }

  private static String forwardedKey(String xfh, String xfp) {
    CacheKeys.Forwarded f = CacheKeys.forwarded(xfh == null ? List.of("shop.example") : List.of(xfh),
        List.of(xfp == null ? "http" : xfp), "shop.example", "http");
    return CacheKeys.key(RECIPE, "GET", "shop.example", false, "/p", null, headers(Map.of()), f, null);
  }

  @Property
  void requestsDifferingOnlyInForwardedValuesNeverShareAKey(
      @ForAll @StringLength(max = 20) String hostA, @ForAll @StringLength(max = 20) String hostB,
      @ForAll @StringLength(max = 8) String protoA, @ForAll @StringLength(max = 8) String protoB) {
    String a = forwardedKey(hostA, protoA);
    String b = forwardedKey(hostB, protoB);
    String same = forwardedKey(hostA, protoA);
    assertThat(a).isEqualTo(same);
    if (!hostA.equals(hostB) || !protoA.equals(protoB)) {
      assertThat(a).isNotEqualTo(b);
    }
    assertThat(CacheKeys.pathOf(a)).isEqualTo("/p");
  }

  @Test
  void forwardedPartSitsBeforeTheScope() {
    assertThat(CacheKeys.key(RECIPE, "GET", null, false, "/p", null, headers(Map.of()),
        new CacheKeys.Forwarded("evil.example", "javascript"), "t1"))
        .isEqualTo("GET /p accept-language <evil.example,javascript> @t1");
  }
}
