/**
 * PATCH and apply as upstream's kube-apiserver does them, on Jackson trees (inputs are never
 * modified): {@link io.bosun.apiserver.patch.JsonPatch} (RFC 6902, evanphx/json-patch v4),
 * {@link io.bosun.apiserver.patch.JsonMergePatch} (RFC 7386, evanphx),
 * {@link io.bosun.apiserver.patch.StrategicMergePatch} (k8s strategicpatch),
 * {@link io.bosun.apiserver.patch.ServerSideApply} and
 * {@link io.bosun.apiserver.patch.ManagedFields} (structured-merge-diff and upstream's field
 * manager), with {@link io.bosun.apiserver.patch.FieldSet} for fieldsV1 and
 * {@link io.bosun.apiserver.patch.PatchType} for Content-Types. Failures carry upstream's HTTP
 * answer: {@link io.bosun.apiserver.patch.PatchException} and
 * {@link io.bosun.apiserver.patch.ConflictException} (409).
 */
package io.bosun.apiserver.patch;
