//! Where reports go (stdout or `--output`), and whether colour is on.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use keyward_core::{Finding, Lang, Severity};

use crate::cli::ColorChoice;

pub fn color_enabled(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// Writes `text` to the file, or to stdout. A broken pipe surfaces as an io error the caller
/// maps to exit 0.
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// A byte-counting spinner on stderr, hidden when stderr is not a terminal or with `--quiet`.
pub fn progress_bar(quiet: bool, verb: &str) -> ProgressBar {
    spinner(
        quiet,
        &format!("{{spinner}} {verb} {{bytes}} ({{binary_bytes_per_sec}}) {{elapsed}}"),
    )
}

fn spinner(quiet: bool, template: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

pub fn by_severity(findings: &[Finding]) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(f.severity.as_str()).or_insert(0) += 1;
    }
    m
}

/// The summary's last line: `Findings: 3 (1 critical, 2 high).`, or `none` when there are none.
/// `label` and `none` are (English, Japanese).
pub fn severity_line(
    findings: &[Finding],
    lang: Lang,
    label: (&str, &str),
    none: (&str, &str),
) -> String {
    let ja = lang == Lang::Ja;
    if findings.is_empty() {
        return format!("{}\n", if ja { none.1 } else { none.0 });
    }
    let counts = by_severity(findings);
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| counts.get(sev.as_str()).map(|n| format!("{n} {sev}")))
        .collect();
    if ja {
        format!(
            "{}: {} 件（{}）。\n",
            label.1,
            findings.len(),
            parts.join("、")
        )
    } else {
        format!("{}: {} ({}).\n", label.0, findings.len(), parts.join(", "))
    }
}

/// A counting spinner on stderr (`N calls: last label`), hidden as [`progress_bar`] is.
pub fn count_bar(quiet: bool, what: &str) -> ProgressBar {
    spinner(
        quiet,
        &format!("{{spinner}} {{pos}} {what} {{elapsed}} {{msg}}"),
    )
}
