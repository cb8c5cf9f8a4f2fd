#!/usr/bin/env python3
"""The data of the API's readable page (GET /api, src/apidoc.c): reads
docs/openapi.yaml on stdin, writes JSON on stdout, one entry per
operation, grouped by tag in the spec's order of tags.  Run by the
Makefile at build time (python3-yaml), so the module need not parse YAML.
"""
import json
import sys

import yaml

METHODS = ("get", "post", "put", "patch", "delete")


def deref(spec, o):
    """A $ref into the spec, resolved; anything else as it is."""
    if isinstance(o, dict) and "$ref" in o:
        at = spec
        for k in o["$ref"][2:].split("/"):
            at = at[k.replace("~1", "/").replace("~0", "~")]
        return at
    return o


def type_of(spec, s):
    """A schema's type in a few words (integer, string (enum: a|b), ...)."""
    s = deref(spec, s or {})
    t = s.get("type", "any")
    t = " | ".join(t) if isinstance(t, list) else t
    if "enum" in s:
        t += " (" + " | ".join(str(v) for v in s["enum"]) + ")"
    if "format" in s:
        t += ", " + s["format"]
    return t


def auth_of(spec, op):
    """Who may call: public, optional session, or signed in (and how)."""
    sec = op.get("security", spec.get("security", []))
    if not sec:
        return "public"
    names = [" + ".join(k for k in r) for r in sec if r]
    return ("optional: " if {} in sec else "") + " or ".join(names)


def operation(spec, path, method, op):
    params = [deref(spec, p) for p in op.get("parameters", [])]
    body = []
    content = (op.get("requestBody") or {}).get("content", {})
    for ctype, c in content.items():
        s = deref(spec, c.get("schema", {}))
        req = set(s.get("required", []))
        for name, f in (s.get("properties") or {}).items():
            body.append({"name": name, "type": type_of(spec, f),
                         "required": name in req, "ctype": ctype})
    responses = []
    for status, r in op.get("responses", {}).items():
        r = deref(spec, r)
        responses.append({"status": str(status),
                          "description": r.get("description", "")})
    return {
        "method": method.upper(),
        "path": path,
        "id": op.get("operationId", ""),
        "summary": op.get("summary", ""),
        "description": op.get("description", ""),
        "auth": auth_of(spec, op),
        "params": [{"name": p["name"], "in": p["in"],
                    "required": bool(p.get("required")),
                    "type": type_of(spec, p.get("schema"))} for p in params],
        "body": body,
        "responses": responses,
    }


def main():
    spec = yaml.safe_load(sys.stdin)
    tags = [{"name": t["name"], "description": t.get("description", ""),
             "ops": []} for t in spec.get("tags", [])]
    by_name = {t["name"]: t for t in tags}
    count = 0
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            tag = (op.get("tags") or ["other"])[0]
            if tag not in by_name:
                by_name[tag] = {"name": tag, "description": "", "ops": []}
                tags.append(by_name[tag])
            by_name[tag]["ops"].append(operation(spec, path, method, op))
            count += 1
    json.dump({"title": spec["info"]["title"],
               "version": spec["info"]["version"],
               "description": spec["info"].get("description", ""),
               "count": count,
               "tags": [dict(t, n=len(t["ops"])) for t in tags if t["ops"]]},
              sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
