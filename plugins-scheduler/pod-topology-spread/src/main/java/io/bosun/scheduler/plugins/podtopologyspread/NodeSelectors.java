package io.bosun.scheduler.plugins.podtopologyspread;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeAffinity;
import io.bosun.api.core.v1.NodeSelector;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.Requirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Node selection as upstream's {@code component-helpers/scheduling/corev1/nodeaffinity} (kept
 * private to this bundle so the plugin depends on the SPI and the API model only). Immutable and
 * thread-safe once built.
 */
final class NodeSelectors {

  /** The only field a node selector term may match. */
  static final String OBJECT_NAME_FIELD = "metadata.name";

  private NodeSelectors() {
  }

  /**
   * One parsed node selector term: its label requirements and field requirements are ANDed. A term
   * with neither, or one that failed to parse, matches no node.
   */
  record Term(List<Requirement> labels, List<Requirement> fields, String error) {

    boolean matches(Node node) {
      if (error != null || (labels.isEmpty() && fields.isEmpty())) {
        return false;
      }
      Map<String, String> nodeLabels = node.getMetadata() == null || node.getMetadata().getLabels() == null
          ? Map.of() : node.getMetadata().getLabels();
      for (Requirement r : labels) {
        if (!r.matches(nodeLabels)) {
          return false;
        }
      }
      String name = node.getMetadata() == null || node.getMetadata().getName() == null ? "" : node.getMetadata().getName();
      for (Requirement r : fields) {
        // A field selector sees a missing field as "".
        String actual = OBJECT_NAME_FIELD.equals(r.key()) ? name : "";
        boolean equal = actual.equals(r.values().get(0));
        if (r.operator() == Requirement.Operator.IN ? !equal : equal) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Parses a term. {@code matchExpressions} support In, NotIn, Exists, DoesNotExist, Gt and Lt;
   * {@code matchFields} In and NotIn with exactly one value.
   */
  static Term term(NodeSelectorTerm t) {
    List<Requirement> labels = new ArrayList<>();
    List<Requirement> fields = new ArrayList<>();
    try {
      for (NodeSelectorRequirement r : list(t.getMatchExpressions())) {
        labels.add(labelRequirement(r));
      }
      for (NodeSelectorRequirement r : list(t.getMatchFields())) {
        List<String> values = list(r.getValues());
        Requirement.Operator op = switch (nz(r.getOperator())) {
          case "In" -> Requirement.Operator.IN;
          case "NotIn" -> Requirement.Operator.NOT_IN;
          default -> throw new IllegalArgumentException("matchFields: Unsupported value: \"" + r.getOperator()
              + "\": supported values: \"In\", \"NotIn\"");
        };
        if (values.size() != 1) {
          throw new IllegalArgumentException("matchFields values: must have one element");
        }
        fields.add(new Requirement(nz(r.getKey()), op, values));
      }
    } catch (IllegalArgumentException e) {
      return new Term(List.of(), List.of(), e.getMessage());
    }
    return new Term(List.copyOf(labels), List.copyOf(fields), null);
  }

  private static Requirement labelRequirement(NodeSelectorRequirement r) {
    List<String> values = list(r.getValues());
    String op = nz(r.getOperator());
    Requirement.Operator o = switch (op) {
      case "In" -> Requirement.Operator.IN;
      case "NotIn" -> Requirement.Operator.NOT_IN;
      case "Exists" -> Requirement.Operator.EXISTS;
      case "DoesNotExist" -> Requirement.Operator.DOES_NOT_EXIST;
      case "Gt" -> Requirement.Operator.GREATER_THAN;
      case "Lt" -> Requirement.Operator.LESS_THAN;
      default -> throw new IllegalArgumentException("matchExpressions: Unsupported value: \"" + op + "\"");
    };
    switch (o) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          throw new IllegalArgumentException("for 'in', 'notin' operators, values set can't be empty");
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          throw new IllegalArgumentException("values set must be empty for exists and does not exist");
        }
      }
      default -> {
        if (values.size() != 1) {
          throw new IllegalArgumentException("for 'Gt', 'Lt' operators, exactly one value is required");
        }
        try {
          Long.parseLong(values.get(0));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
    }
    return new Requirement(nz(r.getKey()), o, values);
  }

  /** A node selector: its terms are ORed; no terms select no node. */
  record Selector(List<Term> terms) {

    boolean matches(Node node) {
      for (Term t : terms) {
        if (t.matches(node)) {
          return true;
        }
      }
      return false;
    }

    /** The first term's parse error, or null. */
    String error() {
      return terms.stream().map(Term::error).filter(e -> e != null).findFirst().orElse(null);
    }
  }

  /** Parses {@code ns}; terms that fail to parse never match (upstream's lazy-error selector). */
  static Selector selector(NodeSelector ns) {
    List<Term> terms = new ArrayList<>();
    for (NodeSelectorTerm t : list(ns.getNodeSelectorTerms())) {
      terms.add(term(t));
    }
    return new Selector(List.copyOf(terms));
  }

  /**
   * A pod's required node affinity, as upstream's {@code RequiredNodeAffinity}: its
   * {@code spec.nodeSelector} labels and, if any, its required node affinity terms must both match.
   */
  record RequiredNodeAffinity(Map<String, String> nodeSelector, Selector required) {

    static RequiredNodeAffinity of(Pod pod) {
      Map<String, String> ns = pod.getSpec() == null || pod.getSpec().getNodeSelector() == null
          ? Map.of() : Map.copyOf(pod.getSpec().getNodeSelector());
      NodeAffinity na = pod.getSpec() == null || pod.getSpec().getAffinity() == null
          ? null : pod.getSpec().getAffinity().getNodeAffinity();
      NodeSelector req = na == null ? null : na.getRequiredDuringSchedulingIgnoredDuringExecution();
      return new RequiredNodeAffinity(ns, req == null ? null : selector(req));
    }

    boolean matches(Node node) {
      if (!nodeSelector.isEmpty()) {
        Map<String, String> labels = node.getMetadata() == null || node.getMetadata().getLabels() == null
            ? Map.of() : node.getMetadata().getLabels();
        for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
          if (!e.getValue().equals(labels.get(e.getKey()))) {
            return false;
          }
        }
      }
      return required == null || required.matches(node);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
