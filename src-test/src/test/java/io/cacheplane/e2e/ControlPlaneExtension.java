package io.cacheplane.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives E2E tests the JVM's {@link LocalControlPlane} (as a parameter of test, {@code @BeforeAll} or constructor
 * methods), stops it when the whole JUnit run ends (the root context's store closes it), and prints the tails of the
 * apiserver and controller-manager logs when a test or a {@code @BeforeAll}/{@code @AfterAll} method fails. Use it
 * through {@link E2E}.
 */
public final class ControlPlaneExtension implements BeforeAllCallback, ParameterResolver, TestWatcher,
    LifecycleMethodExecutionExceptionHandler {

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
    printDiagnostics(context, context.getDisplayName() + " failed (" + cause + ")");
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printDiagnostics(context, "@BeforeAll of " + context.getDisplayName() + " failed (" + throwable + ")");
    throw throwable;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printDiagnostics(context, "@AfterAll of " + context.getDisplayName() + " failed (" + throwable + ")");
    throw throwable;
  }

  private static void printDiagnostics(ExtensionContext context, String what) {
    Object controlPlane = context.getRoot().getStore(NAMESPACE).get("controlPlane");
    if (controlPlane instanceof LocalControlPlane cp) {
      System.err.println("[e2e] " + what + ";\n" + cp.diagnostics(60));
    }
  }
}
