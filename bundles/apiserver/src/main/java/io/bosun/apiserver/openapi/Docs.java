package io.bosun.apiserver.openapi;

/** Upstream's descriptions of hand-written definitions and of the common request parameters. */
final class Docs {

  private Docs() {
  }

  static final String QUANTITY = "Quantity is a fixed-point representation of a number. It provides convenient "
      + "marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe "
      + "serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may "
      + "be empty, from the \"\" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= "
      + "<digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>"
      + "            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= "
      + "<binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t"
      + "(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       "
      + "::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the "
      + "capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```\n\nNo matter which "
      + "of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, "
      + "nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. "
      + "(E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller "
      + "quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and "
      + "will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in "
      + "\"canonical form\". This means that Exponent/suffix will be adjusted up or down (with a corresponding "
      + "increase or decrease in Mantissa) such that:\n\n- No precision is lost - No fractional digits will be "
      + "emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will be omitted unless the number "
      + "is negative.\n\nExamples:\n\n- 1.5 will be serialized as \"1500m\" - 1.5Gi will be serialized as "
      + "\"1536Mi\"\n\nNote that the quantity will NEVER be internally represented by a floating point number. That "
      + "is the whole point of this exercise.\n\nNon-canonical values will still parse as long as they are well "
      + "formed, but will be re-emitted in their canonical form. (So always use canonical form, or don't diff.)\n\n"
      + "This format is intended to make it difficult to use these numbers without writing some sort of special "
      + "handling code in the hopes that that will cause implementors to also use a fixed point implementation.";
  static final String INT_OR_STRING = "IntOrString is a type that can hold an int32 or a string.  When used in JSON "
      + "or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, "
      + "for example, a JSON field that can accept a name or number.";
  static final String TIME = "Time is a wrapper around time.Time which supports correct marshaling to YAML and "
      + "JSON.  Wrappers are provided for many of the factory methods that the time package offers.";
  static final String MICRO_TIME = "MicroTime is version of Time with microsecond level precision.";
  static final String FIELDS_V1 = "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON "
      + "format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or "
      + "a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', "
      + "where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact "
      + "json formatted value of a list item 'i:<index>', where <index> is position of a item in a list "
      + "'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an "
      + "empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in "
      + "sigs.k8s.io/structured-merge-diff";
  static final String RAW_EXTENSION = "RawExtension is used to hold extensions in external versions.\n\nTo use this, "
      + "make a field which has RawExtension as its type in your external, versioned struct, and Object in your "
      + "internal struct. You also need to register your various plugin types.\n\n// Internal package:\n\n\ttype "
      + "MyAPIObject struct {\n\t\truntime.TypeMeta `json:\",inline\"`\n\t\tMyPlugin runtime.Object "
      + "`json:\"myPlugin\"`\n\t}\n\n\ttype PluginA struct {\n\t\tAOption string `json:\"aOption\"`\n\t}\n\n// "
      + "External package:\n\n\ttype MyAPIObject struct {\n\t\truntime.TypeMeta `json:\",inline\"`\n\t\tMyPlugin "
      + "runtime.RawExtension `json:\"myPlugin\"`\n\t}\n\n\ttype PluginA struct {\n\t\tAOption string "
      + "`json:\"aOption\"`\n\t}\n\n// On the wire, the JSON will look something like this:\n\n\t{\n\t\t\"kind\":"
      + "\"MyAPIObject\",\n\t\t\"apiVersion\":\"v1\",\n\t\t\"myPlugin\": {\n\t\t\t\"kind\":\"PluginA\",\n\t\t\t"
      + "\"aOption\":\"foo\",\n\t\t},\n\t}\n\nSo what happens? Decode first uses json or yaml to unmarshal the "
      + "serialized data into your external MyAPIObject. That causes the raw JSON to be stored, but not unpacked. "
      + "The next step is to copy (using pkg/conversion) into the internal struct. The runtime package's "
      + "DefaultScheme has conversion functions installed which will unpack the JSON stored in RawExtension, "
      + "turning it into the correct object type, and storing it in the Object. (TODO: In the case where the object "
      + "is of an unknown type, a runtime.Unknown object will be created and stored.)";
  static final String PATCH = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request "
      + "body.";

