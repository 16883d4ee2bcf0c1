package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BucketingTest {

  @Test
  void bucketIsTheFirstFourBytesOfSha256AsUnsigned() {
    // SHA-256("uid-1/agent-a") starts with the 4 bytes below; a golden value keeps both planes honest.
    String hex = Revisions.sha256Hex("uid-1/agent-a").substring(0, 8);
    assertThat(Bucketing.bucket("uid-1", "agent-a")).isEqualTo(Long.parseLong(hex, 16));
    assertThat(Bucketing.bucket("uid-1", "agent-a")).isEqualTo(Bucketing.bucket("uid-1", "agent-a"));
    assertThat(Bucketing.bucket("uid-1", "agent-a")).isNotEqualTo(Bucketing.bucket("uid-2", "agent-a"));
  }

  @Test
  void bucketsCoverTheUnsigned32BitRange() {
    List<Long> buckets = IntStream.range(0, 2000).mapToObj(i -> Bucketing.bucket("uid", "agent-" + i)).toList();
    assertThat(buckets).allMatch(b -> b >= 0 && b < Bucketing.ALL);
    assertThat(buckets.stream().filter(b -> b >= (1L << 31)).count()).as("about half in the upper half")
        .isBetween(850L, 1150L);
  }

  @ParameterizedTest(name = "{0} agents at {1}% -> {2} canaries")
  @CsvSource({"0,50,0", "10,0,0", "10,10,1", "10,15,2", "3,10,1", "3,34,2", "3,100,3", "1,1,1", "100,99,99", "7,50,4"})
  void canaryCountIsCeilingOfWeightTimesAgents(int agents, int weight, int expected) {
    assertThat(Bucketing.canaryCount(agents, weight)).isEqualTo(expected);
  }

  @Test
  void canaryCountRefusesOutOfRangeInput() {
    assertThatThrownBy(() -> Bucketing.canaryCount(3, 101)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Bucketing.canaryCount(-1, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void canaryMembershipIsMonotoneInTheThreshold() {
    long bucket = Bucketing.bucket("uid", "agent-7");
    assertThat(Bucketing.isCanary(bucket, bucket)).isFalse();
    assertThat(Bucketing.isCanary(bucket, bucket + 1)).isTrue();
    assertThat(Bucketing.isCanary(bucket, Bucketing.ALL)).isTrue();
    assertThat(Bucketing.isCanary(bucket, 0)).isFalse();
  }

  @Property(tries = 300)
  void thresholdSelectsExactlyTheTargetAndNeverShrinks(
      @ForAll @Size(min = 1, max = 60) @UniqueElements List<@IntRange(min = 0, max = 10_000) Integer> agentNumbers,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 100) Integer> weights) {
    List<Long> buckets = agentNumbers.stream().map(n -> Bucketing.bucket("policy-uid", "agent-" + n)).toList();
    List<Integer> rising = new ArrayList<>(weights);
    rising.sort(Integer::compareTo);
    long threshold = 0;
    Set<Long> canaries = Set.of();
    for (int weight : rising) {
      threshold = Bucketing.threshold(buckets, weight, threshold);
      final long t = threshold;
      Set<Long> now = buckets.stream().filter(b -> Bucketing.isCanary(b, t)).collect(Collectors.toSet());
      assertThat(now).as("raising the weight never moves an agent back to stable").containsAll(canaries);
      assertThat(now).hasSize(Bucketing.canaryCount(buckets.size(), weight));
      canaries = now;
    }
  }
}
