package io.bosun.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every group version upstream's 1.32 API server registers: shared meta types such as
 * {@code DeleteOptions} and {@code WatchEvent} are listed under all of them, whatever this server
 * serves, exactly as upstream publishes them.
 */
final class GroupVersions {

  private GroupVersions() {
  }

  private static final String[][] ALL = {
      {"", "v1"},
      {"admission.k8s.io", "v1"}, {"admission.k8s.io", "v1beta1"},
      {"admissionregistration.k8s.io", "v1"}, {"admissionregistration.k8s.io", "v1alpha1"},
      {"admissionregistration.k8s.io", "v1beta1"},
      {"apiextensions.k8s.io", "v1"}, {"apiextensions.k8s.io", "v1beta1"},
      {"apiregistration.k8s.io", "v1"}, {"apiregistration.k8s.io", "v1beta1"},
      {"apps", "v1"}, {"apps", "v1beta1"}, {"apps", "v1beta2"},
      {"authentication.k8s.io", "v1"}, {"authentication.k8s.io", "v1alpha1"}, {"authentication.k8s.io", "v1beta1"},
      {"authorization.k8s.io", "v1"}, {"authorization.k8s.io", "v1beta1"},
      {"autoscaling", "v1"}, {"autoscaling", "v2"}, {"autoscaling", "v2beta1"}, {"autoscaling", "v2beta2"},
      {"batch", "v1"}, {"batch", "v1beta1"},
      {"certificates.k8s.io", "v1"}, {"certificates.k8s.io", "v1alpha1"}, {"certificates.k8s.io", "v1beta1"},
      {"coordination.k8s.io", "v1"}, {"coordination.k8s.io", "v1alpha2"}, {"coordination.k8s.io", "v1beta1"},
      {"discovery.k8s.io", "v1"}, {"discovery.k8s.io", "v1beta1"},
      {"events.k8s.io", "v1"}, {"events.k8s.io", "v1beta1"},
      {"extensions", "v1beta1"},
      {"flowcontrol.apiserver.k8s.io", "v1"}, {"flowcontrol.apiserver.k8s.io", "v1beta1"},
      {"flowcontrol.apiserver.k8s.io", "v1beta2"}, {"flowcontrol.apiserver.k8s.io", "v1beta3"},
      {"imagepolicy.k8s.io", "v1alpha1"},
      {"internal.apiserver.k8s.io", "v1alpha1"},
      {"networking.k8s.io", "v1"}, {"networking.k8s.io", "v1alpha1"}, {"networking.k8s.io", "v1beta1"},
      {"node.k8s.io", "v1"}, {"node.k8s.io", "v1alpha1"}, {"node.k8s.io", "v1beta1"},
      {"policy", "v1"}, {"policy", "v1beta1"},
      {"rbac.authorization.k8s.io", "v1"}, {"rbac.authorization.k8s.io", "v1alpha1"},
      {"rbac.authorization.k8s.io", "v1beta1"},
      {"resource.k8s.io", "v1alpha3"}, {"resource.k8s.io", "v1beta1"},
      {"scheduling.k8s.io", "v1"}, {"scheduling.k8s.io", "v1alpha1"}, {"scheduling.k8s.io", "v1beta1"},
      {"storage.k8s.io", "v1"}, {"storage.k8s.io", "v1alpha1"}, {"storage.k8s.io", "v1beta1"},
      {"storagemigration.k8s.io", "v1alpha1"},
  };

  static List<ObjectNode> everyGroupVersion(String kind) {
    List<ObjectNode> out = new ArrayList<>();
    for (String[] gv : ALL) {
      out.add(Json.gvk(gv[0], gv[1], kind));
    }
    return out;
  }

  /** {@code Status} is registered in the core group and, as a type of their own, by resource.k8s.io. */
  static List<ObjectNode> status() {
    return List.of(Json.gvk("", "v1", "Status"), Json.gvk("resource.k8s.io", "v1alpha3", "Status"),
        Json.gvk("resource.k8s.io", "v1beta1", "Status"));
  }
}
