package io.cacheplane.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives E2E tests the JVM's {@link LocalControlPlane} (as a parameter of test, {@code @BeforeAll} or constructor
 * methods), stops it when the whole JUnit run ends (the root context's store closes it), and prints the tails of the
 * apiserver and controller-manager logs when a test fails. Use it through {@link E2E}.
 */
public final class ControlPlaneExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ControlPlaneExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    controlPlane(context);
  }

  private static LocalControlPlane controlPlane(ExtensionContext context) {
    LocalControlPlane controlPlane = LocalControlPlane.shared();
    // AutoCloseable values of the root store are closed when the JUnit run ends.
    context.getRoot().getStore(NAMESPACE).computeIfAbsent("controlPlane", k -> controlPlane);
    return controlPlane;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == LocalControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return controlPlane(extensionContext);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Object controlPlane = context.getRoot().getStore(NAMESPACE).get("controlPlane");
    if (controlPlane instanceof LocalControlPlane cp) {
      System.err.println("[e2e] " + context.getDisplayName() + " failed (" + cause + ");\n" + cp.diagnostics(60));
    }
  }
}
