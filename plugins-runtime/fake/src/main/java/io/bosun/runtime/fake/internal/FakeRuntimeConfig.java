package io.bosun.runtime.fake.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the fake runtime (PID {@code io.bosun.runtime.fake}): the default container behaviour. */
@ObjectClassDefinition(name = "Bosun fake container runtime")
public @interface FakeRuntimeConfig {

  @AttributeDefinition(description = "Milliseconds a started container stays Created before it runs.")
  long startDelayMillis() default 0;

  @AttributeDefinition(description = "Seconds a running container runs before it exits on its own; negative: forever.")
  long exitAfterSeconds() default -1;

  @AttributeDefinition(description = "Exit code of containers that exit on their own.")
  int exitCode() default 0;

  @AttributeDefinition(description = "Milliseconds an image pull takes.")
  long pullDelayMillis() default 0;

  @AttributeDefinition(description = "Exit code of a container stopped with a grace period.")
  int stopExitCode() default 143;

  @AttributeDefinition(description = "Exit code of exec commands (exec probes).")
  int execExitCode() default 0;
}
