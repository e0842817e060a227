package io.bosun.apiserver.patch;

import static io.bosun.apiserver.patch.ServerSideApplyTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

  private static final JsonNode DOC = json("{'metadata':{'name':'web','labels':{'a':'1'}},'spec':{'list':[1,2,3]}}");

  @Test
  void failedOperationsAre422WithUpstreamsGenericMessage() {
    PatchException e = catchThrowableOfType(PatchException.class,
        () -> JsonPatch.apply(DOC, json("[{'op':'test','path':'/metadata/name','value':'x'}]")));
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.reason()).isEqualTo("Invalid");
    assertThat(e.statusMessage()).isEqualTo("the server rejected our request due to an error in our request");
    assertThat(e.getMessage()).isEqualTo("testing value /metadata/name failed: test failed");

    PatchException missing = catchThrowableOfType(PatchException.class,
        () -> JsonPatch.apply(DOC, json("[{'op':'add','path':'/spec/foo/bar','value':1}]")));
    assertThat(missing.getMessage()).isEqualTo("add operation does not apply: doc is missing path: \"/spec/foo/bar\": missing value");
  }

  @Test
  void undecodablePatchesAre400() {
    PatchException e = catchThrowableOfType(PatchException.class, () -> JsonPatch.apply(DOC, json("{'op':'add'}")));
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.statusMessage()).isEqualTo("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }

  @Test
  void tooManyOperationsAre413() {
    ArrayNode ops = Json.NODES.arrayNode();
    for (int i = 0; i <= JsonPatch.MAX_OPERATIONS; i++) {
      ops.addObject().put("op", "test").put("path", "/metadata/name").put("value", "web");
    }
    PatchException e = catchThrowableOfType(PatchException.class, () -> JsonPatch.apply(DOC, ops));
    assertThat(e.code()).isEqualTo(413);
    assertThat(e.statusMessage()).isEqualTo(
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
  }

  @Test
  void operationsApplyInOrderAndAtomically() throws Exception {
    JsonNode out = JsonPatch.apply(DOC, json("""
        [{'op':'add','path':'/spec/list/1','value':9},{'op':'remove','path':'/spec/list/0'},
         {'op':'copy','from':'/metadata/name','path':'/metadata/labels/name'},
         {'op':'move','from':'/metadata/labels/a','path':'/metadata/labels/b'}]"""));
    assertThat(out).isEqualTo(json("{'metadata':{'name':'web','labels':{'name':'web','b':'1'}},'spec':{'list':[9,2,3]}}"));
    assertThat(DOC).isEqualTo(json("{'metadata':{'name':'web','labels':{'a':'1'}},'spec':{'list':[1,2,3]}}"));
  }

  @Test
  void pointerEscapesDecodeInOnePass() {
    assertThat(JsonPatch.unescape("a~1b~0c~01")).isEqualTo("a/b~c~1");
  }

  @Test
  void copyGrowthIsCapped() {
    StringBuilder big = new StringBuilder();
    big.append("x".repeat(1024 * 1024));
    JsonNode doc = Json.NODES.objectNode().put("big", big.toString());
    ArrayNode ops = Json.NODES.arrayNode();
    for (int i = 0; i < 4; i++) {
      ops.addObject().put("op", "copy").put("from", "/big").put("path", "/c" + i);
    }
    PatchException e = catchThrowableOfType(PatchException.class, () -> JsonPatch.apply(doc, ops));
    assertThat(e.getMessage()).startsWith("Unable to complete the copy, the accumulated size increase of copy is");
  }
}
