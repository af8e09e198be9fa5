#!/usr/bin/env python3
"""Helpers for bench/scan.sh: build the corpus, score scanner output, write the report.

  scanbench.py corpus  --out DIR --size-mb N --source LABEL=DIR ...  (writes DIR.json)
  scanbench.py score   --tool NAME --output FILE --manifest planted.tsv --decoys decoys.tsv --corpus DIR
  scanbench.py report  --results results.jsonl --corpus-info corpus.json --benchmarks BENCHMARKS.md ...

Standard library only, so it runs on any python3 >= 3.9.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys

from benchmarks_md import replace_section, section_head

# ---------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------

# Files a developer's tree would hold but that say nothing about scanning
# speed over source code: compiled artefacts and anything huge.  Every scanner
# skips binary files anyway; keeping them would only add bytes that some
# tools read and others do not.
MAX_FILE_BYTES = 8 << 20
SKIP_DIRS = {"node_modules", ".bin", "__pycache__", ".git"}
# A unit bigger than this is split into its subdirectories, so the corpus can
# land close to the requested size and no single package dominates it.
SPLIT_UNIT_BYTES = 16 << 20


def is_binary(path):
    try:
        with open(path, "rb") as fh:
            return b"\0" in fh.read(8192)
    except OSError:
        return True


def eligible_files(unit_dir):
    """(relpath, size) of the files of one unit that go into the corpus."""
    out = []
    for root, dnames, fnames in os.walk(unit_dir):
        dnames[:] = sorted(d for d in dnames if d not in SKIP_DIRS)
        for f in sorted(fnames):
            p = os.path.join(root, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            size = os.path.getsize(p)
            if size == 0 or size > MAX_FILE_BYTES or is_binary(p):
                continue
            out.append((os.path.relpath(p, unit_dir), size))
    return out


def container_units(container):
    """Top-level packages of a cargo/pip/npm source dir: (name, path)."""
    units = []
    for name in sorted(os.listdir(container)):
        p = os.path.join(container, name)
        if name in SKIP_DIRS or name.startswith(".") or not os.path.isdir(p) or os.path.islink(p):
            continue
        if name.startswith("@"):  # npm scope: each scoped package is a unit
            for sub in sorted(os.listdir(p)):
                if os.path.isdir(os.path.join(p, sub)):
                    units.append((name + "/" + sub, os.path.join(p, sub)))
        else:
            units.append((name, p))
    return units


def split_unit(name, path):
    """Expand a unit into (name, path, files) pieces no bigger than SPLIT_UNIT_BYTES where possible."""
    files = eligible_files(path)
    total = sum(s for _, s in files)
    if total <= SPLIT_UNIT_BYTES:
        return [(name, path, files)] if files else []
    pieces, top = [], []
    for rel, size in files:
        head = rel.split(os.sep, 1)
        if len(head) == 1:
            top.append((rel, size))
    if top:
        pieces.append((name, path, top))  # the unit's own top-level files
    for sub in sorted(os.listdir(path)):
        sp = os.path.join(path, sub)
        if os.path.isdir(sp) and not os.path.islink(sp) and sub not in SKIP_DIRS:
            for n, p, fs in split_unit(name + "/" + sub, sp):
                pieces.append((n, p, fs))
    return pieces


def order_key(name):
    # A fixed pseudo-random order: the same sources give the same corpus,
    # without favouring packages whose names start with "a".
    return hashlib.sha1(name.encode()).hexdigest()


def cmd_corpus(a):
    target = a.size_mb << 20
    by_label = {}  # label -> list of (name, path, files)
    seen = set()
    for spec in a.source:
        label, _, container = spec.partition("=")
        if not os.path.isdir(container):
            print("corpus: skipping missing source %s" % container, file=sys.stderr)
            continue
        for name, path in container_units(container):
            if (label, name) in seen:
                continue
            seen.add((label, name))
            by_label.setdefault(label, []).extend(split_unit(name, path))
    for label in by_label:
        by_label[label].sort(key=lambda u: order_key(u[0]))

    # Take pieces from whichever source has contributed the fewest bytes so
    # far, so the corpus stays a mix of Rust, Python and JavaScript even when
    # one source is much larger than the others.
    taken = {label: 0 for label in by_label}
    files_taken = {label: 0 for label in by_label}
    cursor = {label: 0 for label in by_label}
    total = 0
    plan = []
    while True:
        live = [l for l in by_label if cursor[l] < len(by_label[l])]
        if not live or total >= target:
            break
        label = min(live, key=lambda l: (taken[l], l))
        name, path, files = by_label[label][cursor[label]]
        cursor[label] += 1
        size = sum(s for _, s in files)
        if total + size > target + (1 << 20):
            continue  # would overshoot: try smaller pieces
        plan.append((label, name, path, files))
        taken[label] += size
        files_taken[label] += len(files)
        total += size

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    for label, name, path, files in plan:
        dest_root = os.path.join(a.out, label, name)
        for rel, _ in files:
            src = os.path.join(path, rel)
            dst = os.path.join(dest_root, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if a.link:
                os.link(src, dst)
            else:
                shutil.copyfile(src, dst)
    info = {
        "bytes": total,
        "files": sum(files_taken.values()),
        "size_mb_requested": a.size_mb,
        "sources": {l: {"bytes": taken[l], "files": files_taken[l], "units": sum(1 for p in plan if p[0] == l)}
                    for l in sorted(taken)},
    }
    if total < target * 0.9:
        print("corpus: only %.0f MiB of source available (asked for %d MiB)" % (total / 2**20, a.size_mb),
              file=sys.stderr)
    with open(a.out.rstrip("/") + ".json", "w") as fh:
        json.dump(info, fh, indent=1)
    print("corpus: %d files, %.1f MiB (%s)" % (info["files"], total / 2**20,
          ", ".join("%s %.0f MiB" % (l, taken[l] / 2**20) for l in sorted(taken))))


# ---------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------

class Finding:
    __slots__ = ("path", "line", "text", "hash")

    def __init__(self, path=None, line=None, text=None, hash=None):
        self.path, self.line, self.text, self.hash = path, line, text, hash


def rel_to_corpus(path, corpus):
    if path is None:
        return None
    path = os.path.normpath(path)
    if os.path.isabs(path):
        try:
            return os.path.relpath(path, corpus)
        except ValueError:
            return path
    # relative paths are relative to the scan root or to the repo root
    prefix = os.path.normpath(os.path.relpath(corpus)) + os.sep
    return path[len(prefix):] if path.startswith(prefix) else path


def parse_grep_lines(text, corpus, extract=None):
    """path:line:content lines (rg -o, ripsecrets --only-matching, grep -n)."""
    out = []
    for ln in text.splitlines():
        m = re.match(r"^(.*?):(\d+):(.*)$", ln)
        if not m:
            continue
        content = m.group(3)
        texts = extract(content) if extract else [content]
        for t in texts:
            out.append(Finding(rel_to_corpus(m.group(1), corpus), int(m.group(2)), t))
    return out


def git_secrets_extractor():
    # git-secrets prints whole lines; re-apply its registered patterns so a
    # line holding two secrets (the credentials CSV) credits only what its
    # patterns actually match.
    pats = os.environ.get("GIT_SECRETS_PATTERNS", "").splitlines()
    regs = []
    for p in pats:
        try:
            regs.append(re.compile(p))
        except re.error:
            pass

    def extract(content):
        found = []
        for r in regs:
            found.extend(m.group(0) for m in r.finditer(content))
        return found or [content]
    return extract


def parse_findings(tool, text, corpus):
    if tool == "ripgrep":
        return parse_grep_lines(text, corpus)
    if tool == "ripsecrets":
        return parse_grep_lines(text, corpus)
    if tool == "git-secrets":
        return parse_grep_lines(text, corpus, git_secrets_extractor())
    if tool == "detect-secrets":
        data = json.loads(text) if text.strip() else {}
        out = []
        for fname, items in data.get("results", {}).items():
            for it in items:
                out.append(Finding(rel_to_corpus(fname, corpus), it.get("line_number"), None,
                                   it.get("hashed_secret")))
        return out
    if tool == "secretlint":
        # --format unix: "path:line:col: message [Error/rule]", where the
        # message quotes the secret (--no-maskSecrets); a private key's
        # message runs over several lines, so the whole output also serves as
        # text to search.
        out = []
        for ln in text.splitlines():
            m = re.match(r"^(/.*?):(\d+):(\d+): (.*)$", ln)
            if m:
                out.append(Finding(rel_to_corpus(m.group(1), corpus), int(m.group(2)), m.group(4)))
        if out:
            out.append(Finding(None, None, text))
        return out
    if tool == "gitleaks":
        data = json.loads(text) if text.strip() else []
        return [Finding(rel_to_corpus(d.get("File"), corpus), d.get("StartLine"),
                        (d.get("Secret") or "") + "\n" + (d.get("Match") or "")) for d in data]
    if tool == "keyward":
        out = []
        for ln in text.splitlines():
            ln = ln.strip()
            if not ln:
                continue
            try:
                d = json.loads(ln)
            except ValueError:
                continue
            loc = d.get("location") if isinstance(d.get("location"), dict) else {}
            path = d.get("path") or d.get("file") or loc.get("path") or loc.get("file")
            line = d.get("line") or d.get("start_line") or loc.get("line") or loc.get("start_line")
            out.append(Finding(rel_to_corpus(path, corpus), line, str(d.get("secret") or "")))
        return out
    raise SystemExit("score: unknown tool %s" % tool)


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for ln in fh:
            kind, value, rel, line = ln.rstrip("\n").split("\t")
            rows.append({"kind": kind, "value": value, "path": rel, "line": int(line)})
    return rows


def matches(row, text_blob, hashes, paths, by_loc_hash_only, shared_locs):
    v = row["value"]
    if v in text_blob or hashlib.sha1(v.encode()).hexdigest() in hashes:
        return True
    if row["kind"] == "rsa_private_key":
        # The planted key is the only content of its file, and tools report it
        # on different lines (the BEGIN line, the YAML key above it, ...), and
        # some (detect-secrets) hash only the BEGIN header: any finding in the
        # file counts.
        return row["path"] in paths
    loc = (row["path"], row["line"])
    if loc in by_loc_hash_only and loc not in shared_locs:
        # detect-secrets' hash is not always the secret's (its GitHub rule
        # hashes the captured "ghp" prefix): a finding on the secret's own
        # line counts, unless another planted secret shares the line.
        return True
    return False


def cmd_score(a):
    with open(a.output, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    findings = parse_findings(a.tool, text, os.path.abspath(a.corpus))
    planted = read_tsv(a.manifest)
    decoys = read_tsv(a.decoys)
    text_blob = "\n".join(f.text for f in findings if f.text)
    hashes = {f.hash for f in findings if f.hash}
    paths = {f.path for f in findings}
    by_loc_hash_only = {(f.path, f.line) for f in findings if f.text is None}
    locs = [(r["path"], r["line"]) for r in planted + decoys]
    shared_locs = {l for l in locs if locs.count(l) > 1}
    args = (text_blob, hashes, paths, by_loc_hash_only, shared_locs)
    found = [r for r in planted if matches(r, *args)]
    # A look-alike counts as flagged only when reported in the file where it
    # was planted: AWS's example key also occurs in the real code (botocore
    # docs, SDK tests), and those reports are not about the planted decoys.
    decoy_hits = []
    for r in decoys:
        here = [f for f in findings if f.path == r["path"]]
        blob = "\n".join(f.text for f in here if f.text)
        if matches(r, blob, {f.hash for f in here if f.hash}, {r["path"]} if here else set(),
                   {(f.path, f.line) for f in here if f.text is None}, shared_locs):
            decoy_hits.append(r)
    kinds = {}
    for r in planted:
        k = kinds.setdefault(r["kind"], [0, 0])
        k[1] += 1
        if r in found:
            k[0] += 1
    res = {
        "findings": sum(1 for f in findings if f.path is not None),
        "aws_found": kinds.get("aws_access_key_id", [0, 0])[0],
        "aws_total": kinds.get("aws_access_key_id", [0, 0])[1],
        "secrets_found": len(found),
        "secrets_total": len(planted),
        "by_kind": {k: "%d/%d" % tuple(v) for k, v in sorted(kinds.items())},
        "decoy_hits": len(decoy_hits),
        "decoys_total": len(decoys),
        "missed_aws_paths": sorted({r["path"] for r in planted
                                    if r["kind"] == "aws_access_key_id" and r not in found}),
    }
    json.dump(res, sys.stdout)
    print()


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def cmd_report(a):
    results = []
    with open(a.results) as fh:
        for ln in fh:
            if ln.strip():
                results.append(json.loads(ln))
    with open(a.corpus_info) as fh:
        corpus = json.load(fh)
    mb = corpus["bytes"] / 1e6
    lines = section_head("scan", "bench/scan.sh", a) + [
        "Corpus: `bench/work/corpus`, %.1f MB (%s bytes) in %d files of real source code "
        "(%s), plus %s planted secrets and %s look-alikes (`bench/plant_secrets.py`). "
        "%s, then each tool scans it once, timed with `/usr/bin/time -v`, with a %d s limit. "
        "MB/s = corpus bytes / wall seconds (MB = 10^6 bytes). Peak RSS is the largest single "
        "process (for tools that fork workers it is not the sum)."
        % (mb, format(corpus["bytes"], ","), corpus["files"],
           ", ".join("%s %.0f MB" % (l, s["bytes"] / 1e6) for l, s in corpus["sources"].items()),
           a.planted_total, a.decoys_total,
           "The page cache is warmed by reading the whole corpus once, and every tool first scans it "
           "once untimed" if a.warmup == "1" else "The page cache is warmed by reading the whole corpus once",
           int(a.timeout)),
        "",
        "| tool | version | wall s | MB/s | peak RSS MB | planted AWS keys found / %s | planted secrets found / %s | notes |"
        % (a.aws_total, a.planted_total),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.get("status") == "timeout":
            t = float(r["wall_s"])
            lines.append("| %s | %s | > %d | < %s | %s | - | - | %s |" % (
                r["tool"], r.get("version") or "-", t, fmt(mb / t, 1),
                fmt(int(r.get("rss_kb") or 0) / 1024.0, 0) if int(r.get("rss_kb") or 0) else "-", r.get("notes", "")))
            continue
        if r.get("status") != "ok":
            lines.append("| %s | %s | - | - | - | - | - | %s |" % (r["tool"], r.get("version") or "-", r.get("notes", "")))
            continue
        wall = r["wall_s"]
        lines.append("| %s | %s | %s | %s | %s | %d | %d | %s |" % (
            r["tool"], r.get("version") or "-", fmt(wall, 2), fmt(mb / wall if wall else None, 1),
            fmt(r["rss_kb"] / 1024.0, 0), r["aws_found"], r["secrets_found"], r.get("notes", "")))
    loads = ["%s %s" % (r["tool"], r["load"]) for r in results if r.get("load")]
    if loads:
        lines += ["", "1-minute load average when each timed run started (%s cores; above that, other work "
                  "was competing for the CPU): %s." % (a.nproc, ", ".join(loads))]
    lines += ["", "Commands (corpus = `bench/work/corpus`):", ""]
    for r in results:
        if r.get("cmd"):
            lines.append("- %s: `%s`" % (r["tool"], r["cmd"]))
    lines.append("")
    lines += ["Planted secrets found, by kind:", "",
              "| tool | " + " | ".join(sorted(a.kinds.split(","))) + " | look-alikes flagged / %s |" % a.decoys_total,
              "| --- | " + " | ".join("---:" for _ in a.kinds.split(",")) + " | ---: |"]
    for r in results:
        if r.get("status") == "ok":
            bk = r.get("by_kind", {})
            lines.append("| %s | %s | %d |" % (r["tool"], " | ".join(bk.get(k, "-") for k in sorted(a.kinds.split(","))),
                                              r.get("decoy_hits", 0)))
    lines.append("")
    section = "\n".join(lines) + "\n"

    replace_section(a.benchmarks, "scan", section)


def cmd_restat(a):
    """Recount bytes and files after planting (planting adds and grows files)."""
    with open(a.info) as fh:
        info = json.load(fh)
    nbytes = nfiles = 0
    for root, _, fnames in os.walk(a.corpus):
        for f in fnames:
            nbytes += os.path.getsize(os.path.join(root, f))
            nfiles += 1
    info.update(bytes=nbytes, files=nfiles)
    with open(a.info, "w") as fh:
        json.dump(info, fh, indent=1)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("--out", required=True)
    c.add_argument("--size-mb", type=int, required=True)
    c.add_argument("--source", action="append", default=[], help="LABEL=DIR whose subdirectories are packages")
    c.add_argument("--link", action="store_true", help="hard-link instead of copying")
    s = sub.add_parser("score")
    for k in ("--tool", "--output", "--manifest", "--decoys", "--corpus"):
        s.add_argument(k, required=True)
    rs = sub.add_parser("restat")
    rs.add_argument("--corpus", required=True)
    rs.add_argument("--info", required=True)
    r = sub.add_parser("report")
    for k in ("--results", "--corpus-info", "--benchmarks", "--command", "--nproc", "--cpu", "--mem", "--os",
              "--aws-total", "--planted-total", "--decoys-total", "--kinds", "--warmup", "--timeout"):
        r.add_argument(k, required=True)
    a = ap.parse_args()
    {"corpus": cmd_corpus, "score": cmd_score, "restat": cmd_restat, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
