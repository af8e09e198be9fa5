//! `keyward rules list|explain`: generated from the rule data, never written twice.

use anyhow::{bail, Result};
use comfy_table::{presets, ContentArrangement, Table};
use keyward_core::Lang;
use serde_json::json;

use crate::cli::{FormatArg, Global, RulesCmd};
use crate::exit::Code;
use crate::output::emit;

pub fn run(global: &Global, cmd: RulesCmd) -> Result<Code> {
    let rules = keyward_secrets::rules::bundled()?;
    let lang = crate::cli::lang(global);
    match cmd {
        RulesCmd::List { format } => {
            let text = match format {
                FormatArg::Table => {
                    let mut t = Table::new();
                    t.load_preset(presets::NOTHING)
                        .set_content_arrangement(ContentArrangement::Disabled)
                        .set_header(["ID", "SEVERITY", "TITLE"]);
                    for r in &rules {
                        t.add_row([r.def.id.as_str(), r.def.severity.as_str(), &r.def.title]);
                    }
                    format!("{t}\n{} rules\n", rules.len())
                }
                FormatArg::Json | FormatArg::Sarif => {
                    let all: Vec<_> = rules.iter().map(|r| &r.meta).collect();
                    serde_json::to_string_pretty(&all)? + "\n"
                }
                FormatArg::Jsonl => rules
                    .iter()
                    .map(|r| json!(r.meta).to_string() + "\n")
                    .collect(),
            };
            emit(&text, None)?;
        }
        RulesCmd::Explain { id } => {
            let Some(r) = rules.iter().find(|r| r.def.id == id) else {
                bail!("no rule {id:?} (see `keyward rules list`)");
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
