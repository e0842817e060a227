package io.bosun.controller.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the controller manager (PID {@code io.bosun.controllermanager}). */
@ObjectClassDefinition(name = "Bosun controller manager")
public @interface ControllerManagerConfig {

  @AttributeDefinition(description = "Controllers to run, as kube-controller-manager's --controllers: '*' for all, "
      + "'name' to enable one, '-name' to disable one (e.g. '*,-daemonset').")
  String[] controllers() default {"*"};

  @AttributeDefinition(description = "Workers per controller (upstream's --concurrent-*-syncs).")
  int workers() default 5;

  @AttributeDefinition(description = "Workers of particular controllers, as name=count.")
  String[] workersPerController() default {"daemonset=2", "namespace=10", "garbagecollector=20"};

  @AttributeDefinition(description = "Resync period of the shared informers' handlers in seconds; 0 for none "
      + "(upstream: 12 to 24 hours).")
  long resyncPeriodSeconds() default 43200;

  @AttributeDefinition(description = "Elect a leader among controller managers through a Lease.")
  boolean leaderElect() default true;

  @AttributeDefinition(description = "Namespace of the leader Lease.")
  String leaseNamespace() default "kube-system";

  @AttributeDefinition(description = "Name of the leader Lease.")
  String leaseName() default "bosun-controller-manager";

  @AttributeDefinition(description = "Seconds non-leaders wait after the lease last changed before taking it.")
  long leaseDurationSeconds() default 15;

  @AttributeDefinition(description = "Seconds the leader keeps trying to renew before it stops leading.")
  long renewDeadlineSeconds() default 10;

  @AttributeDefinition(description = "Seconds between attempts to acquire or renew the lease.")
  long retryPeriodSeconds() default 2;

  @AttributeDefinition(description = "This replica's identity in the lease; empty: host name plus a random suffix.")
  String identity() default "";

  @AttributeDefinition(description = "Seconds a stopping controller may take before its threads are interrupted.")
  long stopTimeoutSeconds() default 30;
}
