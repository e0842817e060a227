/**
 * The Bosun scheduler's plugin contract: upstream kube-scheduler's scheduling framework
 * ({@code pkg/scheduler/framework}) in Java. A plugin bundle depends on this package and on the
 * API model ({@code io.bosun.api.*}) only.
 *
 * <h2>Shape</h2>
 * Every plugin implements {@link io.bosun.scheduler.spi.Plugin} (a name) plus one small interface
 * per extension point it takes part in: {@link io.bosun.scheduler.spi.PreEnqueuePlugin},
 * {@link io.bosun.scheduler.spi.QueueSortPlugin}, {@link io.bosun.scheduler.spi.PreFilterPlugin},
 * {@link io.bosun.scheduler.spi.FilterPlugin}, {@link io.bosun.scheduler.spi.PostFilterPlugin},
 * {@link io.bosun.scheduler.spi.PreScorePlugin}, {@link io.bosun.scheduler.spi.ScorePlugin},
 * {@link io.bosun.scheduler.spi.ReservePlugin}, {@link io.bosun.scheduler.spi.PermitPlugin},
 * {@link io.bosun.scheduler.spi.PreBindPlugin}, {@link io.bosun.scheduler.spi.BindPlugin},
 * {@link io.bosun.scheduler.spi.PostBindPlugin}, and optionally
 * {@link io.bosun.scheduler.spi.EnqueueExtensions} to say which cluster events may make a pod it
 * rejected schedulable again. Which extension points a plugin serves is read from the instance's
 * interfaces ({@link io.bosun.scheduler.spi.ExtensionPoint#of(Plugin)}): capabilities are data,
 * never probed by trial.
 *
 * <h2>Registration</h2>
 * A plugin bundle registers a {@link io.bosun.scheduler.spi.PluginFactory} service (a Declarative
 * Services component) with the service property
 * {@value io.bosun.scheduler.spi.PluginFactory#PLUGIN_NAME} naming the plugin. The scheduler
 * calls {@link io.bosun.scheduler.spi.PluginFactory#create} once per profile that enables the
 * plugin, with that profile's {@code pluginConfig} arguments and a
 * {@link io.bosun.scheduler.spi.Handle}. Factories may come and go at any time: a new or changed
 * factory takes effect at the next scheduling cycle; a cycle in progress finishes with the
 * instances it started with, after which retired instances are {@link
 * io.bosun.scheduler.spi.Plugin#close() closed}.
 *
 * <h2>Outcomes</h2>
 * Ordinary outcomes are a {@link io.bosun.scheduler.spi.Status}, never exceptions; a
 * {@code null} status means success. An unchecked exception thrown by a plugin is caught by the
 * framework and treated as a {@link io.bosun.scheduler.spi.Status.Code#ERROR} status of that
 * plugin (the pod is retried with backoff); it never stops the scheduler.
 *
 * <h2>Threads</h2>
 * One scheduling cycle runs at a time; inside it {@code Filter}, {@code Score} and the
 * {@code PreFilterExtensions} run in parallel across nodes, so the same plugin instance is called
 * concurrently. Binding cycles ({@code Permit} waiting, {@code PreBind}, {@code Bind},
 * {@code PostBind}) run concurrently with each other and with the next scheduling cycles. Keep
 * per-pod data in the {@link io.bosun.scheduler.spi.CycleState}, never in plugin fields. Each
 * interface says whether its methods may block.
 */
@Export
@Version("1.0.0")
package io.bosun.scheduler.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
