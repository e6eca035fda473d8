package ai.onsembl.backend.junit;

import ai.onsembl.backend.junit.internal.ReferenceBackendExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test a fresh, started reference backend, injected as a {@link TestBackend} parameter
 * (of the test method or of {@code @BeforeEach} methods) and closed after the test. Ports are free
 * ports, the database is {@code :memory:} unless {@link #fileDatabase()}, heartbeats are in
 * milliseconds.
 *
 * <pre>{@code
 * @ReferenceBackendTest
 * class MyAgentTest {
 *   @Test void goesOnline(TestBackend backend) {
 *     connect(backend.agentUri("a1"));
 *     backend.awaitAgentStatus("a1", AgentStatus.ONLINE, Duration.ofSeconds(5));
 *   }
 * }
 * }</pre>
 *
 * A method-level annotation overrides the class-level one.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ReferenceBackendExtension.class)
public @interface ReferenceBackendTest {
  /** How often the backend PINGs agents and dashboards. */
  long heartbeatIntervalMillis() default 200;

  /** Silence after which an agent is OFFLINE "Heartbeat timeout" and a dashboard is closed 4000. */
  long heartbeatTimeoutMillis() default 1000;

  /**
   * A SQLite file in a temporary directory instead of {@code :memory:}; needed for {@link
   * TestBackend#restart()}.
   */
  boolean fileDatabase() default false;

  /** Static agent token. */
  String agentToken() default "test-agent-token";

  /** Static dashboard token. */
  String dashboardToken() default "test-dashboard-token";

  /** HS256 secret; empty for none. */
  String jwtSecret() default "";

  /** Messages per second per agent connection. */
  int agentMessagesPerSecond() default 100;

  /**
   * Fail the test after it ran when the backend refused any frame from an agent (answered it with
   * ERROR: malformed, unknown type, wrong endpoint, spoofed id, flood, oversized). For suites that
   * test a well-behaved agent, so protocol mistakes cannot pass unnoticed.
   */
  boolean failOnRefusedFrames() default false;

  /** Messages per second per dashboard connection. */
  int dashboardMessagesPerSecond() default 50;
}
