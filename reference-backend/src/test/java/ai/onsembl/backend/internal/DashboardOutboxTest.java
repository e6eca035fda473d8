package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardOutboxTest {
  private static List<String> drain(DashboardOutbox box) {
    List<String> out = new ArrayList<>();
    String t;
    while ((t = box.poll(0, Long.MAX_VALUE)) != null) {
      out.add(t);
    }
    return out;
  }

  @Test
  void overflowKeepsOnlyEachAgentsLatestStatusInOrderAndEverythingElse() {
    DashboardOutbox box = new DashboardOutbox(40);
    assertThat(box.offer("a-on.....", "status:a")).isEqualTo(DashboardOutbox.Offered.QUEUED);
    assertThat(box.offer("out1.....", null)).isEqualTo(DashboardOutbox.Offered.QUEUED);
    assertThat(box.offer("b-on.....", "status:b")).isEqualTo(DashboardOutbox.Offered.QUEUED);
    assertThat(box.offer("a-off....", "status:a")).isEqualTo(DashboardOutbox.Offered.QUEUED);
    assertThat(box.offer("b-off....", "status:b")).isEqualTo(DashboardOutbox.Offered.COALESCED);
    assertThat(box.coalescedFrames()).isEqualTo(2);
    assertThat(drain(box)).containsExactly("out1.....", "a-off....", "b-off....");
  }

  @Test
  void overflowThatCoalescingCannotFixBecomesOneSnapshotAheadOfLaterFrames() {
    DashboardOutbox box = new DashboardOutbox(20);
    box.offer("output-1234", null);
    assertThat(box.offer("output-5678", null)).isEqualTo(DashboardOutbox.Offered.RESYNC);
    assertThat(box.queuedBytes()).isZero();
    assertThat(box.offer("while-pending", null)).isEqualTo(DashboardOutbox.Offered.DISCARDED);
    assertThat(box.claimSnapshot(0, 1000)).isTrue();
    assertThat(box.claimSnapshot(0, 1000)).as("claimed once").isFalse();
    box.snapshot("SNAPSHOT");
    box.offer("after", null);
    assertThat(drain(box)).containsExactly("SNAPSHOT", "after");
    assertThat(box.resyncs()).isEqualTo(1);
    assertThat(box.idle()).isTrue();
  }

  @Test
  void framesMoveToTheSocketOnlyWithinTheWindow() {
    DashboardOutbox box = new DashboardOutbox(1000);
    box.offer("12345", null);
    box.offer("67890", null);
    box.offer("abcde", null);
    assertThat(box.poll(0, 8)).isEqualTo("12345");
    assertThat(box.poll(1, 8))
        .as("5 of 8 bytes in the socket: one more may overshoot")
        .isEqualTo("67890");
    assertThat(box.poll(2, 8)).as("window full").isNull();
    assertThat(box.poll(0, 8)).as("the socket sent them").isEqualTo("abcde");
  }

  @Test
  void aSnapshotNeverWaitsWhileTheSocketIsStillFull() {
    DashboardOutbox box = new DashboardOutbox(10);
    box.offer("0123456789", null);
    assertThat(box.poll(0, 10)).isNotNull();
    box.offer("0123456789a", null);
    assertThat(box.claimSnapshot(1, 10)).as("socket still holds 10 bytes").isFalse();
    assertThat(box.resyncWaitingNanos()).isPositive();
    assertThat(box.claimSnapshot(0, 10)).isTrue();
    assertThat(box.resyncWaitingNanos()).isZero();
  }
}
