package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any string a user writes in a spec reaches the agents as the same string: the envelope's YAML must quote what a
 * YAML 1.1 reader would otherwise take for a number, a boolean or null ({@code "1024"}, {@code "1e6"}, {@code "yes"},
 * {@code "1:20"}, {@code "~"}), or the agents would recompute another revision and refuse the envelope.
 */
class EnvelopeScalarsProperties {

  private static final List<String> TRICKY = List.of("1024", "0", "-1", "+1", "1e6", "1E-3", ".5", "1.", "0x1F",
      "0o17", "017", "1_000", "1:20", "190:20:30", ".inf", "-.Inf", ".NaN", "NaN", "Infinity", "true", "False", "yes",
      "No", "on", "OFF", "y", "n", "null", "Null", "~", "", " ", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=",
      "<<", "- a", "a: b", "#x", "'q'", "\"q\"", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "?", "[a]", "{a}",
      "a,b", "\t1", "1\n2", "\u00a01024", "١٢٣");

  @Provide
  Arbitrary<String> scalars() {
    return Arbitraries.oneOf(Arbitraries.of(TRICKY), Arbitraries.strings().ofMaxLength(12),
        Arbitraries.strings().withChars("0123456789.eE+-_:xob").ofMaxLength(8));
  }

  @Property(tries = 400)
  void everyStringSurvivesTheEnvelope(@ForAll("scalars") String text) throws Exception {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings cache = new CacheSettings();
    cache.setMaxEntrySize(new IntOrString(text));
    cache.setExpireAfterWrite(text);
    spec.setCache(cache);
    CacheKeySpec key = new CacheKeySpec();
    key.setQueryParameters(List.of(text));
    spec.setKey(key);
    spec.setScopeHeader(text);
    PublishedRevision published = EnvelopeCodec.publish(spec, 1, null);
    Envelope envelope = new Envelope(1, "CachePolicy", "p", "uid", 1L, null, published, null);

    Envelope back = EnvelopeCodec.decode(EnvelopeCodec.encode(envelope));

    // What the agents hash and read (EnvelopeCodec.check also validates, which most of these strings would fail).
    assertThat(back.stable().spec()).isEqualTo(published.spec());
    assertThat(Revisions.of(back.stable().spec())).isEqualTo(published.revision());
    CachePolicySpec got = Json.JSON.treeToValue(back.stable().spec(), CachePolicySpec.class);
    assertThat(got.getCache().getMaxEntrySize().getStrVal()).isEqualTo(text);
    assertThat(got.getCache().getExpireAfterWrite()).isEqualTo(text);
    assertThat(got.getKey().getQueryParameters()).containsExactly(text);
    assertThat(got.getScopeHeader()).isEqualTo(text);
  }
}
