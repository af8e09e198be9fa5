//! `docs/detect-rules.md`, generated from the bundled rules' own metadata.

use std::fmt::Write as _;

use crate::rule::{Body, Rule};

/// The rules page: a summary table, then one section per rule.
pub fn markdown(rules: &[Rule]) -> String {
    let mut rules: Vec<&Rule> = rules.iter().collect();
    rules.sort_by(|a, b| {
        a.info
            .source
            .cmp(&b.info.source)
            .then(a.info.id.cmp(&b.info.id))
    });
    let mut s = String::from(
        "# Detection rules (bundled CloudTrail pack)\n\n\
         <!-- Generated from crates/keyward-detect/rules by `KEYWARD_BLESS=1 cargo test -p keyward-detect`; do not edit. -->\n\n\
         | id | level | kind | title | タイトル |\n|---|---|---|---|---|\n",
    );
    for r in &rules {
        let kind = match &r.body {
            Body::Detection(_) => "event",
            Body::Correlation(_) => "correlation",
        };
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            r.info.id,
            r.info.id,
            r.info.level.as_str(),
            kind,
            r.info.title.replace('|', "\\|"),
            r.info.title_ja.as_deref().unwrap_or("").replace('|', "\\|")
        );
    }
    for r in &rules {
        let _ = write!(s, "\n## {}\n\n", r.info.id);
        let _ = writeln!(
            s,
            "**{}** — {}  ",
            r.info.title,
            r.info.title_ja.as_deref().unwrap_or("")
        );
        let _ = writeln!(
            s,
            "Level: `{}` · Sigma id: `{}` · File: `{}`\n",
            r.info.level.as_str(),
            r.info.sigma_id.as_deref().unwrap_or("-"),
            r.info.source.trim_start_matches("builtin:")
        );
        if let Some(d) = &r.info.description {
            let _ = writeln!(s, "{d}\n");
        }
        if let Some(t) = &r.info.rationale {
            let _ = writeln!(
                s,
                "**Why it matters.** {}\n\n**なぜ重要か。** {}\n",
                t.en, t.ja
            );
        }
        if let Some(t) = &r.info.remediation {
            let _ = writeln!(s, "**What to do.** {}\n\n**対処。** {}\n", t.en, t.ja);
        }
        if !r.info.tags.is_empty() {
            let _ = writeln!(
                s,
                "Tags: {}\n",
                r.info
                    .tags
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for u in &r.info.references {
            let _ = writeln!(s, "- <{u}>");
        }
    }
    s
}
