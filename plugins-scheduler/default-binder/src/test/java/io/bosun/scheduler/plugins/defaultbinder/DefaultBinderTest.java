package io.bosun.scheduler.plugins.defaultbinder;

import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.Status;
import org.junit.jupiter.api.Test;

class DefaultBinderTest {

  @Test
  void bindsThroughTheHandle() {
    TestHandle handle = new TestHandle();
    DefaultBinder binder = (DefaultBinder) new DefaultBinderFactory().create(Scoring.args("{}"), handle);
    assertThat(ExtensionPoint.of(binder)).containsExactly(ExtensionPoint.BIND);
    var p = pod("p").build();
    assertThat(Status.isSuccess(binder.bind(new CycleState(), p, "n1"))).isTrue();
    assertThat(handle.binds).containsExactly(new TestHandle.Binding(p, "n1"));
  }

  @Test
  void bindFailureIsReturned() {
    TestHandle handle = new TestHandle().bindResult(Status.error("pods \"p\" is already assigned to node \"n2\""));
    DefaultBinder binder = (DefaultBinder) new DefaultBinderFactory().create(Scoring.args("{}"), handle);
    Status s = binder.bind(new CycleState(), pod("p").build(), "n1");
    assertThat(s.code()).isEqualTo(Status.Code.ERROR);
    assertThat(s.message()).contains("already assigned");
  }
}
