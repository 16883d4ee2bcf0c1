package io.cacheplane.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An end-to-end test class against the real kube-apiserver 1.20 of {@link LocalControlPlane} (name it {@code *E2E}).
 * Missing binaries fail the test with the command to run ({@code scripts/k8s/install.sh}); nothing is skipped.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ControlPlaneExtension.class)
@Tag("e2e")
public @interface E2E {
}
