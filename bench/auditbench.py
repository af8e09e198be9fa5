#!/usr/bin/env python3
"""Helpers of bench/audit.sh: score Keyward, Prowler and Cloudsplaining output, compare them on
the overlapping checks, and write the "## audit" section of BENCHMARKS.md.

    auditbench.py compare --mapping M.tsv --keyward KW.json --prowler P.ocsf.json --auth AUTH.json --out C.json
    auditbench.py offline --keyward KW.json --cloudsplaining DIR --out O.json
    auditbench.py report --results R.jsonl --benchmarks BENCHMARKS.md ...

How a Prowler failure is matched (the mapping file's `unit` column):
  account   one unit per account: both tools failed the account-wide control, or not;
  region    one unit per region (Keyward's outcome region; Prowler's finding region);
  resource  by ARN. A Prowler resource that is a managed policy stands for every user and role
            holding it (directly or through a group), a group for its members: Prowler judges
            policies, Keyward judges the principals they reach (iam-admin-principal,
            iam-privilege-escalation), so Keyward covers a Prowler failure on a policy when it
            failed every principal that holds it, and misses it when it failed none.
A Prowler failure Keyward does not cover is listed with Prowler's own reason.
"""

import argparse
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmarks_md import replace_section, section_head  # noqa: E402


# ------------------------------------------------------------------ inputs -----
def read_mapping(path):
    pairs = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        p, k, unit, note = (line.split("\t") + ["", "", ""])[:4]
        pairs.append({"prowler": p, "keyward": k.split(","), "unit": unit, "note": note})
    return pairs


def keyward_failed(path):
    """check id -> {resource: (region, detail)} of FAILED outcomes."""
    d = json.load(open(path))
    out = defaultdict(dict)
    for o in d.get("outcomes", []):
        if o.get("status") == "FAILED":
            out[o["check"]][o["resource"]] = (o.get("region"), o.get("detail", ""))
    return out, d


def keyward_gaps(doc):
    """check id -> the reasons it could not be evaluated."""
    out = defaultdict(list)
    for o in doc.get("outcomes", []):
        if o.get("status") == "NOT_EVALUATED" and o.get("detail") not in out[o["check"]]:
            out[o["check"]].append(o.get("detail"))
    return out


def prowler_findings(path):
    """check id -> list of {status, uid, region, detail}."""
    out = defaultdict(list)
    for f in json.load(open(path)):
        res = (f.get("resources") or [{}])[0]
        out[f["metadata"]["event_code"]].append({
            "status": f.get("status_code"), "uid": res.get("uid") or "", "region": res.get("region")
            or (f.get("cloud") or {}).get("region"), "detail": f.get("status_detail", "")})
    return out


class Holders:
    """Who holds what, from get-account-authorization-details."""

    def __init__(self, path):
        self.of_policy = defaultdict(set)
        self.members = defaultdict(set)
        if not path or not os.path.exists(path):
            return
        a = json.load(open(path))
        groups = {g["GroupName"]: g for g in a.get("GroupDetailList", [])}
        for u in a.get("UserDetailList", []):
            for p in u.get("AttachedManagedPolicies", []):
                self.of_policy[p["PolicyArn"]].add(u["Arn"])
            for gname in u.get("GroupList", []):
                g = groups.get(gname)
                if not g:
                    continue
                self.members[g["Arn"]].add(u["Arn"])
                for p in g.get("AttachedManagedPolicies", []):
                    self.of_policy[p["PolicyArn"]].add(u["Arn"])
        for r in a.get("RoleDetailList", []):
            if (r.get("Path") or "").startswith("/aws-service-role/"):
                continue
            for p in r.get("AttachedManagedPolicies", []):
                self.of_policy[p["PolicyArn"]].add(r["Arn"])
        for g in groups.values():
            self.members.setdefault(g["Arn"], set())

    def expand(self, arn):
        """The principals a Prowler resource stands for (itself if it is one)."""
        if ":policy/" in arn:
            return self.of_policy.get(arn, set()), "policy"
        if ":group/" in arn:
            return self.members.get(arn, set()), "group"
        return {arn}, None


