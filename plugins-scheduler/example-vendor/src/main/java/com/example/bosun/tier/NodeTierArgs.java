package com.example.bosun.tier;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The plugin's typed arguments: a profile's {@code pluginConfig} entry read into a record, strictly
 * (unknown fields and wrong types are errors; {@code apiVersion} and {@code kind} are ignored, as in
 * an args object of upstream's KubeSchedulerConfiguration).
 *
 * @param labelKey    the node label holding a node's tier (default {@value #DEFAULT_LABEL})
 * @param tiers       the tiers from most to least preferred (default {@code [gold, silver, bronze]});
 *                    a pod may reorder or narrow them with the annotation {@value NodeTier#POD_ANNOTATION}
 * @param requireTier true: only nodes of one of the pod's tiers fit (Filter); false (default): tiers
 *                    only score, and untiered nodes score 0
 */
@JsonIgnoreProperties({"apiVersion", "kind"})
public record NodeTierArgs(String labelKey, List<String> tiers, boolean requireTier) {

  /** The default tier label. */
  public static final String DEFAULT_LABEL = "example.com/tier";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  /** Fills defaults and validates. */
  public NodeTierArgs {
    labelKey = labelKey == null ? DEFAULT_LABEL : labelKey.strip();
    tiers = tiers == null ? List.of("gold", "silver", "bronze") : List.copyOf(tiers);
    if (labelKey.isEmpty()) {
      throw new IllegalArgumentException("labelKey must not be empty");
    }
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("tiers must name at least one tier");
    }
    if (tiers.stream().anyMatch(t -> t == null || t.isBlank())) {
      throw new IllegalArgumentException("tiers must not contain empty names");
    }
    if (tiers.stream().distinct().count() != tiers.size()) {
      throw new IllegalArgumentException("tiers must not repeat a tier: " + tiers);
    }
  }

  /**
   * Reads the arguments the scheduler passes to the factory ({@code {}} when the profile has none).
   *
   * @throws IllegalArgumentException naming the offending field; the scheduler then reports the
   *                                  profile as not ready
   */
  public static NodeTierArgs parse(JsonNode args) {
    if (args == null || args.isNull()) {
      return new NodeTierArgs(null, null, false);
    }
    if (!args.isObject()) {
      throw new IllegalArgumentException(NodeTier.NAME + " args must be an object");
    }
    try {
      return JSON.treeToValue(args, NodeTierArgs.class);
    } catch (ValueInstantiationException e) {
      // thrown by the compact constructor's checks
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(NodeTier.NAME + " args: " + cause.getMessage(), cause);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(NodeTier.NAME + " args: " + e.getOriginalMessage(), e);
    }
  }
}
