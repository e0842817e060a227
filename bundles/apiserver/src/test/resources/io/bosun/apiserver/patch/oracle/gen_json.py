# Regenerates ../json-patch-kubectl-cases.json with kubectl (evanphx/json-patch v4):
#   python3 gen_json.py ../json-patch-kubectl-cases.json
import json, subprocess, sys, tempfile, os
D = {"apiVersion":"apps/v1","kind":"Deployment",
 "metadata":{"name":"web","labels":{"app":"web","a/b":"slash","t~x":"tilde"},"finalizers":["f1","f2"]},
 "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80}]},{"name":"sidecar","image":"busybox"}]}}}}
jp = [
 ("replace image", [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.26"}]),
 ("add label", [{"op":"add","path":"/metadata/labels/new","value":"x"}]),
 ("add escaped label", [{"op":"add","path":"/metadata/labels/example.com~1team","value":"x"}]),
 ("remove escaped label", [{"op":"remove","path":"/metadata/labels/a~1b"},{"op":"remove","path":"/metadata/labels/t~0x"}]),
 ("append container", [{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"c3","image":"x"}}]),
 ("insert container at 0", [{"op":"add","path":"/spec/template/spec/containers/0","value":{"name":"c0","image":"x"}}]),
 ("insert at end index", [{"op":"add","path":"/spec/template/spec/containers/2","value":{"name":"c2","image":"x"}}]),
 ("negative index add", [{"op":"add","path":"/spec/template/spec/containers/-1","value":{"name":"neg","image":"x"}}]),
 ("negative index remove", [{"op":"remove","path":"/spec/template/spec/containers/-1"}]),
 ("remove finalizer", [{"op":"remove","path":"/metadata/finalizers/0"}]),
 ("test then replace", [{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":3}]),
 ("test null on missing", [{"op":"test","path":"/spec/paused","value":None}]),
 ("move label", [{"op":"move","from":"/metadata/labels/app","path":"/metadata/labels/application"}]),
 ("move container", [{"op":"move","from":"/spec/template/spec/containers/1","path":"/spec/template/spec/containers/0"}]),
 ("copy image into annotation", [{"op":"add","path":"/metadata/annotations","value":{}},{"op":"copy","from":"/spec/template/spec/containers/0/image","path":"/metadata/annotations/img"}]),
 ("copy missing key copies null", [{"op":"copy","from":"/spec/nope","path":"/spec/copied"}]),
 ("replace missing key adds", [{"op":"replace","path":"/spec/paused","value":True}]),
 ("add replaces existing", [{"op":"add","path":"/spec/replicas","value":7}]),
 ("leading zero index", [{"op":"add","path":"/spec/template/spec/containers/01","value":{"name":"z","image":"x"}}]),
 ("path without slash", [{"op":"add","path":"spec/x","value":1}]),
 ("add without value is null", [{"op":"add","path":"/spec/paused"}]),
 ("empty patch", []),
 ("error: test fails", [{"op":"test","path":"/metadata/name","value":"other"}]),
 ("error: test int vs float", [{"op":"test","path":"/spec/replicas","value":2.0}]),
 ("error: add missing parent", [{"op":"add","path":"/spec/foo/bar","value":"x"}]),
 ("error: add to scalar parent", [{"op":"add","path":"/spec/replicas/x","value":1}]),
 ("error: remove missing key", [{"op":"remove","path":"/spec/nope"}]),
 ("error: remove bad index", [{"op":"remove","path":"/spec/template/spec/containers/5"}]),
 ("error: remove non-numeric index", [{"op":"remove","path":"/spec/template/spec/containers/x"}]),
 ("error: add non-numeric index", [{"op":"add","path":"/spec/template/spec/containers/x","value":{}}]),
 ("error: add index too large", [{"op":"add","path":"/spec/template/spec/containers/9","value":{}}]),
 ("error: replace bad index", [{"op":"replace","path":"/spec/template/spec/containers/5","value":{}}]),
 ("error: move from missing key", [{"op":"move","from":"/spec/nope","path":"/spec/x"}]),
 ("error: move from bad index", [{"op":"move","from":"/spec/template/spec/containers/9","path":"/x"}]),
 ("error: copy from bad index", [{"op":"copy","from":"/spec/template/spec/containers/9","path":"/x"}]),
 ("error: test bad index", [{"op":"test","path":"/spec/template/spec/containers/9","value":1}]),
 ("error: test missing value", [{"op":"test","path":"/metadata/name"}]),
 ("error: unknown op", [{"op":"foo","path":"/x"}]),
 ("error: missing op", [{"path":"/x"}]),
 ("error: add without path", [{"op":"add","value":1}]),
 ("error: replace without path", [{"op":"replace","value":1}]),
 ("error: move without from", [{"op":"move","path":"/x"}]),
 ("error: add to root", [{"op":"add","path":"","value":{"a":1}}]),
 ("error: test root", [{"op":"test","path":"","value":{"a":1}}]),
 ("error: later op fails after earlier succeed", [{"op":"replace","path":"/spec/replicas","value":3},{"op":"test","path":"/spec/replicas","value":2}]),
 ("error: patch is an object", {"op":"add"}),
 ("error: operation is a string", ["x"]),
]
mp = [
 ("merge labels", {"metadata":{"labels":{"app":None,"new":"1"}}}),
 ("replace list", {"spec":{"template":{"spec":{"containers":[{"name":"only"}]}}}}),
 ("nested new object prunes nulls", {"spec":{"strategy":{"type":"Recreate","rollingUpdate":None}}}),
 ("scalar to object", {"spec":{"replicas":{"a":1,"b":None}}}),
 ("object to scalar", {"metadata":{"labels":"x"}}),
 ("null in array value pruned when new", {"spec":{"x":[1,None,{"a":None,"b":2}]}}),
 ("delete spec", {"spec":None}),
 ("error: null patch", None),
 ("error: scalar patch", 5),
]
def run(kind, orig, patch):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(orig, f); fn = f.name
    r = subprocess.run(["kubectl","patch","--local","-f",fn,"--type",kind,"-p",json.dumps(patch),"-o","json"], capture_output=True, text=True)
    os.unlink(fn)
    return r
out = {"source": "expected results produced by kubectl v1.32 `patch --local` (evanphx/json-patch v4, as upstream's API server)", "jsonPatch": [], "mergePatch": []}
for key, kind, cases in (("jsonPatch","json",jp),("mergePatch","merge",mp)):
    for name, patch in cases:
        r = run(kind, D, patch)
        case = {"name": name, "original": D, "patch": patch}
        if r.returncode == 0:
            case["expected"] = json.loads(r.stdout)
        else:
            msg = r.stderr.strip()
            if msg.startswith("error: "): msg = msg[7:]
            pre = "Object to be patched is missing field ("
            if msg.startswith(pre):
                msg = "replace operation does not apply: doc is missing key: " + msg[len(pre):-1]
            case["error"] = msg
        out[key].append(case)
        print(name, "->", "ok" if r.returncode == 0 else case["error"][:150], file=sys.stderr)
json.dump(out, open(sys.argv[1], "w"), indent=1)
