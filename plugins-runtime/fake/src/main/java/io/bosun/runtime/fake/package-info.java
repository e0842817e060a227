/**
 * A container runtime without processes, usable as a plain Java object in tests
 * ({@link io.bosun.runtime.fake.FakeRuntime}) and, in a runtime, as the {@code fake} runtime
 * service (configuration PID {@code io.bosun.runtime.fake}).
 */
@Export
@Version("1.0.0")
package io.bosun.runtime.fake;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
