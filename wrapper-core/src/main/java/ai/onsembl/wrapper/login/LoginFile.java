package ai.onsembl.wrapper.login;

import ai.onsembl.wrapper.AgentExitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a {@link SavedLogin} lives: our own {@code <state dir>/login.json} (plain JSON, mode 0600),
 * or the TypeScript wrapper's {@code ~/.onsembl/credentials.enc} ({@code ivhex:cipherhex},
 * AES-256-CBC with the key SHA-256 of the hex string in {@code ~/.onsembl/.key}) holding the same
 * fields. Both are written atomically (temporary file, then rename) with mode 0600, so a crash
 * never leaves half a login; both are refused, with the reason, when group or others may read them
 * or when they are not a login.
 */
public final class LoginFile {
  /** Our file's name in the state dir. */
  public static final String OURS = "login.json";

  /** The TypeScript wrapper's files in its directory ({@code ~/.onsembl}). */
  public static final String TYPESCRIPT = "credentials.enc";

  public static final String TYPESCRIPT_KEY = ".key";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final Path keyFile;

  private LoginFile(Path file, Path keyFile) {
    this.file = file;
    this.keyFile = keyFile;
  }

  /** Our login in {@code stateDir}. */
  public static LoginFile ours(Path stateDir) {
    return new LoginFile(stateDir.resolve(OURS), null);
  }

  /** The TypeScript wrapper's login in {@code dir} (its {@code ~/.onsembl}). */
  public static LoginFile typeScript(Path dir) {
    return new LoginFile(dir.resolve(TYPESCRIPT), dir.resolve(TYPESCRIPT_KEY));
  }

  /**
   * {@code $HOME/.onsembl}: the TypeScript wrapper's directory ($HOME first, as a shell would; else
   * user.home).
   */
  public static Path typeScriptDir() {
    String home = System.getenv("HOME");
    return Path.of(
        home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".onsembl");
  }

  public Path path() {
    return file;
  }

  public boolean isTypeScript() {
    return keyFile != null;
  }

  public boolean exists() {
    return Files.exists(file);
  }

  /**
   * The login, or empty when there is no file.
   *
   * @throws AgentExitException (exit 2) when the file is readable by group or others, or is not a
   *     login
   */
  public Optional<SavedLogin> read() {
    byte[] bytes;
    try {
      checkOwnerOnly(file);
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw AgentExitException.invalidInput(
          "cannot read the saved login " + file + ": " + e.getMessage());
    }
    if (keyFile != null) {
      bytes = decrypt(bytes);
    }
    try {
      return Optional.of(fromFields(FlatJson.parse(bytes)));
    } catch (IOException | RuntimeException e) {
      throw corrupted(
          "expected JSON with access_token, refresh_token, expires_at and server_url ("
              + e.getMessage()
              + ")");
    }
  }

  /**
   * Writes {@code login} atomically with mode 0600 (creating the directory, mode 0700, when
   * missing).
   */
  public void write(SavedLogin login) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      byte[] bytes = FlatJson.write(toFields(login));
      if (keyFile != null) {
        bytes = encrypt(bytes);
      }
      Path tmp =
          Files.createTempFile(
              dir, ".login-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      try {
        Files.write(tmp, bytes);
        try {
          Files.move(
              tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new AgentExitException(
          AgentExitException.INTERNAL,
          "cannot save the login to " + file + ": " + e.getMessage(),
          e);
    }
  }

  /** Removes the file; true when there was one. */
  public boolean delete() {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new AgentExitException(
          AgentExitException.INTERNAL, "cannot remove " + file + ": " + e.getMessage(), e);
    }
  }

  private static void checkOwnerOnly(Path f) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(f, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw AgentExitException.invalidInput(
          "the saved login "
              + f
              + " is readable or writable by others (mode "
              + PosixFilePermissions.toString(perms)
              + "); expected rw------- (run: chmod 600 "
              + f
              + ", or onsembl-agent logout and log in again)");
    }
  }

  private AgentExitException corrupted(String why) {
    return AgentExitException.invalidInput(
        "the saved login "
            + file
            + " is not readable as a login: "
            + why
            + "; run onsembl-agent login again (or remove the file)");
  }

  // ---- the TypeScript wrapper's encryption
  // -------------------------------------------------------------

  private SecretKeySpec key() {
    try {
      String hex = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
      if (hex.isEmpty()) {
        throw corrupted("its key file " + keyFile + " is empty");
      }
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(hex.getBytes(StandardCharsets.UTF_8));
      return new SecretKeySpec(digest, "AES");
    } catch (NoSuchFileException e) {
      throw corrupted("its key file " + keyFile + " is missing");
    } catch (IOException | GeneralSecurityException e) {
      throw corrupted("cannot read its key file " + keyFile + ": " + e.getMessage());
    }
  }

  private byte[] decrypt(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII).trim();
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw corrupted("expected ivhex:cipherhex but found no ':'");
    }
    try {
      byte[] iv = HexFormat.of().parseHex(text.substring(0, colon));
      byte[] cipherText = HexFormat.of().parseHex(text.substring(colon + 1));
      if (iv.length != 16) {
        throw corrupted("expected a 16-byte IV but it has " + iv.length + " bytes");
      }
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.DECRYPT_MODE, key(), new IvParameterSpec(iv));
      return c.doFinal(cipherText);
    } catch (IllegalArgumentException e) {
      throw corrupted("expected ivhex:cipherhex but it is not hex (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw corrupted(
          "it does not decrypt with the key in "
              + keyFile
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private byte[] encrypt(byte[] plain) {
    try {
      byte[] iv = new byte[16];
      RANDOM.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, key(), new IvParameterSpec(iv));
      String text = HexFormat.of().formatHex(iv) + ":" + HexFormat.of().formatHex(c.doFinal(plain));
      return text.getBytes(StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC unavailable: " + e.getMessage(), e);
    }
  }

  // ---- fields
  // ------------------------------------------------------------------------------------------

  static SavedLogin fromFields(Map<String, Object> f) {
    String access = text(f, "access_token");
    String server = text(f, "server_url");
    Object exp = f.get("expires_at");
    if (access == null || access.isBlank()) {
      throw new IllegalArgumentException("no access_token");
    }
    if (server == null || server.isBlank()) {
      throw new IllegalArgumentException("no server_url");
    }
    if (!(exp instanceof Number n)) {
      throw new IllegalArgumentException("expires_at is not a number of epoch seconds");
    }
    List<String> scopes = new ArrayList<>();
    Object s = f.get("scopes");
    if (s instanceof List<?> list) {
      list.forEach(o -> scopes.add(String.valueOf(o)));
    } else if (s instanceof String str && !str.isBlank()) {
      scopes.addAll(List.of(str.trim().split("[\\s,]+")));
    }
    return new SavedLogin(
        server,
        access,
        text(f, "refresh_token"),
        Instant.ofEpochSecond(n.longValue()),
        text(f, "user_id"),
        scopes);
  }

  static Map<String, Object> toFields(SavedLogin l) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("access_token", l.accessToken());
    f.put("refresh_token", l.refreshToken());
    f.put("expires_at", l.expiresAt().getEpochSecond());
    f.put("user_id", l.userId());
    f.put("scopes", l.scopes());
    f.put("server_url", l.serverUrl());
    return f;
  }

  private static String text(Map<String, Object> f, String name) {
    Object v = f.get(name);
    return v == null ? null : v.toString();
  }
}