# ------------------------------------------------------------------ compare ----
def compare(a):
    pairs = read_mapping(a.mapping)
    kw, kdoc = keyward_failed(a.keyward)
    gaps = keyward_gaps(kdoc)
    pr = prowler_findings(a.prowler)
    holders = Holders(a.auth)
    rows = []
    for p in pairs:
        pf = [f for f in pr.get(p["prowler"], []) if f["status"] == "FAIL"]
        ran = p["prowler"] in pr
        kfail = {}
        for k in p["keyward"]:
            kfail.update(kw.get(k, {}))
        row = {"prowler": p["prowler"], "keyward": p["keyward"], "unit": p["unit"], "note": p["note"],
               "prowler_ran": ran, "prowler_failed": 0, "keyward_failed": 0, "covered": 0, "missed": []}
        if p["unit"] == "account":
            pu = {"account"} if pf else set()
            ku = {"account"} if kfail else set()
            row.update(prowler_failed=len(pu), keyward_failed=len(ku), covered=len(pu & ku))
            if pu - ku:
                row["missed"] = [{"resource": f["uid"], "why": f["detail"]} for f in pf]
        elif p["unit"] == "region":
            pu = {f["region"] or "global": f for f in pf}
            ku = {reg or "global" for reg, _ in kfail.values()}
            row.update(prowler_failed=len(pu), keyward_failed=len(ku), covered=len(set(pu) & ku))
            row["missed"] = [{"resource": "%s (%s)" % (pu[r]["uid"], r), "why": pu[r]["detail"]}
                             for r in sorted(set(pu) - ku)]
        else:
            units = {}
            for f in pf:
                units.setdefault(f["uid"], f)
            row.update(prowler_failed=len(units), keyward_failed=len(kfail))
            for uid, f in sorted(units.items()):
                if uid in kfail:   # the same resource (a policy for a policy-level check)
                    row["covered"] += 1
                    continue
                cands, kind = holders.expand(uid)
                hit = {c for c in cands if c in kfail}
                if cands and hit == cands:
                    row["covered"] += 1
                    continue
                if not cands:
                    why_kw = ("the %s reaches no user or role: Keyward judges principals" % kind)
                elif hit:
                    why_kw = "Keyward failed %d of the %d principals holding it; not: %s" % (
                        len(hit), len(cands), ", ".join(sorted(c.split(":")[-1] for c in cands - hit)))
                else:
                    why_kw = "Keyward failed none of %s" % ", ".join(sorted(c.split(":")[-1] for c in cands)[:8])
                if hit:
                    row["partial"] = row.get("partial", 0) + 1
                row["missed"].append({"resource": uid, "why": f["detail"], "keyward": why_kw})
        gap = "; ".join(g for k in p["keyward"] for g in gaps.get(k, []))
        for m in row["missed"]:
            if gap and (not m.get("keyward") or "failed none" in m.get("keyward", "")):
                m["keyward"] = "Keyward: not evaluated: " + gap[:200]
        rows.append(row)
    ptot = {(p["prowler"], f["uid"]) for p in pairs for f in pr.get(p["prowler"], []) if f["status"] == "FAIL"}
    ktot = {(k, r) for p in pairs for k in p["keyward"] for r in kw.get(k, {})}
    json.dump({"pairs": rows, "prowler_failed_total": len(ptot), "keyward_failed_total": len(ktot)},
              open(a.out, "w"), indent=1)
    for r in rows:
        flag = "  <- Keyward fewer" if r["missed"] else ""
        print("%-62s %-45s P %4d  K %4d  covered %4d%s" % (
            r["prowler"], ",".join(r["keyward"]), r["prowler_failed"], r["keyward_failed"], r["covered"], flag),
            file=sys.stderr)


