package io.bosun.runtime.oci;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the oci runtime (PID {@code io.bosun.runtime.oci}). */
@ObjectClassDefinition(name = "Bosun OCI container runtime (runc)")
public @interface OciRuntimeConfig {

  @AttributeDefinition(description = "Folder of the runtime's state (sandboxes, containers, images); "
      + "empty: <bosun.data>/runtime/oci (the framework property bosun.data), else <java.io.tmpdir>/bosun-runtime-oci.")
  String stateDir() default "";

  @AttributeDefinition(description = "The runc executable (a name looked up in PATH, or a path).")
  String runc() default "runc";

  @AttributeDefinition(description = "runc's state folder (--root); best on tmpfs.")
  String runcRoot() default "/run/bosun/runc";

  @AttributeDefinition(description = "The cgroup under which each sandbox gets /<cgroupRoot>/<sandbox id>.")
  String cgroupRoot() default "bosun";

  @AttributeDefinition(description = "Container root filesystems: auto (overlay if it works, else copy), overlay, copy.")
  String rootfs() default "auto";

  @AttributeDefinition(description = "The pod network (the bosun.network name of a PodNetwork service).")
  String network() default "bridge";

  @AttributeDefinition(description = "Registries (host:port) pulled from over plain HTTP, besides loopback ones; "
      + "separated by commas.")
  String insecureRegistries() default "";

  @AttributeDefinition(description = "A folder of OCI layout archives (*.tar) whose images are served without pulling; "
      + "empty for none.")
  String imageArchiveDir() default "";
}
