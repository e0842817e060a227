package io.bosun.apiserver.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An object read from the store, with {@code metadata.resourceVersion} set to its revision.
 * The tree belongs to the caller.
 */
public record StoredObject(ObjectNode object, long revision) {
}
