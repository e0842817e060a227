/**
 * The controller API: what a controller bundle implements ({@link io.bosun.controller.Controller})
 * and what the controller manager gives it ({@link io.bosun.controller.ControllerContext}: the API
 * client, shared informers, work queues, worker threads, an event recorder, a clock and the stop
 * signal), plus the helpers upstream's controllers share ({@code pkg/controller/controller_utils.go}):
 * {@link io.bosun.controller.Expectations}, controller references and adoption
 * ({@link io.bosun.controller.ControllerRefs}, {@link io.bosun.controller.ControllerRefManager}),
 * pod readiness and ranking ({@link io.bosun.controller.Pods}), pods from templates
 * ({@link io.bosun.controller.PodTemplates}), template hashes ({@link io.bosun.controller.Hashing})
 * and slow-start batches ({@link io.bosun.controller.SlowStart}).
 *
 * <p>A controller is a Declarative Services component providing {@link io.bosun.controller.Controller};
 * the manager runs it while its replica holds the leader lease, stops it when the service goes
 * away (a bundle update) and runs the replacement, which resumes from the API and the shared
 * informers.
 */
@Export
@Version("1.1.0")
package io.bosun.controller;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
