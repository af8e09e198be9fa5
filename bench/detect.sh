#!/usr/bin/env bash
# bench/detect.sh -- compare `keyward detect` with DuckDB (the same rules as SQL), the rsigma CLI
# and a plain `zcat` on one CloudTrail tree of ~4,000 gzip files (~1.6 M records, ~2 GB
# uncompressed), and write the result table into BENCHMARKS.md (section "## detect", replaced on
# every run; other sections are left alone).
#
# Run from anywhere; it works from the repo root:
#     bench/detect.sh
#
# Environment (all optional):
#   BENCH_CACHE=DIR       installs of the peer tools (default ~/.cache/keyward-bench; outside the repo)
#   BENCH_EVENTS=N        records in the generated tree (default 1600000; ~400 per file)
#   BENCH_SEED=S          generator seed (default 42)
#   BENCH_REBUILD=1       regenerate the tree (and its JSON Lines copy) even if it is current
#   BENCH_TOOLS="a b"     run only these tools (zcat duckdb duckdb-typed rsigma keyward; keyward runs
#                         twice: the bundled pack, and the 13 rules of bench/rules13)
#   BENCH_TIMEOUT=S       per-run time limit in seconds (default 3600)
#   BENCH_WARMUP=1        also run every tool once untimed before its timed run
#                         (default: only read the tree once to warm the page cache)
#   BENCH_REPEAT=N        time every run N times and keep the fastest (default 1)
#   BENCH_CARGO_JOBS=N    -j for `cargo install` of rsigma (default 1: the machine may be busy compiling)
#   BENCH_NO_REPORT=1     do not touch BENCHMARKS.md
#   CARGO_TARGET_DIR      respected when building keyward
#
# Outputs: bench/work/detect/tree (gitignored) and its manifest tree.json,
# bench/work/detect/cloudtrail.jsonl (the same records as JSON Lines, for rsigma),
# bench/work/detect/out/<run>.* (raw output, /usr/bin/time -v report, stderr),
# bench/work/detect/results.jsonl, and the "## detect" section of BENCHMARKS.md.
set -euo pipefail
# The whole script is one { ... } block so that bash parses all of it before
# running any: editing this file during a (long) run cannot break that run.
{

# ---------------------------------------------------------------- settings --
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh
CACHE=${BENCH_CACHE:-$HOME/.cache/keyward-bench}
WORK=bench/work/detect     # relative, so recorded commands read well
TREE=$WORK/tree
MANIFEST=$WORK/tree.json
JSONL=$WORK/cloudtrail.jsonl
FILELIST=$WORK/files.lst
OUT=$WORK/out
RULES13=bench/rules13
PACK_DIR=crates/keyward-detect/rules
EVENTS=${BENCH_EVENTS:-1600000}
SEED=${BENCH_SEED:-42}
REBUILD=${BENCH_REBUILD:-0}
TIMEOUT=${BENCH_TIMEOUT:-3600}
JOBS=${BENCH_CARGO_JOBS:-1}
REPEAT=${BENCH_REPEAT:-1}
CLK_TCK=$(getconf CLK_TCK)
ALL_TOOLS="zcat duckdb duckdb-typed rsigma keyward"
TOOLS=${BENCH_TOOLS:-$ALL_TOOLS}
NPROC=$(nproc)
GEN_JOBS=$(( NPROC < 2 ? NPROC : 2 ))   # keep the machine usable while generating

# Pinned peer versions, so reruns compare like with like.
DUCKDB_VERSION=2.0.0
RSIGMA_VERSION=0.26.0
RSIGMA_MIN_RUSTC=1.96   # rsigma 0.26's crates are edition 2024 and need rustc 1.96

# The command line as the user typed it, with the BENCH_* settings in force.
CMDLINE="bench/detect.sh"
for v in BENCH_EVENTS BENCH_SEED BENCH_REBUILD BENCH_TOOLS BENCH_TIMEOUT BENCH_WARMUP BENCH_REPEAT; do
    if [[ -n ${!v:-} ]]; then CMDLINE="$v=${!v} $CMDLINE"; fi
done
if [[ $TOOLS == *\ * && -n ${BENCH_TOOLS:-} ]]; then
    CMDLINE=${CMDLINE/BENCH_TOOLS=$BENCH_TOOLS/BENCH_TOOLS=\"$BENCH_TOOLS\"}
fi

log() { printf '\n== %s\n' "$*" >&2; }
warn() { printf 'detect.sh: %s\n' "$*" >&2; }
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }  # non-idle jiffies, all CPUs
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$CACHE" "$WORK" "$OUT"

for t in $TOOLS; do
    case " $ALL_TOOLS " in *" $t "*) ;; *) warn "unknown tool '$t' (known: $ALL_TOOLS)"; exit 1 ;; esac