  // Parameters
  static final String ALLOW_WATCH_BOOKMARKS = "allowWatchBookmarks requests watch events with type \"BOOKMARK\". "
      + "Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's "
      + "discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume "
      + "the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.";
  static final String CONTINUE = "The continue option should be set when retrieving more results from the server. "
      + "Since this value is server defined, clients may only use the continue value from a previous query result "
      + "with identical query parameters (except for the value of continue) and the server may reject a continue "
      + "value it does not recognize. If the specified continue value is no longer valid whether due to expiration "
      + "(generally five to fifteen minutes) or a configuration change on the server, the server will respond with "
      + "a 410 ResourceExpired error together with a continue token. If the client needs a consistent list, it must "
      + "restart their list without the continue field. Otherwise, the client may send another list request with "
      + "the token received with the 410 error, the server will respond with a list starting from the next key, "
      + "but from the latest snapshot, which is inconsistent from the previous list results - objects that are "
      + "created, modified, or deleted after the first list request will be included in the response, as long as "
      + "their keys are after the \"next key\".\n\nThis field is not supported when watch is true. Clients may "
      + "start a watch from the last resourceVersion value returned by the server and not miss any modifications.";
  static final String FIELD_SELECTOR = "A selector to restrict the list of returned objects by their fields. "
      + "Defaults to everything.";
  static final String LABEL_SELECTOR = "A selector to restrict the list of returned objects by their labels. "
      + "Defaults to everything.";
  static final String LIMIT = "limit is a maximum number of responses to return for a list call. If more items "
      + "exist, the server will set the `continue` field on the list metadata to a value that can be used with the "
      + "same initial query to retrieve the next set of results. Setting a limit may return fewer than the "
      + "requested amount of items (up to zero items) in the event all requested objects are filtered out and "
      + "clients should only use the presence of the continue field to determine whether more results are "
      + "available. Servers may choose not to support the limit argument and will return all of the available "
      + "results. If limit is specified and the continue field is empty, clients may assume that no more results "
      + "are available. This field is not supported if watch is true.\n\nThe server guarantees that the objects "
      + "returned when using continue will be identical to issuing a single list call without a limit - that is, "
      + "no objects created, modified, or deleted after the first request is issued will be included in any "
      + "subsequent continued requests. This is sometimes referred to as a consistent snapshot, and ensures that a "
      + "client that is using limit to receive smaller chunks of a very large result can ensure they see all "
      + "possible objects. If objects are updated during a chunked list the version of the object that was present "
      + "at the time the first list result was calculated is returned.";
  static final String PRETTY = "If 'true', then the output is pretty printed. Defaults to 'false' unless the "
      + "user-agent indicates a browser or command-line HTTP tool (curl and wget).";
  static final String RESOURCE_VERSION = "resourceVersion sets a constraint on what resource versions a request may "
      + "be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for "
      + "details.\n\nDefaults to unset";
  static final String RESOURCE_VERSION_MATCH = "resourceVersionMatch determines how resourceVersion is applied to "
      + "list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion "
      + "is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details."
      + "\n\nDefaults to unset";
  static final String SEND_INITIAL_EVENTS = "`sendInitialEvents=true` may be set together with `watch=true`. In that "
      + "case, the watch stream will begin with synthetic events to produce the current state of objects in the "
      + "collection. Once all such events have been sent, a synthetic \"Bookmark\" event  will be sent. The bookmark "
      + "will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with "
      + "`\"k8s.io/initial-events-end\": \"true\"` annotation. Afterwards, the watch stream will proceed as usual, "
      + "sending watch events corresponding to changes (subsequent to the RV) to objects watched.\n\nWhen "
      + "`sendInitialEvents` option is set, we require `resourceVersionMatch` option to also be set. The semantic "
      + "of the watch request is as following: - `resourceVersionMatch` = NotOlderThan\n  is interpreted as \"data "
      + "at least as new as the provided `resourceVersion`\"\n  and the bookmark event is send when the state is "
      + "synced\n  to a `resourceVersion` at least as fresh as the one provided by the ListOptions.\n  If "
      + "`resourceVersion` is unset, this is interpreted as \"consistent read\" and the\n  bookmark event is send "
      + "when the state is synced at least to the moment\n  when request started being processed.\n- "
      + "`resourceVersionMatch` set to any other value or unset\n  Invalid error is returned.\n\nDefaults to true if "
      + "`resourceVersion=\"\"` or `resourceVersion=\"0\"` (for backward compatibility reasons) and to false "
      + "otherwise.";
  static final String TIMEOUT_SECONDS = "Timeout for the list/watch call. This limits the duration of the call, "
      + "regardless of any activity or inactivity.";
  static final String WATCH = "Watch for changes to the described resources and return them as a stream of add, "
      + "update, and remove notifications. Specify resourceVersion.";
  static final String DRY_RUN = "When present, indicates that modifications should not be persisted. An invalid or "
      + "unrecognized dryRun directive will result in an error response and no further processing of the request. "
      + "Valid values are: - All: all dry run stages will be processed";
  static final String FIELD_MANAGER = "fieldManager is a name associated with the actor or entity that is making "
      + "these changes. The value must be less than or 128 characters long, and only contain printable characters, "
      + "as defined by https://golang.org/pkg/unicode/#IsPrint.";
  static final String FIELD_MANAGER_PATCH = FIELD_MANAGER + " This field is required for apply requests "
      + "(application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, "
      + "StrategicMergePatch).";
  static final String FIELD_VALIDATION = "fieldValidation instructs the server on how to handle objects in the "
      + "request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will "
      + "ignore any unknown fields that are silently dropped from the object, and will ignore all but the last "
      + "duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This "
      + "will send a warning via the standard warning response header for each unknown field that is dropped from "
      + "the object, and for each duplicate field that is encountered. The request will still succeed if there are "
      + "no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - "
      + "Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the "
      + "object, or if any duplicate fields are present. The error returned from the server will contain all "
      + "unknown and duplicate fields encountered.";
  static final String FORCE = "Force is going to \"force\" Apply requests. It means user will re-acquire "
      + "conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.";
  static final String GRACE_PERIOD_SECONDS = "The duration in seconds before the object should be deleted. Value "
      + "must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the "
      + "default grace period for the specified type will be used. Defaults to a per object value if not "
      + "specified. zero means delete immediately.";
  static final String IGNORE_STORE_READ_ERROR = "if set to true, it will trigger an unsafe deletion of the resource "
      + "in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it "
      + "can not be retrieved from the underlying storage successfully because of a) its data can not be "
      + "transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion "
      + "ignores finalizer constraints, skips precondition checks, and removes the object from the storage. "
      + "WARNING: This may potentially break the cluster if the workload associated with the resource being "
      + "unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default "
      + "value is false, and the user must opt in to enable it";
  static final String ORPHAN_DEPENDENTS = "Deprecated: please use the PropagationPolicy, this field will be "
      + "deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will "
      + "be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, "
      + "but not both.";
  static final String PROPAGATION_POLICY = "Whether and how garbage collection will be performed. Either this field "
      + "or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set "
      + "in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - "
      + "orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the "
      + "background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.";
  static final String NAMESPACE = "object name and auth scope, such as for teams and projects";
}
