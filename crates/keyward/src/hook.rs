//! `keyward hook install`: a pre-commit hook that runs `keyward scan --staged`, as
//! `git secrets --install` does. It honours `core.hooksPath`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cli::HookCmd;
use crate::exit::Code;

const MARKER: &str = "# installed by `keyward hook install`";

fn script() -> String {
    format!(
        r#"#!/bin/sh
{MARKER}
# Blocks a commit that adds a secret. Accept a finding with `keyward:allow` on its line or a
# baseline (`keyward scan --write-baseline .keyward-baseline.json`); bypass once with
# `git commit --no-verify`.
if ! command -v keyward >/dev/null 2>&1; then
  echo "keyward: not on PATH; the commit was not checked for secrets (install keyward, or commit with --no-verify)" >&2
  exit 1
fi
if [ -f .keyward-baseline.json ]; then
  exec keyward scan --staged --quiet --baseline .keyward-baseline.json .
fi
exec keyward scan --staged --quiet .
"#
    )
}

fn hooks_dir(repo: &Path) -> Result<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "{}: not a git repository ({})",
            repo.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

pub fn run(cmd: HookCmd) -> Result<Code> {
    let HookCmd::Install { repo, force } = cmd;
    let dir = hooks_dir(&repo)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let hook = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(MARKER) && !force {
            bail!(
                "{} exists and was not written by keyward; add `keyward scan --staged .` to it, or rerun with --force to replace it",
                hook.display()
            );
        }
    }
    std::fs::write(&hook, script()).with_context(|| format!("cannot write {}", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    }
    eprintln!("keyward: installed {}", hook.display());
    Ok(Code::Clean)
}
