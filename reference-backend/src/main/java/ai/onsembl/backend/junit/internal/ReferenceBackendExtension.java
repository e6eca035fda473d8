package ai.onsembl.backend.junit.internal;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts a {@link TestBackend} per test on first use (test method or {@code @BeforeEach} parameter)
 * and keeps it in the test's {@link ExtensionContext.Store}, so JUnit closes it after the test.
 */
public final class ReferenceBackendExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ReferenceBackendExtension.class);

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TestBackend.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      throw new org.junit.jupiter.api.extension.ParameterResolutionException(
          "TestBackend is per test: inject it into a @Test or @BeforeEach method, not "
              + parameterContext.getDeclaringExecutable());
    }
    return context
        .getStore(NS)
        .getOrComputeIfAbsent(
            TestBackendImpl.class, k -> create(settings(context)), TestBackendImpl.class);
  }

  private static ReferenceBackendTest settings(ExtensionContext context) {
    Optional<ReferenceBackendTest> a = find(context.getTestMethod().orElse(null));
    for (Optional<Class<?>> c = context.getTestClass();
        a.isEmpty() && c.isPresent();
        c = Optional.ofNullable(c.get().getEnclosingClass())) {
      a = find(c.get());
    }
    return a.orElseGet(() -> Defaults.class.getAnnotation(ReferenceBackendTest.class));
  }

  private static Optional<ReferenceBackendTest> find(AnnotatedElement e) {
    return e == null
        ? Optional.empty()
        : AnnotationSupport.findAnnotation(e, ReferenceBackendTest.class);
  }

  private static TestBackendImpl create(ReferenceBackendTest s) {
    BackendConfig config =
        BackendConfig.defaults()
            .withPorts(0, 0)
            .withAgentToken(s.agentToken())
            .withDashboardToken(s.dashboardToken())
            .withJwtSecret(s.jwtSecret())
            .withHeartbeat(
                Duration.ofMillis(s.heartbeatIntervalMillis()),
                Duration.ofMillis(s.heartbeatTimeoutMillis()))
            .withRateLimits(s.agentMessagesPerSecond(), s.dashboardMessagesPerSecond());
    Path dir = null;
    if (s.fileDatabase()) {
      try {
        dir = Files.createTempDirectory("onsembl-backend-test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      config = config.withDatabaseFile(dir.resolve("backend.db"));
    }
    return TestBackendImpl.start(config, dir, s.failOnRefusedFrames());
  }

  /** Strict mode: the test fails when the backend refused any agent frame. */
  @Override
  public void afterEach(ExtensionContext context) {
    TestBackendImpl backend =
        context.getStore(NS).get(TestBackendImpl.class, TestBackendImpl.class);
    if (backend != null) {
      verifyNoRefusals(backend);
    }
  }

  static void verifyNoRefusals(TestBackendImpl backend) {
    if (backend.failOnRefusedFrames && !backend.refusals().isEmpty()) {
      throw new AssertionError(
          "Expected the backend to accept every agent frame (failOnRefusedFrames) but it"
              + " refused "
              + backend.refusals().size()
              + ": "
              + String.join("; ", backend.refusals()));
    }
  }

  @ReferenceBackendTest
  private static final class Defaults {}
}
