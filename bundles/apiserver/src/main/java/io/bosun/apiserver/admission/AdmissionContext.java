package io.bosun.apiserver.admission;

import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.storage.ObjectStorage;

/** What admission plugins may consult: the served resources and the stored objects. */
public record AdmissionContext(ResourceRegistry registry, ObjectStorage storage, boolean dryRun) {
}
