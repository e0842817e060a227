package io.bosun.api.schema;

/**
 * How a scalar is published in OpenAPI: a plain {@code type}/{@code format}, or a reference to a
 * shared definition such as {@code io.k8s.apimachinery.pkg.api.resource.Quantity}; neither means
 * "any JSON value".
 */
public record ScalarInfo(String name, String javaType, String openapiType, String openapiFormat, String openapiRef) {
}