# ------------------------------------------------------------------ offline ----
def offline(a):
    out = {}
    if a.keyward:
        kw, doc = keyward_failed(a.keyward)
        out["keyward"] = {"findings": len(doc.get("findings", [])),
                          "by_check": {k: len(v) for k, v in sorted(kw.items())}}
    if a.cloudsplaining:
        res = [f for f in os.listdir(a.cloudsplaining) if f.startswith("iam-results-") and f.endswith(".json")]
        if res:
            d = json.load(open(os.path.join(a.cloudsplaining, res[0])))
            esc = {}
            for kind in ("customer_managed_policies", "inline_policies", "aws_managed_policies"):
                for pid, p in d.get(kind, {}).items():
                    pe = p.get("PrivilegeEscalation") or {}
                    if pe.get("findings"):
                        esc[(kind, pid)] = True
            flagged = {}
            for kind in ("customer_managed_policies", "inline_policies", "aws_managed_policies"):
                flagged[kind] = {pid for (k, pid) in esc if k == kind}

            def reaches(pr):
                if any(pid in flagged["inline_policies"] for pid in pr.get("inline_policies", {})):
                    return True
                if any(pid in flagged["customer_managed_policies"] for pid in pr.get("customer_managed_policies", {})):
                    return True
                if any(pid in flagged["aws_managed_policies"] for pid in pr.get("aws_managed_policies", {})):
                    return True
                return any(reaches(g) for g in (pr.get("groups") or {}).values())

            principals = sum(1 for kind in ("users", "roles") for pr in d.get(kind, {}).values() if reaches(pr))
            out["cloudsplaining"] = {"policies_privilege_escalation": len(esc),
                                     "principals_privilege_escalation": principals,
                                     "policies_scanned": sum(len(d.get(k, {})) for k in
                                                             ("customer_managed_policies", "inline_policies",
                                                              "aws_managed_policies"))}
    json.dump(out, open(a.out, "w"), indent=1)
    print(json.dumps(out), file=sys.stderr)


# ------------------------------------------------------------------ report -----
def fmt(x, nd=2):
    return "-" if x is None else ("%.*f" % (nd, x))


# "Well under a second" of CPU beyond parsing, as the folder goal is judged.
FOLDER_GOAL_S = 0.5


def cell(x):
    """A value as one line of Markdown, safe inside a table cell: whitespace runs (newlines
    included) become one space and `|` is escaped. Command output that ends up in a note or a
    count (such as a check count captured with a trailing line) cannot break the table."""
    return " ".join(str(x).split()).replace("|", "\\|")


