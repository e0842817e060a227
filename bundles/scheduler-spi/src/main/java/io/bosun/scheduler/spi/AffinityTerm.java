package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.LabelSelector;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed pod (anti-)affinity term, as upstream's {@code framework.AffinityTerm}: the pods it
 * selects are those in {@link #namespaces()} or in a namespace matching
 * {@link #namespaceSelector()}, whose labels match {@link #selector()}; {@link #topologyKey()} is
 * the node label that defines the topology domain. Immutable.
 *
 * <p>Built by {@link PodInfo#of(Pod)}: an empty namespace list with no namespace selector means the
 * owning pod's namespace; {@code matchLabelKeys} / {@code mismatchLabelKeys} are already folded into
 * {@link #selector()} with the owning pod's label values, as upstream does.
 *
 * @param namespaces        namespaces named by the term (may be empty)
 * @param selector          label selector for pods; {@link LabelSelector#nothing()} for a null one
 * @param topologyKey       node label key of the topology domain
 * @param namespaceSelector selector for namespaces by their labels; {@link LabelSelector#nothing()}
 *                          for a null one, {@link LabelSelector#everything()} for an empty one
 */
public record AffinityTerm(Set<String> namespaces, LabelSelector selector, String topologyKey,
    LabelSelector namespaceSelector) {

  public AffinityTerm {
    namespaces = Set.copyOf(namespaces);
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(topologyKey, "topologyKey");
    Objects.requireNonNull(namespaceSelector, "namespaceSelector");
  }

  /**
   * Whether {@code pod} is selected by this term, as upstream's {@code AffinityTerm.Matches}.
   *
   * @param namespaceLabels labels of {@code pod}'s namespace (null: none known, so only the
   *                        namespace list can match)
   */
  public boolean matches(Pod pod, Map<String, String> namespaceLabels) {
    String ns = pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
    boolean nsMatch = namespaces.contains(ns)
        || (namespaceLabels != null && namespaceSelector.matches(namespaceLabels));
    if (!nsMatch) {
      return false;
    }
    Map<String, String> labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
        ? Map.of() : pod.getMetadata().getLabels();
    return selector.matches(labels);
  }
}
