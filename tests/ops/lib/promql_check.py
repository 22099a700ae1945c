#!/usr/bin/python3
"""Checks the PromQL expressions of the dashboard or the alert rules against the series sipedge
really exports.

  promql_check.py extract-dashboard DASHBOARD.json     one expression a line, variables filled in
  promql_check.py extract-rules RULES.yml              one expression a line
  promql_check.py rules-file EXPRS                     a recording-rules file of EXPRS (for
                                                       `promtool check rules`)
  promql_check.py names SCRAPE DOCUMENTED EXPRS        every sipedge_* series used is in SCRAPE
                                                       (a /metrics text) or DOCUMENTED, with the
                                                       labels it is selected and grouped by, and
                                                       the label values it is matched against

Prints one line per problem and exits 1 when there is any.
"""
import json
import re
import sys

import yaml

# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"instance", "job"}
VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "${instance}": ".*",
             "$instance": ".*", "${job}": ".*", "$job": ".*"}
SELECTOR = re.compile(r'\b(sipedge_[A-Za-z0-9_]+)\b(\s*\{([^}]*)\})?')
MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
GROUPING = re.compile(r'\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)')


def fill(expr):
    for k, v in VARIABLES.items():
        expr = expr.replace(k, v)
    return expr


def extract_dashboard(path):
    d = json.load(open(path))
    exprs = []

    def panels(ps):
        for p in ps:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(d.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr"):
                exprs.append(fill(t["expr"]))
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r'label_values\((.*),\s*\w+\)$', q or "")
        if m:  # the selector inside label_values() is PromQL too
            exprs.append(fill(m.group(1)))
    return exprs


def extract_rules(path):
    return [" ".join(str(r["expr"]).split()) for g in yaml.safe_load(open(path))["groups"]
            for r in g["rules"]]


def rules_file(exprs):
    rules = [{"record": f"ops:expr_{i}", "expr": e} for i, e in enumerate(exprs)]
    return yaml.safe_dump({"groups": [{"name": "expressions", "rules": rules}]}, sort_keys=False)


def parse_scrape(path, known):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r'([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s', line)
        if not m:
            continue
        labels = known.setdefault(m.group(1), {})
        for k, _, v in MATCHER.findall(m.group(3) or ""):
            labels.setdefault(k, set()).add(v)


def parse_documented(path, known):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name, *labels = line.split()
        entry = known.setdefault(name, {})
        for l in labels:
            k, v = l.split("=", 1)
            entry.setdefault(k, set()).update(["*"] if v == "*" else v.split(","))


def alternatives(regex):
    """The words of a regex that is a plain alternation (a|b|c), else None."""
    return regex.split("|") if re.fullmatch(r'[A-Za-z0-9_.]+(\|[A-Za-z0-9_.]+)*', regex) else None


def check_names(scrape, documented, exprs):
    known = {}
    parse_scrape(scrape, known)
    parse_documented(documented, known)
    problems = []
    for expr in exprs:
        used = set(TARGET_LABELS) | {"le"}
        for name, _, body in SELECTOR.findall(expr):
            if name not in known:
                problems.append(f"{name}: not exported by sipedge (in: {expr})")
                continue
            labels = known[name]
            used |= set(labels)
            for key, op, value in MATCHER.findall(body or ""):
                if key in TARGET_LABELS:
                    continue
                if key not in labels:
                    problems.append(f"{name}: has no label {key} (in: {expr})")
                    continue
                have = labels[key]
                if "*" in have or op in ("!=", "!~"):
                    continue
                words = [value] if op == "=" else alternatives(value)
                for w in words or []:
                    if w not in have:
                        problems.append(f"{name}{{{key}}}: no value {w!r} (has {sorted(have)}) (in: {expr})")
        for group in GROUPING.findall(expr):
            for label in [l.strip() for l in group.split(",") if l.strip()]:
                if label not in used:
                    problems.append(f"grouping by {label!r}, a label none of its series has (in: {expr})")
    return problems


def main():
    cmd = sys.argv[1]
    if cmd == "extract-dashboard":
        print("\n".join(extract_dashboard(sys.argv[2])))
    elif cmd == "extract-rules":
        print("\n".join(extract_rules(sys.argv[2])))
    elif cmd == "rules-file":
        print(rules_file([l.rstrip("\n") for l in open(sys.argv[2]) if l.strip()]))
    elif cmd == "names":
        exprs = [l.rstrip("\n") for l in open(sys.argv[4]) if l.strip()]
        problems = check_names(sys.argv[2], sys.argv[3], exprs)
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