def report(a):
    res = [json.loads(l) for l in open(a.results) if l.strip()]
    by = {r["label"]: r for r in res}
    L = section_head("audit", "bench/audit.sh", a)
    acc = {}
    for s in a.scales.split():
        m = "%s/account-%sx.json" % (a.work, s)
        if os.path.exists(m):
            acc[s] = json.load(open(m))
    fm = json.load(open(a.folder_manifest)) if a.folder_manifest and os.path.exists(a.folder_manifest) else None
    L.append("Two halves, as the issue asks. **A (live):** one moto %s server on loopback (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`, "
             "its clock moved with libfaketime while seeding so that access keys can be 400 days old), seeded by "
             "`bench/gen_audit_account.py` into a fresh account per scale (STS AssumeRole into `arn:aws:iam::<id>:role/x`); "
             "Keyward and Prowler audit the same account, us-east-1 only, one after the other. **B (offline):** a "
             "snapshot folder of %s principals made by `bench/gen_audit_folder.py`; Keyward audits it with `--from`, "
             "Cloudsplaining scans its `iam-get-account-authorization-details.json`." % (
                 a.moto_version, "{:,}".format(fm["principals"]) if fm else "?"))
    L.append("")
    if acc:
        L.append("Accounts: " + "; ".join(
            "%sx = %d users, %d roles, %d groups, %d customer managed policies, plus %d Lambda functions, %d ECS task "
            "definitions, %d security groups" % (s, m["counts"]["users"], m["counts"]["roles"], m["counts"]["groups"],
                                                 m["counts"]["customer_policies"], 5 * m["scale"], 3 * m["scale"],
                                                 3 * m["scale"]) for s, m in acc.items())
                 + (". Access keys aged with libfaketime: %s." % ("yes" if all(m.get("aged_keys") for m in acc.values()) else "no")))
        L.append("")
    if fm:
        c = fm["counts"]
        L.append("Folder: %s users, %s roles, %s groups, %s customer managed and %s AWS managed policies, %s inline "
                 "policies; authorization details %.1f MB, credential report %.1f MB (seed %s; AWS managed documents: %s)." % (
                     "{:,}".format(c["users"]), "{:,}".format(c["roles"]), c["groups"], "{:,}".format(c["customer_policies"]),
                     c["aws_managed_policies"], "{:,}".format(c["inline_policies"]), fm["authorization_details_bytes"] / 1e6,
                     fm["credential_report_bytes"] / 1e6, fm["seed"], fm["aws_managed_documents"]))
        L.append("")
    L.append("Each run is timed with `/usr/bin/time -v` (%s). CPU s = user + system of the tool's process tree; for "
             "the live runs, *moto CPU s* is what the moto server spent answering it (not included in CPU s). Peak RSS "
             "is the largest single process. *Failed* counts resources a tool failed on the overlapping checks "
             "(the mapping below), each (check, resource) once." % a.repeat_note)
    L.append("")
    L.append("| run | tool | version | input | wall s | CPU s | moto CPU s | peak RSS MB | failed (overlapping checks) | notes |")
    L.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    oj = "%s/offline.json" % a.work
    off = json.load(open(oj)) if os.path.exists(oj) else {}
    for r in res:
        lab = r["label"]
        if lab.startswith(("keyward-", "prowler-")) and lab.endswith("x") and os.path.exists("%s/compare-%s.json" % (a.work, lab.split("-")[1])):
            c = json.load(open("%s/compare-%s.json" % (a.work, lab.split("-")[1])))
            r["failed"] = "{:,}".format(c["keyward_failed_total" if r["tool"] == "keyward" else "prowler_failed_total"])
        elif lab == "keyward-folder-all" and off.get("keyward"):
            bc = off["keyward"]["by_check"]
            r["failed"] = "%s escalation + %s admin principals" % (bc.get("iam-privilege-escalation", 0), bc.get("iam-admin-principal", 0))
        elif lab == "cloudsplaining-folder" and off.get("cloudsplaining"):
            c = off["cloudsplaining"]
            r["failed"] = "%d escalation policies (%d principals)" % (c["policies_privilege_escalation"], c["principals_privilege_escalation"])
    for r in res:
        if r.get("status") != "ok":
            L.append("| %s | %s | %s | %s | - | - | - | - | - | %s |" % tuple(cell(v) for v in (
                r["label"], r["tool"], r.get("version", ""), r.get("input", ""), r.get("notes", ""))))
            continue
        L.append("| %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |" % (
            cell(r["label"]), cell(r["tool"]), cell(r.get("version", "")), cell(r.get("input", "")), fmt(r["wall_s"]),
            fmt(r["user_s"] + r["sys_s"]), fmt(r.get("server_cpu_s")), r["rss_kb"] // 1024,
            cell(r.get("failed", "-")), cell(r.get("notes", ""))))
    L.append("")
    # goals
    L.append("Goal (issue): on the same moto account, Keyward finishes with at least Prowler's findings on the "
             "overlapping checks in a small fraction of its time; on the 10,000-principal folder the offline checks "
             "take well under a second of CPU beyond parsing, far ahead of Cloudsplaining.")
    L.append("")
    for s in a.scales.split():
        k, p = by.get("keyward-%sx" % s), by.get("prowler-%sx" % s)
        cj = "%s/compare-%sx.json" % (a.work, s)
        if k and p and k.get("status") == "ok" and p.get("status") == "ok" and os.path.exists(cj):
            c = json.load(open(cj))
            missed = sum(len(x["missed"]) for x in c["pairs"])
            L.append("- %sx: Keyward took %.1f%% of Prowler's wall time (%.2f s vs %.2f s) and %.1f%% of its CPU; it "
                     "covered %d of Prowler's %d failures on the overlapping checks, %d not covered (listed below): "
                     "at least Prowler's findings %s." % (
                         s, 100 * k["wall_s"] / p["wall_s"], k["wall_s"], p["wall_s"],
                         100 * (k["user_s"] + k["sys_s"]) / max(1e-9, p["user_s"] + p["sys_s"]),
                         sum(x["covered"] for x in c["pairs"]), sum(x["prowler_failed"] for x in c["pairs"]), missed,
                         "met" if missed == 0 else "**NOT met**"))
    one, allc, cs = by.get("keyward-folder-1check"), by.get("keyward-folder-all"), by.get("cloudsplaining-folder")
    nop = by.get("keyward-folder-no-privesc")
    if one and allc and one.get("status") == "ok" and allc.get("status") == "ok":
        d = (allc["user_s"] + allc["sys_s"]) - (one["user_s"] + one["sys_s"])
        rj = "%s/out/keyward-folder-all.json" % a.work
        size = (" (%.1f MB, every outcome)" % (os.path.getsize(rj) / 1e6)) if os.path.exists(rj) else ""
        L.append("- Folder: parsing (every file of the folder is read and parsed whatever checks run) plus one trivial "
                 "check took %.2f CPU s; all %s checks plus the JSON report%s %.2f CPU s: the checks and the report cost "
                 "**%.2f CPU s beyond parsing** (goal: well under 1 s, counted as met below %.1f s: %s)." % (
                     one["user_s"] + one["sys_s"], cell(a.n_checks) or "?", size, allc["user_s"] + allc["sys_s"], d,
                     FOLDER_GOAL_S, "met" if d < FOLDER_GOAL_S else "**NOT met**"))
        if nop and nop.get("status") == "ok":
            L.append("- Without iam-privilege-escalation, the other checks plus the report cost %.2f CPU s beyond parsing "
                     "(%.2f CPU s in all): iam-privilege-escalation alone takes %.1f CPU s on this folder." % (
                         (nop["user_s"] + nop["sys_s"]) - (one["user_s"] + one["sys_s"]), nop["user_s"] + nop["sys_s"],
                         (allc["user_s"] + allc["sys_s"]) - (nop["user_s"] + nop["sys_s"])))
        if cs and cs.get("status") == "ok":
            L.append("- Cloudsplaining on the same authorization details: %.1f s wall, %.1f CPU s, %.0fx Keyward's whole "
                     "run (%.2f s wall)." % (cs["wall_s"], cs["user_s"] + cs["sys_s"], cs["wall_s"] / allc["wall_s"],
                                             allc["wall_s"]))
        elif cs:
            L.append("- Cloudsplaining: %s" % cs.get("notes", ""))
    L.append("")
    L.append("How busy the machine was (%s cores): 1-minute load average when each run started / cores' worth of CPU "
             "time that other work took during the timed run (the moto server's share excluded): %s." % (
                 a.nproc, ", ".join("%s %s / %s" % (r["label"], r.get("load", "?"), fmt(r.get("other_cores")))
                                    for r in res if r.get("status") == "ok")))
    L.append("")
    # mapping tables
    for s in a.scales.split():
        cj = "%s/compare-%sx.json" % (a.work, s)
        if not os.path.exists(cj):
            continue
        c = json.load(open(cj))
        L.append("Overlapping checks at %sx: resources failed by each tool (the mapping is in `bench/audit.sh`; unit: "
                 "how a Prowler failure is matched, see `bench/auditbench.py`). *covered*: Prowler failures Keyward "
                 "also reported." % s)
        L.append("")
        L.append("| Prowler check | Keyward check | unit | Prowler failed | Keyward failed | covered | Keyward fewer | note |")
        L.append("| --- | --- | --- | ---: | ---: | ---: | --- | --- |")
        for x in c["pairs"]:
            fewer = "**%d**" % len(x["missed"]) if x["missed"] else ""
            pf = x["prowler_failed"] if x["prowler_ran"] else "no result"
            L.append("| %s | %s | %s | %s | %d | %d | %s | %s |" % (
                cell(x["prowler"]), cell(", ".join(x["keyward"])), cell(x["unit"]), pf, x["keyward_failed"],
                x["covered"], fewer, cell(x["note"])))
        L.append("")
        miss = [(x, m) for x in c["pairs"] for m in x["missed"]]
        if miss:
            L.append("Prowler failures at %sx that Keyward did not report (Prowler's reason; what Keyward said). "
                     "Failures Keyward could not evaluate for the same reason are grouped:" % s)
            L.append("")
            groups = {}
            for x, m in miss:
                k = m.get("keyward", "")
                key = (x["prowler"], k) if k.startswith("Keyward: not evaluated") else (x["prowler"], k, m["resource"])
                groups.setdefault(key, []).append(m)
            for key, ms in groups.items():
                names = ", ".join(m["resource"].split(":")[-1] for m in ms)
                why = ms[0]["why"] if len(ms) == 1 else "%d resources, e.g. %s" % (len(ms), ms[0]["why"])
                L.append("- `%s` %s: %s%s" % (key[0], names, why.replace("|", "/"),
                                              (" (%s)" % ms[0]["keyward"]) if ms[0].get("keyward") else ""))
            L.append("")
    if off:
        o = off
        k, c = o.get("keyward", {}), o.get("cloudsplaining")
        bc = k.get("by_check", {})
        L.append("Folder findings: Keyward %s failed (check, resource) outcomes in all; privilege escalation: Keyward "
                 "failed %s principals with iam-privilege-escalation (plus %s administrators, iam-admin-principal, which "
                 "that check leaves out)%s." % (
                     "{:,}".format(sum(bc.values())), bc.get("iam-privilege-escalation", 0), bc.get("iam-admin-principal", 0),
                     ("; Cloudsplaining flagged %d of %d policies with a privilege-escalation finding, reaching %d "
                      "users and roles (it judges each policy on its own, with its default exclusions, which skip "
                      "AdministratorAccess and service roles)" % (c["policies_privilege_escalation"], c["policies_scanned"],
                                                                   c["principals_privilege_escalation"])) if c else ""))
        L.append("")
    L.append("Commands:")
    L.append("")
    for r in res:
        if r.get("cmd"):
            L.append("- %s: `%s`" % (r["label"], r["cmd"]))
    if a.prowler_note:
        L.append("")
        L.append(a.prowler_note)
    L.append("")
    replace_section(a.benchmarks, "audit", "\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    c = sp.add_parser("compare")
    c.add_argument("--mapping", required=True)
    c.add_argument("--keyward", required=True)
    c.add_argument("--prowler", required=True)
    c.add_argument("--auth")
    c.add_argument("--out", required=True)
    o = sp.add_parser("offline")
    o.add_argument("--keyward")
    o.add_argument("--cloudsplaining")
    o.add_argument("--out", required=True)
    r = sp.add_parser("report")
    for k in ("results", "benchmarks", "command", "nproc", "cpu", "mem", "os", "work", "scales", "folder-manifest",
              "moto-version", "repeat-note", "n-checks", "prowler-note"):
        r.add_argument("--" + k, default="")
    a = ap.parse_args()
    {"compare": compare, "offline": offline, "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
