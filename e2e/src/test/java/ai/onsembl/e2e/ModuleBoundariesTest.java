package ai.onsembl.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.backend.internal.BackendAccess;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build check: no module reaches into another module's {@code .internal} packages, in
 * production or test code. Reads the compiled classes of every module of the reactor (this module
 * sees them all: the build compiles them before e2e; bench's when present).
 */
class ModuleBoundariesTest {
  /**
   * The module roots that keep internals: each one's {@code ..internal..} packages are for itself
   * only.
   */
  private static final List<String> OWNERS =
      List.of("ai.onsembl.protocol", "ai.onsembl.wrapper", "ai.onsembl.backend");

  private static final List<String> MODULES =
      List.of("protocol", "wrapper-core", "reference-backend", "wrapper-cli");

  static ArchRule noReachingInto(String owner) {
    return noClasses()
        .that()
        .resideOutsideOfPackage(owner + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(owner + "..internal..")
        .as("no class outside " + owner + " depends on " + owner + "..internal..");
  }

  private static JavaClasses allModules() {
    Path root = Paths.get("").toAbsolutePath().getParent();
    List<Path> dirs = new ArrayList<>();
    for (String module : MODULES) {
      Path main = root.resolve(module).resolve("target/classes");
      assertThat(main)
          .as("compiled classes of " + module + " (build the reactor first)")
          .isDirectory();
      dirs.add(main);
    }
    for (String module :
        List.of(
            "protocol",
            "test-support",
            "wrapper-core",
            "reference-backend",
            "wrapper-cli",
            "e2e",
            "bench")) {
      for (String kind : List.of("target/classes", "target/test-classes")) {
        Path d = root.resolve(module).resolve(kind);
        if (Files.isDirectory(d) && !dirs.contains(d)) {
          dirs.add(d);
        }
      }
    }
    // the sample violation below is not part of the code base
    return new ClassFileImporter()
        .importPaths(dirs)
        .that(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(Violation.class)));
  }

  @Test
  void noModuleImportsAnotherModulesInternalPackages() {
    JavaClasses classes = allModules();
    assertThat(classes.containPackage("ai.onsembl.cli")).isTrue();
    assertThat(classes.containPackage("ai.onsembl.e2e")).isTrue();
    for (String owner : OWNERS) {
      noReachingInto(owner).check(classes);
    }
  }

  @Test
  void theCheckFailsOnAClassThatReachesIn() {
    JavaClasses violation = new ClassFileImporter().importClasses(Violation.class);
    assertThatThrownBy(() -> noReachingInto("ai.onsembl.backend").check(violation))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("BackendAccess");
  }

  /** What the check must catch (left out of the real check). */
  static final class Violation {
    Object reachIn() {
      return BackendAccess.bridge();
    }
  }
}
