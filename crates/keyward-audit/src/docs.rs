//! `docs/audit-checks.md`, generated from the checks' own metadata.

use std::fmt::Write as _;

use crate::check::CheckMeta;

/// The checks page: a summary table, then one section per check in both languages.
pub fn markdown(checks: &[CheckMeta]) -> String {
    let mut s = String::from(
        "# Audit checks\n\n\
         <!-- Generated from crates/keyward-audit/checks/*.yml by `KEYWARD_BLESS=1 cargo test -p keyward-audit --test catalog`; do not edit. -->\n\n\
         | id | severity | service | references | title | タイトル |\n|---|---|---|---|---|---|\n",
    );
    let cell = |t: &str| t.replace('|', "\\|");
    for c in checks {
        let controls: Vec<&str> = c
            .references
            .iter()
            .filter(|r| !r.starts_with("http"))
            .map(String::as_str)
            .collect();
        let _ = writeln!(
            s,
            "| [`{id}`](#{id}) | {} | {} | {} | {} | {} |",
            c.severity,
            c.service,
            cell(&controls.join(", ")),
            cell(&c.title.en),
            cell(&c.title.ja),
            id = c.id
        );
    }
    for c in checks {
        let _ = write!(s, "\n## {}\n\n", c.id);
        let _ = writeln!(s, "**{}** · {} · {}\n", c.severity, c.service, c.title.en);
        let _ = writeln!(s, "{}\n", c.rationale.en);
        let _ = writeln!(s, "Remediation: {}\n", c.remediation.en);
        let _ = writeln!(s, "**{}**\n", c.title.ja);
        let _ = writeln!(s, "{}\n", c.rationale.ja);
        let _ = writeln!(s, "対処: {}\n", c.remediation.ja);
        for r in &c.references {
            let _ = writeln!(s, "- {r}");
        }
        let _ = writeln!(
            s,
            "\nExamples: {} failing, {} passing (run by `cargo test -p keyward-audit`).",
            c.examples.fail.len(),
            c.examples.pass.len()
        );
    }
    s
}
