package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.HeaderModifier;
import io.cacheplane.api.v1alpha1.HttpHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HeaderEditsTest {

  private static final List<Map.Entry<String, String>> IN = List.of(
      Map.entry("Accept", "text/html"), Map.entry("X-Tenant", "a"), Map.entry("x-tenant", "b"),
      Map.entry("Cookie", "s=1"));

  private static HeaderModifier modifier(List<String> remove, List<HttpHeader> set, List<HttpHeader> add) {
    HeaderModifier m = new HeaderModifier();
    m.setRemove(remove);
    m.setSet(set);
    m.setAdd(add);
    return m;
  }

  private static HttpHeader h(String name, String value) {
    return new HttpHeader(name, value);
  }

  static Stream<Arguments> edits() {
    return Stream.of(
        Arguments.of("nothing", null, IN),
        Arguments.of("remove every value of a name, any case", modifier(List.of("X-TENANT"), null, null),
            List.of(Map.entry("Accept", "text/html"), Map.entry("Cookie", "s=1"))),
        Arguments.of("set replaces all values in place of the first",
            modifier(null, List.of(h("X-Tenant", "z")), null),
            List.of(Map.entry("Accept", "text/html"), Map.entry("X-Tenant", "z"), Map.entry("Cookie", "s=1"))),
        Arguments.of("set of an absent name appends", modifier(null, List.of(h("X-New", "1")), null),
            append(IN, Map.entry("X-New", "1"))),
        Arguments.of("add keeps what is there", modifier(null, null, List.of(h("x-tenant", "c"))),
            append(IN, Map.entry("x-tenant", "c"))),
        Arguments.of("remove, then set, then add: a removed name can be set again",
            modifier(List.of("cookie", "x-tenant"), List.of(h("Cookie", "s=2")), List.of(h("Cookie", "t=3"))),
            List.of(Map.entry("Accept", "text/html"), Map.entry("Cookie", "s=2"), Map.entry("Cookie", "t=3"))));
  }

  @SafeVarargs
  private static List<Map.Entry<String, String>> append(List<Map.Entry<String, String>> l,
      Map.Entry<String, String>... more) {
    List<Map.Entry<String, String>> out = new ArrayList<>(l);
    out.addAll(List.of(more));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edits")
  void appliesRemoveThenSetThenAdd(String why, HeaderModifier modifier, List<Map.Entry<String, String>> expected) {
    assertThat(HeaderEdits.of(modifier).apply(IN)).containsExactlyElementsOf(expected);
  }

  @Test
  void theInputIsNotModified() {
    List<Map.Entry<String, String>> in = new ArrayList<>(IN);
    HeaderEdits.of(modifier(List.of("accept"), null, List.of(h("a", "b")))).apply(in);
    assertThat(in).containsExactlyElementsOf(IN);
  }
}