done
wants() { case " $TOOLS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ------------------------------------------------------------ prerequisites --
log "prerequisites"
have python3 || { warn "python3 is required"; exit 1; }
# GNU time's -v gives wall clock and peak RSS in one go (the bash builtin does not).
if [[ ! -x /usr/bin/time ]]; then
    if have apt-get && [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2
    fi
    [[ -x /usr/bin/time ]] || { warn "need /usr/bin/time (apt package 'time')"; exit 1; }
fi

# ------------------------------------------------------------ peers --------
# Each prepare_<tool> either sets BIN[tool] (+ VERSION, NOTE) or UNAVAILABLE[tool].
declare -A BIN=() VERSION=() UNAVAILABLE=() NOTE=()

prepare_zcat() {
    have zcat || { UNAVAILABLE[zcat]="zcat not found"; return; }
    BIN[zcat]=$(command -v zcat)
    VERSION[zcat]=$(zcat --version 2>/dev/null | awk 'NR==1 {print $NF}')
    NOTE[zcat]="floor: decompression alone, one file after another, single-threaded, output to /dev/null"
}

prepare_duckdb() {
    local venv="$CACHE/venv-duckdb"
    if ! "$venv/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
        log "installing duckdb $DUCKDB_VERSION (venv)"
        if ! { [[ -x $venv/bin/python ]] || python3 -m venv "$venv"; } \
            || ! "$venv/bin/pip" install -q "duckdb==$DUCKDB_VERSION" >&2; then
            UNAVAILABLE[duckdb]="pip install duckdb==$DUCKDB_VERSION failed"; return
        fi
    fi
    BIN[duckdb]=$venv/bin/python
    VERSION[duckdb]=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
}

prepare_duckdb_typed() {
    [[ -n ${BIN[duckdb]:-} ]] || prepare_duckdb
    if [[ -n ${UNAVAILABLE[duckdb]:-} ]]; then UNAVAILABLE[duckdb-typed]=${UNAVAILABLE[duckdb]}; return; fi
    BIN[duckdb-typed]=${BIN[duckdb]}
    VERSION[duckdb-typed]=${VERSION[duckdb]}
}

rustc_at_least() {  # rustc_at_least TOOLCHAIN_ARG MIN: is that toolchain's rustc >= MIN?
    local v
    v=$(rustc ${1:+"$1"} --version 2>/dev/null | awk '{print $2}' | sed 's/-.*//') || return 1
    [[ -n $v ]] && [[ $(printf '%s\n%s\n' "$2" "$v" | sort -V | head -1) == "$2" ]]
}

prepare_rsigma() {
    local b="$CACHE/rsigma/bin/rsigma"
    if have rsigma && rsigma --version 2>/dev/null | grep -q "^rsigma $RSIGMA_VERSION\$"; then
        b=$(command -v rsigma)
    elif ! { [[ -x $b ]] && "$b" --version 2>/dev/null | grep -q "^rsigma $RSIGMA_VERSION\$"; }; then
        have cargo || { UNAVAILABLE[rsigma]="needs cargo"; return; }
        local tc=""
        if ! rustc_at_least "" "$RSIGMA_MIN_RUSTC"; then
            if rustc_at_least +nightly "$RSIGMA_MIN_RUSTC"; then tc=+nightly
            else UNAVAILABLE[rsigma]="needs rustc >= $RSIGMA_MIN_RUSTC (e.g. \`rustup toolchain install nightly\`)"; return
            fi
        fi
        # Without default features: the CLI's `engine eval` only (no daemon, tokio or SQLite).
        log "installing rsigma $RSIGMA_VERSION (cargo $tc install -j $JOBS; takes 10-25 minutes)"
        cargo ${tc:+"$tc"} install --locked -j "$JOBS" --no-default-features --root "$CACHE/rsigma" \
            --version "$RSIGMA_VERSION" rsigma >&2 \
            || { UNAVAILABLE[rsigma]="cargo install rsigma $RSIGMA_VERSION failed"; return; }
    fi
    BIN[rsigma]=$b
    VERSION[rsigma]=$("$b" --version | awk 'NR==1 {print $2}')
    NOTE[rsigma]="reads the JSON Lines copy of the tree (it reads no gzip or {\"Records\":[...]} files); single-threaded"
}

prepare_keyward() {
    prepare_keyward_for detect
}

for t in $TOOLS; do
    log "peer: $t"
    "prepare_${t//-/_}"
    if [[ -n ${UNAVAILABLE[$t]:-} ]]; then warn "$t: ${UNAVAILABLE[$t]}"; else warn "$t ${VERSION[$t]:-}: ${BIN[$t]}"; fi
done

# ------------------------------------------------------------ the tree -----
tree_is_current() {
    [[ $REBUILD != 1 && -f $MANIFEST && -d $TREE ]] || return 1
    python3 - "$MANIFEST" "$EVENTS" "$SEED" <<'EOF'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gen", "bench/gen_cloudtrail.py")
gen = importlib.util.module_from_spec(spec); spec.loader.exec_module(gen)
m = json.load(open(sys.argv[1]))
ok = (m["events_requested"] == int(sys.argv[2]) and str(m["seed"]) == sys.argv[3]
      and m["generator_version"] == gen.GENERATOR_VERSION)
sys.exit(0 if ok else 1)
EOF
}

if tree_is_current; then
    log "tree: reusing $TREE (BENCH_REBUILD=1 to regenerate)"
else
    log "tree: generating $EVENTS records into $TREE ($GEN_JOBS processes)"
    rm -f "$MANIFEST" "$JSONL" "$FILELIST"
    python3 bench/gen_cloudtrail.py --out "$TREE" --events "$EVENTS" --seed "$SEED" --jobs "$GEN_JOBS" \
        --manifest "$MANIFEST.tmp"
    mv "$MANIFEST.tmp" "$MANIFEST"   # last: marks the tree complete
fi
[[ -f $FILELIST ]] || python3 bench/detectbench.py filelist --tree "$TREE" --out "$FILELIST"

if wants rsigma && [[ -z ${UNAVAILABLE[rsigma]:-} ]] && [[ ! -f $JSONL ]]; then
    log "tree: writing the JSON Lines copy for rsigma (untimed)"
    python3 bench/detectbench.py jsonl --tree "$TREE" --out "$JSONL" --jobs "$GEN_JOBS"
fi
JSONL_MB="not made"
[[ -f $JSONL ]] && JSONL_MB=$(python3 -c 'import os,sys; print("%.1f MB" % (os.path.getsize(sys.argv[1]) / 1e6))' "$JSONL")

PACK_INFO=$(python3 bench/detectbench.py packinfo --dir "$PACK_DIR")
PACK_RULES=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["rules"] + d["correlations"])' "$PACK_INFO")

# ------------------------------------------------------------ runs ---------
if wants rsigma && [[ -f $JSONL ]]; then
    log "warming the page cache (reading the tree and the JSON Lines copy once)"
    xargs -0 -a "$FILELIST" cat >/dev/null
    cat "$JSONL" >/dev/null
else
    log "warming the page cache (reading the tree once)"
    xargs -0 -a "$FILELIST" cat >/dev/null
fi


RESULTS=$WORK/results.jsonl
: >"$RESULTS"

# run_one LABEL TOOL RULES_DESC COUNT_RULES_DIR NOTE -- CMD...: time one run, score it, append to results.
# The command writes its alerts to $OUT/LABEL.out (stdout goes to $OUT/LABEL.stdout; zcat's to /dev/null).
run_one() {
    local label=$1 tool=$2 rules=$3 rules_dir=$4 note=$5; shift 6
    local cmd=("$@") o="$OUT/$label.out" stdout="$OUT/$label.stdout"
    # zcat's output is the decompressed tree: straight to /dev/null, as in `zcat ... >/dev/null`.
    if [[ $tool == zcat ]]; then stdout=/dev/null; fi
    rm -f "$o" "$OUT/$label.stdout"
    # keyward detect: 0 no alerts, 1 alerts, 3 some input skipped.
    local ok_codes=" 0 "
    if [[ $tool == keyward ]]; then ok_codes=" 0 1 3 "; fi
    run() {  # run TIMEFILE: one run; prints the exit code
        local rc=0
        /usr/bin/time -v -o "$1" timeout "$TIMEOUT" "${cmd[@]}" >"$stdout" 2>"$OUT/$label.err" || rc=$?
        echo "$rc"
    }
    tv() { awk -F': ' -v k="$1" 'index($0, k) {v=$2} END {print v}' "$2"; }  # tv KEY TIMEFILE
    if [[ ${BENCH_WARMUP:-0} == 1 ]]; then
        log "$label: warm-up run"
        run "$OUT/$label.time" >/dev/null
    fi
    log "$label: $(display_cmd "${cmd[@]}")"
    # Other work on the machine skews the timings; record how busy it was: the 1-minute load
    # average before the run, and the CPU time the rest of the machine used during it (from
    # /proc/stat, hypervisor steal included), in cores.
    local load rc wall="" rss user sys other="" r w b0 b1 oc
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    for ((r = 1; r <= REPEAT; r++)); do
        b0=$(cpu_busy)
        rc=$(run "$OUT/$label.time.$r")
        b1=$(cpu_busy)
        [[ $rc == 124 || $ok_codes != *" $rc "* ]] && { mv "$OUT/$label.time.$r" "$OUT/$label.time"; break; }
        w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/$label.time.$r")
        oc=$(awk -v b0="$b0" -v b1="$b1" -v hz="$CLK_TCK" -v u="$(tv 'User time' "$OUT/$label.time.$r")" \
                -v s="$(tv 'System time' "$OUT/$label.time.$r")" -v w="$w" \
                'BEGIN {x = ((b1 - b0) / hz - u - s) / (w > 0 ? w : 1); printf "%.2f", x < 0 ? 0 : x}')
        [[ $REPEAT -gt 1 ]] && warn "$label: run $r: ${w}s wall (other work: $oc cores)"
        # keep the fastest run
        if [[ -z $wall ]] || awk -v a="$w" -v b="$wall" 'BEGIN {exit !(a < b)}'; then
            wall=$w; other=$oc; mv "$OUT/$label.time.$r" "$OUT/$label.time"
        else
            rm -f "$OUT/$label.time.$r"
        fi
    done
    rss=$(tv 'Maximum resident set size' "$OUT/$label.time")
    user=$(tv 'User time' "$OUT/$label.time")
    sys=$(tv 'System time' "$OUT/$label.time")
    local ver=${VERSION[$tool]:-}
    if [[ $rc == 124 ]]; then
        warn "$label: timed out after ${TIMEOUT}s"
        emit tool "$tool" label "$label" rules "$rules" status timeout version "$ver" wall_s "$TIMEOUT" rss_kb "${rss:-0}" \
            load "$load" notes "${note:+$note; }did not finish within BENCH_TIMEOUT=${TIMEOUT}s" cmd "$(display_cmd "${cmd[@]}")"
        return
    elif [[ $ok_codes != *" $rc "* ]]; then
        warn "$label: exit code $rc; see $OUT/$label.err"
        tail -5 "$OUT/$label.err" >&2 || true
        emit tool "$tool" label "$label" rules "$rules" status na version "$ver" cmd "$(display_cmd "${cmd[@]}")" load "$load" \
            notes "$([[ $tool == keyward ]] && echo "pending: ")failed with exit code $rc: $(grep -v '^\s*$' "$OUT/$label.err" | tail -1 | cut -c1-200 | tr '|' '/')"
        return
    fi
    [[ $rc == 3 ]] && note="${note:+$note; }exit code 3: some input was skipped (see $OUT/$label.err)"
    local score='{"alerts": null, "by_rule": null}'
    if [[ $tool != zcat ]]; then
        [[ -f $o ]] || : >"$o"
        score=$(python3 bench/detectbench.py count --tool "$tool" --output "$o" ${rules_dir:+--rules "$rules_dir"})
    fi
    warn "$label: ${wall}s wall, ${user}s user, ${sys}s sys, $((rss / 1024)) MB peak RSS, other work $other cores, $(python3 -c 'import json,sys; a=json.loads(sys.argv[1])["alerts"]; print("-" if a is None else a)' "$score") alerts"
    python3 - "$RESULTS" "$tool" "$label" "$rules" "$ver" "$wall" "$user" "$sys" "$rss" "$note" \
        "$(display_cmd "${cmd[@]}")" "$score" "$load" "$other" "$REPEAT" <<'EOF'
import json, sys
path, tool, label, rules, version, wall, user, sys_s, rss, note, cmd, score, load, other, repeat = sys.argv[1:]
r = json.loads(score)
r.update(tool=tool, label=label, rules=rules, status="ok", version=version, wall_s=float(wall), user_s=float(user),
         sys_s=float(sys_s), rss_kb=int(rss), cmd=cmd, load=load, other_cores=float(other), repeat=int(repeat),
         notes=note)
with open(path, "a") as fh:
    fh.write(json.dumps(r) + "\n")
EOF
}

skip() {  # skip TOOL LABEL RULES
    emit tool "$1" label "$2" rules "$3" status na version "${VERSION[$1]:-}" notes "${UNAVAILABLE[$1]}"
}

for t in $TOOLS; do
    case $t in
        zcat)
            if [[ -n ${UNAVAILABLE[zcat]:-} ]]; then skip zcat zcat "-"; continue; fi
            # xargs without -P runs one zcat at a time, each over a batch of files.
            run_one zcat zcat "-" "" "${NOTE[zcat]}" -- xargs -0 -a "$FILELIST" "${BIN[zcat]}" ;;
        duckdb|duckdb-typed)
            sql=bench/rules13.sql; desc="13 (SQL, detected schema)"
            note="one pass over the gzip tree, read_json(format='auto') + unnest(Records); all cores"
            if [[ $t == duckdb-typed ]]; then
                sql=bench/rules13-typed.sql; desc="13 (SQL, declared schema)"
                note="as duckdb, but read_json is given the record type (only the fields the rules read)"
            fi
            if [[ -n ${UNAVAILABLE[$t]:-} ]]; then skip "$t" "$t" "$desc"; continue; fi
            run_one "$t" "$t" "$desc" "" "$note" -- \
                "${BIN[$t]}" bench/detectbench.py duckdb --sql "$sql" --tree "$TREE" --out "$OUT/$t.out" ;;
        rsigma)
            if [[ -n ${UNAVAILABLE[rsigma]:-} ]]; then skip rsigma rsigma 13; continue; fi
            run_one rsigma rsigma 13 "$RULES13" "${NOTE[rsigma]}" -- \
                "${BIN[rsigma]}" engine eval -r "$RULES13" -e "@$JSONL" --output-format ndjson -o "$OUT/rsigma.out" ;;
        keyward)
            if [[ -n ${UNAVAILABLE[keyward]:-} ]]; then
                skip keyward keyward-pack "bundled pack ($PACK_RULES)"; skip keyward keyward-13 13; continue
            fi
            run_one keyward-pack keyward "bundled pack ($PACK_RULES)" "$PACK_DIR" "" -- \
                "${BIN[keyward]}" detect "$TREE" --format jsonl --output "$OUT/keyward-pack.out"
            run_one keyward-13 keyward 13 "$RULES13" "" -- \
                "${BIN[keyward]}" detect "$TREE" --no-builtin --rules "$RULES13" --format jsonl --output "$OUT/keyward-13.out" ;;
    esac
