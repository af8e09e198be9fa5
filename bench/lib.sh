# bench/lib.sh -- shell functions the benchmark scripts share (sourced, not run).
# Expects the caller's associative arrays BIN, VERSION, UNAVAILABLE, $REPO, $RESULTS and its
# functions `have` and `log`.

# Builds keyward from this checkout (respecting CARGO_TARGET_DIR: cargo is asked
# where the target dir is) and checks that it has the subcommand $1.
prepare_keyward_for() {
    local sub=$1
    have cargo || { UNAVAILABLE[keyward]="pending: cargo not found"; return; }
    log "building keyward (cargo build --release --locked -p keyward)"
    if ! cargo build --release --locked -p keyward >&2; then
        UNAVAILABLE[keyward]="pending: \`cargo build --release --locked -p keyward\` failed"; return
    fi
    local td
    td=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    local b="$td/release/keyward"
    [[ -x $b ]] || { UNAVAILABLE[keyward]="pending: no binary at $b"; return; }
    if ! "$b" "$sub" --help >/dev/null 2>&1; then
        UNAVAILABLE[keyward]="pending: the binary has no working \`$sub\` subcommand yet (\`keyward $sub --help\` failed)"; return
    fi
    BIN[keyward]=$b
    VERSION[keyward]=$("$b" --version 2>/dev/null | awk '{print $NF}')
    # Name the source it was built from: commit, and whether the tree differs.
    local rev
    rev=$(git rev-parse --short HEAD 2>/dev/null || echo "no commit")
    if [[ -n $(git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null) ]]; then rev+=", uncommitted changes"; fi
    VERSION[keyward]+=" ($rev)"
}

# A command line, shell-quoted, with the repo path and $HOME shortened, for the report.
display_cmd() {
    local s="" w re='[^A-Za-z0-9_./=:@~+-]'
    for w in "$@"; do
        # A glob run from another directory (secretlint's) must stay absolute.
        if [[ $w == *'**'* ]]; then w=${w//"$REPO/"/'<repo>/'}; else w=${w//"$REPO/"/}; fi
        w=${w//"$HOME/"/"~/"}
        if [[ $w =~ $re ]]; then s+=" '${w//\'/\'\\\'\'}'"; else s+=" $w"; fi
    done
    printf '%s' "${s# }"
}

# emit KEY VALUE...: one JSON object per line into $RESULTS.
emit() { python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@" >>"$RESULTS"; }
