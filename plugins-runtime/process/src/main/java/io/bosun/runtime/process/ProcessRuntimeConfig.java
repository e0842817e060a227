package io.bosun.runtime.process;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the process runtime (PID {@code io.bosun.runtime.process}). */
@ObjectClassDefinition(name = "Bosun process container runtime")
public @interface ProcessRuntimeConfig {

  @AttributeDefinition(description = "Folder of the runtime's state (sandboxes, containers, wrapper script); "
      + "empty: <bosun.data>/runtime/process (the framework property bosun.data), else <java.io.tmpdir>/bosun-runtime-process.")
  String stateDir() default "";

  @AttributeDefinition(description = "The bash that runs the container wrapper.")
  String bash() default "/bin/bash";

  @AttributeDefinition(description = "Host commands of images run without command or args: "
      + "'name=command words' entries separated by ';', keyed by the image's repository name.")
  String imageCommands() default "busybox=sh;pause=sleep infinity";
}
