//! Renderers: every output format Keyward writes, from the one findings model.
//!
//! A secret's value appears only when [`Options::show_secrets`] is set; everything else shows
//! [`keyward_core::Secret::redacted`].

mod audit;
mod sarif;
mod table;

use keyward_core::Finding;
use serde_json::{json, Map, Value};

pub use audit::{asff, audit_html, audit_table, ocsf};
pub use sarif::sarif;
pub use table::{alerts_table, table};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Sarif,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub show_secrets: bool,
    /// ANSI colours in the table.
    pub color: bool,
}

/// The tool, for reports that name it.
pub const TOOL_NAME: &str = "keyward";
pub const TOOL_URI: &str = "https://github.com/keyward/keyward";

/// The secret as this run may show it: in full with `--show-secrets`, else redacted.
pub fn secret_text(f: &Finding, opts: Options) -> String {
    match &f.secret {
        Some(s) if opts.show_secrets => s.expose().to_string(),
        Some(s) => s.redacted(),
        None => String::new(),
    }
}

/// One finding as a JSON object: the shape of `--format json` items and `--format jsonl` lines.
pub fn finding_json(f: &Finding, opts: Options) -> Value {
    let mut o = Map::new();
    o.insert("rule_id".into(), json!(f.rule_id));
    o.insert("title".into(), json!(f.title));
    o.insert("severity".into(), json!(f.severity));
    o.insert("location".into(), json!(f.location));
    if let Some(s) = &f.secret {
        o.insert("redacted".into(), json!(s.redacted()));
        if opts.show_secrets {
            o.insert("secret".into(), json!(s.expose()));
        }
    }
    o.insert("fingerprint".into(), json!(f.fingerprint));
    o.insert("properties".into(), json!(f.properties));
    Value::Object(o)
}

/// `--format json`: one document with the findings and the run's summary.
pub fn json_document(findings: &[Finding], summary: Value, opts: Options) -> Value {
    json!({
        "tool": { "name": TOOL_NAME, "version": env!("CARGO_PKG_VERSION") },
        "findings": findings.iter().map(|f| finding_json(f, opts)).collect::<Vec<_>>(),
        "summary": summary,
    })
}

/// `--format jsonl`: one finding per line, nothing else, so `jq -c` and log shippers take it.
pub fn jsonl(findings: &[Finding], opts: Options) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&finding_json(f, opts).to_string());
        out.push('\n');
    }
    out
}

/// The details a reader needs beside the location, in one line: account, git status, commit.
pub fn details(f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, label) in [
        ("event_time", "at"),
        ("event_name", "event"),
        ("principal_arn", "by"),
        ("access_key_id", "key"),
        ("source_ip", "from"),
        ("account_id", "account"),
        ("region", "region"),
        ("key_id", "key"),
        ("secret_key", "secret key"),
        ("verified", "verified"),
        ("events", "events"),
    ] {
        if let Some(v) = f.properties.get(k) {
            parts.push(format!("{label} {v}"));
        }
    }
    if let Some(g) = f.location.git {
        let g = serde_json::to_value(g)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if g != "none" {
            parts.push(format!("git: {g}"));
        }
    }
    if let Some(c) = &f.location.commit {
        let short: String = c.id.chars().take(10).collect();
        parts.push(format!(
            "commit {short} {} <{}> {}",
            c.author, c.email, c.date
        ));
    }
    parts.join("; ")
}

/// `path:line:column`.
pub fn location_text(f: &Finding) -> String {
    let l = &f.location;
    match (l.line, l.column) {
        (Some(line), Some(col)) => format!("{}:{line}:{col}", l.path),
        (Some(line), None) => format!("{}:{line}", l.path),
        _ => l.path.clone(),
    }
}
