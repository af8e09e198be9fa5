#!/usr/bin/env python3
"""Helpers for bench/detect.sh: convert the tree, run DuckDB, count alerts, write the report.

  detectbench.py filelist --tree DIR --out FILE          (NUL-separated, sorted paths of *.json.gz)
  detectbench.py jsonl    --tree DIR --out FILE          (every record as one JSON line, file order)
  detectbench.py duckdb   --sql FILE --tree DIR --out FILE  (run with the DuckDB venv's python)
  detectbench.py count    --tool NAME --output FILE --rules DIR
  detectbench.py packinfo --dir DIR                      (number of Sigma rules in a folder)
  detectbench.py report   --results results.jsonl --manifest tree.json --benchmarks BENCHMARKS.md ...

Standard library only (the duckdb subcommand also needs the duckdb module), python3 >= 3.9.
"""

import argparse
import gzip
import json
import multiprocessing
import os
import re
import sys

from benchmarks_md import replace_section, section_head

RULE_FILE = re.compile(r"\.ya?ml$")


# ---------------------------------------------------------------------------
# tree
# ---------------------------------------------------------------------------

def tree_files(tree):
    out = []
    for root, dnames, fnames in os.walk(tree):
        dnames.sort()
        for f in fnames:
            if f.endswith(".json.gz"):
                out.append(os.path.join(root, f))
    out.sort()
    return out


def cmd_filelist(a):
    files = tree_files(a.tree)
    with open(a.out, "wb") as fh:
        for f in files:
            fh.write(f.encode() + b"\0")
    print("filelist: %d files" % len(files), file=sys.stderr)


def file_to_lines(path):
    with gzip.open(path, "rb") as fh:
        doc = json.load(fh)
    return b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in doc.get("Records") or [])


def cmd_jsonl(a):
    files = tree_files(a.tree)
    tmp = a.out + ".tmp"
    n = 0
    with open(tmp, "wb") as out, multiprocessing.Pool(a.jobs) as pool:
        for chunk in pool.imap(file_to_lines, files, chunksize=4):
            out.write(chunk)
            n += chunk.count(b"\n")
    os.replace(tmp, a.out)
    print("jsonl: %d records from %d files into %s" % (n, len(files), a.out), file=sys.stderr)


# ---------------------------------------------------------------------------
# duckdb
# ---------------------------------------------------------------------------

def cmd_duckdb(a):
    import duckdb  # from the benchmark's venv
    with open(a.sql) as fh:
        sql = fh.read()
    glob = os.path.join(a.tree, "**", "*.json.gz")
    sql = sql.replace("{glob}", glob.replace("'", "''")).replace("{out}", a.out.replace("'", "''"))
    con = duckdb.connect()
    if a.threads:
        con.execute("SET threads = %d" % a.threads)
    con.execute(sql)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print("duckdb %s: done, %s threads" % (duckdb.__version__, threads), file=sys.stderr)


# ---------------------------------------------------------------------------
# counting alerts
# ---------------------------------------------------------------------------

def scalar(text, key):
    m = re.search(r"^%s:[ \t]*(.+?)[ \t]*$" % re.escape(key), text, flags=re.M)
    if not m:
        return None
    v = m.group(1)
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    return v


def rule_docs(folder):
    """Top-level Sigma documents (dicts of id/name/title) of every *.yml below folder."""
    docs = []
    for root, dnames, fnames in os.walk(folder):
        dnames.sort()
        for f in sorted(fnames):
            if not RULE_FILE.search(f):
                continue
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                text = fh.read()
            for part in re.split(r"^---[ \t]*$", text, flags=re.M):
                title = scalar(part, "title")
                if title is None:
                    continue
                docs.append({"file": f, "id": scalar(part, "id"), "name": scalar(part, "name"), "title": title,
                             "correlation": re.search(r"^correlation:", part, flags=re.M) is not None})
    return docs


def rules_index(folder):
    """Map every id, name and title (lower-cased) of the rules in folder to the rule's name."""
    idx = {}
    for d in rule_docs(folder):
        key = d["name"] or os.path.splitext(d["file"])[0]
        for v in (d["id"], d["name"], d["title"], os.path.splitext(d["file"])[0]):
            if v:
                idx[v.lower()] = key
    return idx


def alert_rule_labels(d):
    """Candidate identifiers of the rule(s) of one alert record, in any of the shapes the tools use."""
    out = []
    for k in ("rule", "rule_name", "rule_id", "ruleId", "rule_title", "name", "id", "title", "detection"):
        v = d.get(k)
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for kk in ("name", "id", "title"):
                if isinstance(v.get(kk), str):
                    out.append(v[kk])
    return out


