package io.bosun.controllers.core.job;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import java.time.Duration;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Upstream's Job controller ({@code pkg/controller/job}, 1.32 behaviour): runs a Job's pods to
 * {@code completions} with at most {@code parallelism} at a time, tracks finished pods with the
 * {@code batch.kubernetes.io/job-tracking} finalizer and {@code status.uncountedTerminatedPods},
 * recreates failed pods after an exponential backoff, fails the Job past {@code backoffLimit},
 * {@code activeDeadlineSeconds} or a pod failure policy's FailJob rule, supports Indexed
 * completion (index annotation and label, {@code JOB_COMPLETION_INDEX}, hostname), success
 * policies, suspend/resume, {@code podReplacementPolicy} and the interim
 * {@code SuccessCriteriaMet}/{@code FailureTarget} conditions before {@code Complete}/{@code Failed}.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.job",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = JobController.Config.class)
public final class JobController implements Controller {

  /** Configuration (PID {@code io.bosun.controller.job}). */
  @ObjectClassDefinition(name = "Bosun Job controller")
  public @interface Config {
    @AttributeDefinition(description = "Delay before recreating a pod after the first failure, in seconds; doubled "
        + "per further consecutive failure (upstream: 10).")
    long podFailureBackoffSeconds() default 10;

    @AttributeDefinition(description = "Longest delay before recreating a failed pod, in seconds (upstream: 360).")
    long maxPodFailureBackoffSeconds() default 360;

    @AttributeDefinition(description = "How long pod events for one Job are batched before it is synced, in "
        + "milliseconds (upstream: 1000).")
    long syncBatchPeriodMillis() default 1000;
  }

  /**
   * @param podFailureBackoff    the delay before the first recreation after a failure
   * @param maxPodFailureBackoff the cap of that delay as it doubles
   * @param syncBatchPeriod      how long pod events of a Job are batched into one sync
   */
  public record Settings(Duration podFailureBackoff, Duration maxPodFailureBackoff, Duration syncBatchPeriod) {
    public Settings {
      Objects.requireNonNull(podFailureBackoff, "podFailureBackoff");
      Objects.requireNonNull(maxPodFailureBackoff, "maxPodFailureBackoff");
      Objects.requireNonNull(syncBatchPeriod, "syncBatchPeriod");
    }

    /** Upstream's values: 10 s doubling to 6 min, 1 s batches. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(360), Duration.ofSeconds(1));
    }

    static Settings of(Config c) {
      if (c.podFailureBackoffSeconds() < 0 || c.maxPodFailureBackoffSeconds() < c.podFailureBackoffSeconds()
          || c.syncBatchPeriodMillis() < 0) {
        throw new IllegalArgumentException("job controller: backoffs must be positive and ordered, batch period >= 0");
      }
      return new Settings(Duration.ofSeconds(c.podFailureBackoffSeconds()),
          Duration.ofSeconds(c.maxPodFailureBackoffSeconds()), Duration.ofMillis(c.syncBatchPeriodMillis()));
    }
  }

  private volatile Settings settings;

  /** For DS: settings come from {@link #activate}. */
  public JobController() {
    this(Settings.defaults());
  }

  /** For use outside OSGi. */
  public JobController(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Activate
  void activate(Config config) {
    settings = Settings.of(config);
  }

  @Override
  public String name() {
    return "job";
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new JobRun(context, settings).run();
  }
}
