/**
 * Server-side printing: turns stored object trees into the {@code meta.k8s.io/v1} {@code Table}
 * that {@code kubectl get} asks for, with upstream's columns and cell values per kind.
 */
package io.bosun.apiserver.table;