done

# ------------------------------------------------------------ report -------
log "per-rule alerts (13-rule runs):"
python3 - "$RESULTS" "$MANIFEST" >&2 <<'EOF'
import json, sys
res = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
planted = json.load(open(sys.argv[2]))["planted"]
runs = [r for r in res if r.get("status") == "ok" and isinstance(r.get("by_rule"), dict) and r["label"] != "keyward-pack"]
print("%-34s %8s " % ("rule", "planted") + " ".join("%12s" % r["label"] for r in runs))
for name, n in planted.items():
    vals = [r["by_rule"].get(name, 0) for r in runs]
    print("%-34s %8d " % (name, n) + " ".join("%12d" % v for v in vals) + ("" if set(vals) <= {n} else "   <- differ"))
EOF
if [[ ${BENCH_NO_REPORT:-0} == 1 ]]; then
    log "results in $RESULTS (BENCH_NO_REPORT=1: BENCHMARKS.md untouched)"
    exit 0
fi
log "writing the detect section of BENCHMARKS.md"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}" || uname -sr)
python3 bench/detectbench.py report --results "$RESULTS" --manifest "$MANIFEST" --benchmarks BENCHMARKS.md \
    --command "$CMDLINE" --nproc "$NPROC" --cpu "${cpu:-unknown CPU}" --mem "${mem:-?}" --os "${os:-?}" \
    --warmup "${BENCH_WARMUP:-0}" --timeout "$TIMEOUT" --jsonl-mb "$JSONL_MB" --repeat "$REPEAT"
log "done: BENCHMARKS.md (## detect), raw output in $OUT/"
exit 0
}
