/**
 * OpenAPI v3 as upstream's API server publishes it under {@code /openapi/v3}: the discovery index
 * and one document per group version, built from the model's schema. kubectl reads them for
 * {@code explain} and to learn that the server validates fields ({@code fieldValidation}).
 */
package io.bosun.apiserver.openapi;
