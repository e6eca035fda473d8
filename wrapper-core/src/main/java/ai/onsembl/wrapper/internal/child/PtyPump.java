package ai.onsembl.wrapper.internal.child;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads the agent's pty: the bytes go unchanged to the screen, and as text (UTF-8 decoded across
 * reads, so a character split between two reads is not broken) to {@code text}. Ends at EIO, once
 * the agent and everything holding its terminal are gone.
 */
final class PtyPump {
  private PtyPump() {}

  static Thread start(
      InputStream in, Pty.Screen screen, Consumer<String> text, Consumer<Throwable> errors) {
    Thread t =
        new Thread(
            () -> {
              try {
                run(in, screen, text);
              } catch (Error e) {
                errors.accept(e);
              }
            },
            "onsembl-child-pty");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void run(InputStream in, Pty.Screen screen, Consumer<String> text) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer bytes = ByteBuffer.allocate(16 * 1024);
    CharBuffer chars = CharBuffer.allocate(16 * 1024);
    try {
      int n;
      while ((n = in.read(bytes.array(), bytes.position(), bytes.remaining())) >= 0) {
        if (n == 0) {
          continue;
        }
        screen.write(bytes.array(), bytes.position(), n);
        bytes.position(bytes.position() + n);
        bytes.flip();
        decoder.decode(bytes, chars, false);
        bytes.compact(); // an incomplete UTF-8 sequence waits for the next read
        chars.flip();
        if (chars.hasRemaining()) {
          text.accept(chars.toString());
        }
        chars.clear();
      }
    } catch (IOException e) {
      // EIO: the pty is closed
    }
  }
}