def cmd_count(a):
    idx = rules_index(a.rules) if a.rules else {}
    by_rule = {}
    alerts = 0
    with open(a.output, encoding="utf-8", errors="replace") as fh:
        for ln in fh:
            ln = ln.strip()
            if not ln:
                continue
            try:
                d = json.loads(ln)
            except ValueError:
                continue
            if not isinstance(d, dict):
                continue
            if isinstance(d.get("rules"), list):  # our DuckDB output: one line per record, rules that fired
                names = [str(x) for x in d["rules"]]
            else:
                labels = alert_rule_labels(d)
                name = next((idx[l.lower()] for l in labels if l.lower() in idx), None)
                names = [name or (labels[0] if labels else "?")]
            for n in names:
                by_rule[n] = by_rule.get(n, 0) + 1
                alerts += 1
    json.dump({"alerts": alerts, "by_rule": by_rule}, sys.stdout)
    print()


def cmd_packinfo(a):
    docs = rule_docs(a.dir)
    print(json.dumps({"rules": sum(1 for d in docs if not d["correlation"]),
                      "correlations": sum(1 for d in docs if d["correlation"])}))


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def big(x):
    return "-" if x is None else format(int(round(x)), ",")


def cmd_report(a):
    results = []
    with open(a.results) as fh:
        for ln in fh:
            if ln.strip():
                results.append(json.loads(ln))
    with open(a.manifest) as fh:
        man = json.load(fh)
    events, nbytes = man["events"], man["bytes_uncompressed"]
    mb = nbytes / 1e6
    rule_names = list(man["planted"].keys())
    by_label = {r["label"]: r for r in results}

    lines = section_head("detect", "bench/detect.sh", a) + [
        "Data: `bench/work/detect/tree`, a CloudTrail tree in S3 layout (`AWSLogs/<account>/CloudTrail/<region>/"
        "YYYY/MM/DD/*.json.gz`) made by `bench/gen_cloudtrail.py` (seed %s): %s gzip files, %s records, "
        "%.1f MB uncompressed (%.1f MB gzip, %d B/record), with %d records planted for the 13 rules of "
        "`bench/rules13`. The page cache is warmed by reading the tree (and the JSON Lines copy) once%s; then "
        "each tool runs, timed with `/usr/bin/time -v`, with a %d s limit. events/s and MB/s are the "
        "tree's records and uncompressed bytes (MB = 10^6 bytes) over wall seconds, for every tool, including "
        "rsigma, which reads the same records as one JSON Lines file (%s; made once from the tree, untimed). "
        "CPU s = user + system. Peak RSS is the largest single process."
        % (man["seed"], format(man["files"], ","), format(events, ","), mb, man["bytes_compressed"] / 1e6,
           nbytes / max(1, events), sum(man["planted"].values()),
           (", and every tool first runs once untimed" if a.warmup == "1" else "")
           + ("; every run is timed %s times and the fastest is shown" % a.repeat if a.repeat not in ("", "1") else ""),
           int(a.timeout), a.jsonl_mb),
        "",
        "| tool | version | rules | wall s | CPU s | events/s | MB/s | peak RSS MB | alerts | notes |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        ver = r.get("version") or "-"
        if r.get("status") == "timeout":
            t = float(r["wall_s"])
            lines.append("| %s | %s | %s | > %d | - | < %s | < %s | %s | - | %s |" % (
                r["tool"], ver, r.get("rules", "-"), t, big(events / t), fmt(mb / t),
                fmt(int(r.get("rss_kb") or 0) / 1024.0, 0) if int(r.get("rss_kb") or 0) else "-", r.get("notes", "")))
            continue
        if r.get("status") != "ok":
            lines.append("| %s | %s | %s | - | - | - | - | - | - | %s |" % (r["tool"], ver, r.get("rules", "-"),
                                                                          r.get("notes", "")))
            continue
        wall = float(r["wall_s"])
        cpu = float(r.get("user_s", 0)) + float(r.get("sys_s", 0))
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["tool"], ver, r.get("rules", "-"), fmt(wall, 2), fmt(cpu, 1),
            big(events / wall) if wall else "-", fmt(mb / wall) if wall else "-",
            fmt(int(r["rss_kb"]) / 1024.0, 0), big(r["alerts"]) if r.get("alerts") is not None else "-",
            r.get("notes", "")))

    # The goal, checked against whatever ran.
    def wall(label):
        r = by_label.get(label)
        return float(r["wall_s"]) if r and r.get("status") == "ok" else None
    kw = wall("keyward-pack")
    goal = ["", "Goal (issue): detection with the whole pack at least 10x faster than DuckDB running the 13 rules, "
            "faster than the rsigma CLI, and in less wall time than single-threaded `zcat` of the tree."]
    if kw is None:
        goal.append("Not measured: keyward's whole-pack run is missing (%s)."
                    % (by_label.get("keyward-pack", {}).get("notes") or "not run"))
    else:
        checks = []
        for label, what, need in (("duckdb", "DuckDB (detected schema)", 10.0),
                                  ("duckdb-typed", "DuckDB (declared schema)", 10.0),
                                  ("rsigma", "rsigma", 1.0), ("zcat", "zcat", 1.0)):
            w = wall(label)
            if w is None:
                continue
            x = w / kw
            met = x >= need if need > 1 else x > 1
            checks.append("%.2fx as fast as %s (goal: %s%gx, %s)" % (x, what, ">= " if need > 1 else "> ", need,
                                                                    "met" if met else "NOT met"))
        goal.append("keyward, whole pack: " + "; ".join(checks) + "." if checks else "No peer ran.")
    lines += goal

    loads = ["%s %s%s" % (r["label"], r["load"], " / %.2f" % r["other_cores"] if "other_cores" in r else "")
             for r in results if r.get("load")]
    if loads:
        lines += ["", "How busy the machine was (%s cores): 1-minute load average when each run started / cores' "
                  "worth of CPU time that other work (other processes, hypervisor steal) took during the timed run; "
                  "a wall time measured while other work took CPU is too long, CPU s is steadier: %s."
                  % (a.nproc, ", ".join(loads))]

    # Per-rule alert counts of the 13-rule runs.
    cols = [("planted", None)]
    for label, head in (("duckdb", "DuckDB"), ("duckdb-typed", "DuckDB typed"), ("rsigma", "rsigma"),
                        ("keyward-13", "keyward")):
        r = by_label.get(label)
        if r and r.get("status") == "ok" and isinstance(r.get("by_rule"), dict):
            cols.append((head, r["by_rule"]))
    lines += ["", "Alerts per rule of the 13-rule runs (`bench/rules13`, and `bench/rules13.sql` / "
              "`bench/rules13-typed.sql` for DuckDB); *planted* is what the generator put in, and no other "
              "record of the tree matches these rules. A row where the tools disagree is marked.", "",
              "| rule | " + " | ".join(h for h, _ in cols) + " | |",
              "| --- | " + " | ".join("---:" for _ in cols) + " | --- |"]
    for name in rule_names:
        vals = [man["planted"][name]] + [c.get(name, 0) for _, c in cols[1:]]
        mark = "" if len(set(vals)) == 1 else "**differ**"
        lines.append("| %s | %s | %s |" % (name, " | ".join(str(v) for v in vals), mark))
    extra = sorted({k for _, c in cols[1:] for k in c if k not in man["planted"]})
    for name in extra:
        lines.append("| %s (not one of the 13) | %s | **differ** |" % (
            name, " | ".join(["0"] + [str(c.get(name, 0)) for _, c in cols[1:]])))

    lines += ["", "Commands (tree = `bench/work/detect/tree`):", ""]
    for r in results:
        if r.get("cmd"):
            lines.append("- %s (%s): `%s`" % (r["tool"], r.get("rules", "-"), r["cmd"]))
    lines.append("")
    section = "\n".join(lines) + "\n"

    replace_section(a.benchmarks, "detect", section)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("filelist")
    s.add_argument("--tree", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("jsonl")
    s.add_argument("--tree", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    s = sub.add_parser("duckdb")
    s.add_argument("--sql", required=True)
    s.add_argument("--tree", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--threads", type=int, default=0, help="0: DuckDB's default (all cores)")
    s = sub.add_parser("count")
    s.add_argument("--tool", required=True)
    s.add_argument("--output", required=True)
    s.add_argument("--rules", help="rules folder, to map ids and titles to rule names")
    s = sub.add_parser("packinfo")
    s.add_argument("--dir", required=True)
    r = sub.add_parser("report")
    for k in ("--results", "--manifest", "--benchmarks", "--command", "--nproc", "--cpu", "--mem", "--os",
              "--warmup", "--timeout", "--jsonl-mb", "--repeat"):
        r.add_argument(k, required=True)
    a = ap.parse_args()
    {"filelist": cmd_filelist, "jsonl": cmd_jsonl, "duckdb": cmd_duckdb, "count": cmd_count,
     "packinfo": cmd_packinfo, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
