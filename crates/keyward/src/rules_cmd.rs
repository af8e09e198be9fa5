//! `keyward rules list|explain`: generated from the rule data, never written twice.

use anyhow::{bail, Result};
use comfy_table::{presets, ContentArrangement, Table};
use keyward_core::{Lang, RuleMeta};
use serde_json::json;

use crate::cli::{FormatArg, Global, RuleKind, RulesCmd};
use crate::exit::Code;
use crate::output::emit;

pub fn run(global: &Global, cmd: RulesCmd) -> Result<Code> {
    let rules = keyward_secrets::rules::bundled()?;
    let lang = crate::cli::lang(global);
    match cmd {
        RulesCmd::List { format, kind } => {
            let metas: Vec<RuleMeta> = match kind {
                RuleKind::Secret => rules.iter().map(|r| r.meta.clone()).collect(),
                RuleKind::Audit => audit_metas(lang)?,
                RuleKind::Detect => detect_metas(),
            };
            let text = match format {
                FormatArg::Table => {
                    let mut t = Table::new();
                    t.load_preset(presets::NOTHING)
                        .set_content_arrangement(ContentArrangement::Disabled)
                        .set_header(["ID", "SEVERITY", "TITLE"]);
                    for m in &metas {
                        t.add_row([m.id.as_str(), m.severity.as_str(), &m.title]);
                    }
                    format!("{t}\n{} rules\n", metas.len())
                }
                FormatArg::Json | FormatArg::Sarif => serde_json::to_string_pretty(&metas)? + "\n",
                FormatArg::Jsonl => metas.iter().map(|m| json!(m).to_string() + "\n").collect(),
            };
            emit(&text, None)?;
        }
        RulesCmd::Explain { id } => {
            let Some(r) = rules.iter().find(|r| r.def.id == id) else {
                // Not a secret rule: an audit check or a detection rule of that id.
                let other = audit_metas(lang)?
                    .into_iter()
                    .chain(detect_metas())
                    .find(|m| m.id == id);
                let Some(m) = other else {
                    bail!("no rule {id:?} (see `keyward rules list --kind secret|audit|detect`)");
                };
                emit(&explain_meta(&m, lang), None)?;
                return Ok(Code::Clean);
            };
            let d = &r.def;
            let mut out = format!("{}  [{}]\n{}\n\n", d.id, d.severity, d.title);
            let (why, fix, refs, ex) = match lang {
                Lang::En => ("Why it matters", "What to do", "References", "Examples"),
                Lang::Ja => ("なぜ問題か", "対処方法", "参考資料", "検出例"),
            };
            out += &format!(
                "{why}:\n  {}\n\n{fix}:\n  {}\n\n",
                d.rationale.get(lang),
                d.remediation.get(lang)
            );
            out += &format!("{refs}:\n");
            for u in &d.references {
                out += &format!("  - {u}\n");
            }
            out += &format!(
                "\nKeywords: {}\nPattern: {}\n",
                d.keywords.join(", "),
                d.pattern
            );
            if let Some(e) = d.entropy {
                out += &format!("Entropy floor: {e} bits per byte\n");
            }
            out += &format!("\n{ex}:\n");
            for e in &d.examples {
                out += &format!("  + {e}\n");
            }
            for e in &d.negative_examples {
                out += &format!("  - {e}\n");
            }
            emit(&out, None)?;
        }
    }
    Ok(Code::Clean)
}

fn audit_metas(lang: Lang) -> Result<Vec<RuleMeta>> {
    let cat = keyward_audit::catalog().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(cat.iter().map(|c| c.rule_meta(lang)).collect())
}

fn detect_metas() -> Vec<RuleMeta> {
    let (rules, _) = keyward_detect::builtin_rules();
    rules.iter().map(crate::detect::meta).collect()
}

/// An audit check or detection rule, explained from its metadata.
fn explain_meta(m: &RuleMeta, lang: Lang) -> String {
    let (why, fix, refs) = match lang {
        Lang::En => ("Why it matters", "What to do", "References"),
        Lang::Ja => ("なぜ問題か", "対処方法", "参考資料"),
    };
    let mut out = format!(
        "{}  [{}]\n{}\n\n{why}:\n  {}\n\n{fix}:\n  {}\n\n{refs}:\n",
        m.id,
        m.severity,
        m.title,
        m.rationale.get(lang),
        m.remediation.get(lang)
    );
    for u in &m.references {
        out += &format!("  - {u}\n");
    }
    out
}
