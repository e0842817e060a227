package io.bosun.apiserver.patch;

import static io.bosun.apiserver.patch.ServerSideApplyTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.schema.ApiSchema;
import org.junit.jupiter.api.Test;

/** Strategic merge patch behaviour beyond what the kubectl-generated cases cover. */
class StrategicMergePatchTest {

  private static JsonNode smp(String kind, String original, String patch) throws PatchException {
    return StrategicMergePatch.apply(json(original), json(patch), FixtureTypes.INSTANCE, kind);
  }

  @Test
  void fieldsUnknownToTheSchemaMergeLikeAMergePatch() throws Exception {
    JsonNode out = smp("Deployment", "{'spec':{'extra':{'a':1,'b':{'c':2}},'list':[1,2]}}",
        "{'spec':{'extra':{'b':{'d':3},'a':null},'list':[3]}}");
    assertThat(out).isEqualTo(json("{'spec':{'extra':{'b':{'c':2,'d':3}},'list':[3]}}"));
  }

  @Test
  void freeFormJsonFieldsAreReplaced() throws Exception {
    JsonNode out = smp("ControllerRevision", "{'data':{'spec':{'a':1,'b':2}},'revision':1}",
        "{'data':{'spec':{'c':3}}}");
    assertThat(out.get("data")).isEqualTo(json("{'spec':{'c':3}}"));
  }

  @Test
  void directivesAndNullsDoNotLeakIntoNewValues() throws Exception {
    JsonNode out = smp("Deployment", "{'spec':{'replicas':1}}", """
        {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'a'}],
          'containers':[{'name':'a','image':'x','$setElementOrder/env':[{'name':'E'}],'env':[{'name':'E','value':null}]}],
          'securityContext':{'runAsUser':null,'fsGroup':2}}}}}""");
    assertThat(out).isEqualTo(json("""
        {'spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'a','image':'x','env':[{'name':'E'}]}],
          'securityContext':{'fsGroup':2}}}}}"""));
  }

  @Test
  void nullPatchChangesNothingAndNonObjectPatchIsABadRequest() throws Exception {
    assertThat(StrategicMergePatch.apply(json("{'a':1}"), Json.NODES.nullNode(), FixtureTypes.INSTANCE, "Deployment"))
        .isEqualTo(json("{'a':1}"));
    PatchException e = catchThrowableOfType(PatchException.class, () -> smp("Deployment", "{}", "[1]"));
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.statusMessage()).isEqualTo("json: cannot unmarshal array into Go value of type map[string]interface {}");
  }

  @Test
  void listsOfListsAre422() {
    PatchException e = catchThrowableOfType(PatchException.class,
        () -> smp("Deployment", "{'metadata':{'finalizers':[['a']]}}", "{'metadata':{'finalizers':[['b']]}}"));
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.getMessage()).isEqualTo("lists of lists are not supported");
  }

  @Test
  void missingMergeKeyIsPassedThroughAs500() {
    PatchException e = catchThrowableOfType(PatchException.class,
        () -> smp("Pod", "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'image':'x'}]}}"));
    assertThat(e.code()).isEqualTo(500);
    assertThat(e.reason()).isEmpty();
    assertThat(e.statusMessage()).isEqualTo("map: map[image:x] does not contain declared merge key: name");
  }

  @Test
  void inputsAreNotModified() throws Exception {
    JsonNode original = json("{'metadata':{'labels':{'a':'1'}},'spec':{'containers':[{'name':'a','image':'1'}]}}");
    JsonNode patch = json("{'metadata':{'labels':{'a':null}},'spec':{'containers':[{'name':'a','$patch':'delete'}]}}");
    JsonNode o = original.deepCopy();
    JsonNode p = patch.deepCopy();
    StrategicMergePatch.apply(original, patch, FixtureTypes.INSTANCE, "PodSpec");
    assertThat(original).isEqualTo(o);
    assertThat(patch).isEqualTo(p);
  }

  @Test
  void namespaceConditionsMergeByTypeWithTheRealSchema() throws Exception {
    ApiSchema schema = ApiSchema.load();
    JsonNode out = StrategicMergePatch.apply(
        json("{'status':{'phase':'Active','conditions':[{'type':'A','status':'True'},{'type':'B','status':'False'}]}}"),
        json("{'status':{'conditions':[{'type':'B','status':'True'}]}}"), schema.type("Namespace"), schema);
    assertThat(out).isEqualTo(json(
        "{'status':{'phase':'Active','conditions':[{'type':'A','status':'True'},{'type':'B','status':'True'}]}}"));
  }
}
