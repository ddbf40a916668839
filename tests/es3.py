"""An ES3 check for the scripts TV pages send: pyjsparser (an ES5.1 parser) plus the rules ES3-era engines add.

ES3 engines (the oldest iPanel, Hisense and FiberHome boxes) refuse what ES5 allowed: reserved words as
property names (``a.class``, ``{default: 1}``), getters and setters in object literals; on an Anhui Hisense
box the global ``top`` behaves as a reserved word, so it may not be used as a name at all.  Their libraries
lack ES5's functions: a script may use them only with a fallback (``addEventListener`` and ``JSON`` behind a
test for them or inside try), and never the ones that have no fallback in these scripts at all.
"""

from __future__ import annotations

import pyjsparser

RESERVED = set("""break case catch continue default delete do else finally for function if in instanceof new
return switch this throw try typeof var void while with abstract boolean byte char class const debugger double
enum export extends final float goto implements import int interface long native package private protected
public short static super synchronized throws transient volatile null true false""".split())
BAD_NAMES = {"top"}  # reserved-word globals of real boxes
ES5_ONLY = {"forEach", "map", "filter", "reduce", "reduceRight", "some", "every", "bind", "trim", "toISOString",
            "lastIndexOf"}
# ES5 functions of the constructors themselves (a property ``keys`` of the page's own data is fine)
ES5_STATIC = {"Object": {"keys", "create", "defineProperty", "defineProperties", "getPrototypeOf", "freeze"},
              "Array": {"isArray"}, "Date": {"now"}}
GUARDED = {"addEventListener", "JSON"}  # fine behind a test for them (or in try for JSON)


def _children(node):
    """Child nodes of an AST node (dicts with a type), in source order."""
    for value in node.values():
        if isinstance(value, dict) and "type" in value:
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict) and "type" in v)


def _mentions(node, name: str) -> bool:
    """Whether ``name`` appears as an identifier or property anywhere under ``node``."""
    if node.get("type") == "Identifier" and node.get("name") == name:
        return True
    return any(_mentions(child, name) for child in _children(node))


def _guarded(ancestors: list[dict], name: str) -> bool:
    """A use of ``name`` inside a test for it, a branch taken on such a test, or (JSON) a try block."""
    for node in ancestors:
        kind = node["type"]
        if kind in ("IfStatement", "ConditionalExpression") and _mentions(node["test"], name):
            return True
        if kind == "LogicalExpression" and _mentions(node["left"], name):
            return True
        if kind == "TryStatement" and name == "JSON":
            return True
        if kind in ("FunctionDeclaration", "FunctionExpression") and name == "JSON":
            # the function bails out first when JSON is missing: if (!w.JSON) {...; return; }
            for statement in node["body"]["body"]:
                if statement["type"] == "IfStatement" and _mentions(statement["test"], name):
                    return True
    return False


def problems(source: str) -> list[str]:
    """What an ES3-era engine would refuse or lack in ``source`` (empty: it runs there)."""
    found: list[str] = []

    def visit(node, ancestors):
        kind = node["type"]
        if kind == "Property":
            key = node["key"]
            if node.get("kind") in ("get", "set"):
                found.append("getter/setter in an object literal")
            if key["type"] == "Identifier" and (key["name"] in RESERVED or key["name"] in BAD_NAMES):
                found.append(f"reserved word as a property name: {key['name']}")
        elif kind == "MemberExpression" and not node["computed"]:
            name = node["property"]["name"]
            if name in RESERVED or name in BAD_NAMES:
                found.append(f"reserved word after a dot: .{name}")
            owner = node["object"].get("name") if node["object"]["type"] == "Identifier" else None
            if name in ES5_ONLY or name in ES5_STATIC.get(owner, ()):
                found.append(f"ES5 library function: .{name}")
            if name in GUARDED and not _guarded(ancestors, name):
                found.append(f"{name} without a fallback")
        elif kind == "Identifier":
            parent = ancestors[-1] if ancestors else {}
            is_property = (parent.get("type") == "MemberExpression" and parent.get("property") is node
                           and not parent.get("computed")) or (parent.get("type") == "Property"
                                                                and parent.get("key") is node)
            if not is_property:
                if node["name"] in BAD_NAMES:
                    found.append(f"reserved-word global: {node['name']}")
                if node["name"] == "JSON" and not _guarded(ancestors, "JSON"):
                    found.append("JSON without a fallback")
        for child in _children(node):
            visit(child, ancestors + [node])

    visit(pyjsparser.parse(source), [])
    return found
