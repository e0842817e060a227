package io.bosun.scheduler.runtime;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Typed configuration of PID {@value SchedulerComponent#PID}. {@code profiles} and {@code policies}
 * are applied live at the next scheduling cycle; every other key restarts the scheduler's engine
 * (its queue and cache are rebuilt from the API; no pod is lost), except {@code parallelism}, read
 * when the bundle starts.
 */
@ObjectClassDefinition(id = SchedulerComponent.PID, name = "Bosun scheduler",
    description = "Scheduling profiles, policies and scheduler settings.")
public @interface SchedulerConfig {

  @AttributeDefinition(description = "Scheduling profiles as YAML or JSON text: a list of {schedulerName, policy, "
      + "percentageOfNodesToScore, plugins, pluginConfig} (upstream's KubeSchedulerConfiguration profiles plus "
      + "'policy'), or a document with 'profiles' (and optionally 'policies'). Empty: one profile default-scheduler "
      + "on policy default. The ConfigMap named by profilesConfigMap, when it has 'profiles', overrides this.")
  String profiles() default "";

  @AttributeDefinition(description = "Named policies as YAML or JSON text: {name: {policy, plugins, pluginConfig}}, "
      + "merged by name over the built-in default, spread and binpack.")
  String policies() default "";

  @AttributeDefinition(description = "Scheduler-wide percentage of nodes to find feasible before scoring; "
      + "0: adaptive (50 - nodes/125, at least 5%). Profiles may set their own.")
  int percentageOfNodesToScore() default 0;

  @AttributeDefinition(description = "Worker threads for filtering and scoring; 0: the number of processors. "
      + "Read when the bundle starts.")
  int parallelism() default 0;

  @AttributeDefinition(description = "Backoff of a pod after its first failed attempt, doubling per attempt.")
  long podInitialBackoffMillis() default 1000;

  @AttributeDefinition(description = "Longest backoff of a pod.")
  long podMaxBackoffMillis() default 10_000;

  @AttributeDefinition(description = "Longest a pod stays among the unschedulable pods without an event moving it.")
  long podMaxInUnschedulablePodsSeconds() default 300;

  @AttributeDefinition(description = "How long a pod whose binding succeeded stays counted on its node without "
      + "the informer confirming it.")
  long assumedPodTtlSeconds() default 30;

  @AttributeDefinition(description = "Elect a leader through a Lease, so only one of several instances schedules.")
  boolean leaderElect() default true;

  @AttributeDefinition(description = "The leader Lease, namespace/name.")
  String leaseName() default "kube-system/bosun-scheduler";

  int leaseDurationSeconds() default 15;

  int renewDeadlineSeconds() default 10;

  int retryPeriodSeconds() default 2;

  @AttributeDefinition(description = "This instance's identity in the Lease and in events; empty: host name plus "
      + "a random suffix.")
  String identity() default "";

  @AttributeDefinition(description = "ConfigMap (namespace/name) whose data keys 'profiles' and 'policies' override "
      + "this configuration when present; empty: none.")
  String profilesConfigMap() default "kube-system/bosun-scheduler-profiles";

  @AttributeDefinition(description = "ConfigMap (namespace/name) the leader writes its status and effective profiles "
      + "to (data key status.json); empty: none.")
  String statusConfigMap() default "kube-system/bosun-scheduler";

  @AttributeDefinition(description = "Seed for breaking score ties; 0: random.")
  long randomSeed() default 0;
}
