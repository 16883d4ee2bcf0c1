package io.cacheplane.operator.shell;

import io.cacheplane.operator.CacheplaneOperator;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/** The CDI client identifies itself as {@value CacheplaneOperator#FIELD_MANAGER} (User-Agent) to the API server. */
@Singleton
public class OperatorClientConfig implements KubernetesConfigCustomizer {

  @Override
  public void customize(Config config) {
    config.setUserAgent(CacheplaneOperator.FIELD_MANAGER);
  }
}
