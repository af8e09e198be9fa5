//! SARIF 2.1.0, as GitHub code scanning reads it.

use std::collections::BTreeMap;

use keyward_core::{Finding, RuleMeta, Severity};
use serde_json::{json, Value};

use crate::{details, secret_text, Options, TOOL_NAME, TOOL_URI};

/// SARIF's result level for a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score) for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

/// Percent-encodes a path into a relative URI reference (SARIF requires valid URIs).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_descriptor(r: &RuleMeta) -> Value {
    let mut d = json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": r.rationale.en },
        "help": {
            "text": r.remediation.en,
            "markdown": format!("{}\n\n{}", r.remediation.en, r.remediation.ja),
        },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "security-severity": security_severity(r.severity),
            "tags": ["security", "secret"],
            "precision": "high",
        },
    });
    // References may also be control ids (`FSBP IAM.1`, `CIS 1.4`); helpUri takes a URL only.
    if let Some(u) = r
        .references
        .iter()
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        d["helpUri"] = json!(u);
    }
    d
}

/// A SARIF log with one run. `errors` become tool execution notifications, so a partial scan
/// says so in the log itself.
pub fn sarif(
    findings: &[Finding],
    rules: &[RuleMeta],
    errors: &[(String, String)],
    opts: Options,
) -> Value {
    let by_id: BTreeMap<&str, &RuleMeta> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut used: Vec<&RuleMeta> = findings
        .iter()
        .filter_map(|f| by_id.get(f.rule_id.as_str()).copied())
        .collect();
    used.sort_by(|a, b| a.id.cmp(&b.id));
    used.dedup_by(|a, b| a.id == b.id);
    let index: BTreeMap<&str, usize> = used
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let secret = secret_text(f, opts);
            let extra = details(f);
            let text = match (f.secret.is_some(), extra.is_empty()) {
                (true, true) => format!("{} found: {secret}", f.title),
                (true, false) => format!("{} found: {secret} ({extra})", f.title),
                (false, true) => f.title.clone(),
                (false, false) => format!("{} ({extra})", f.title),
            };
            let mut region = serde_json::Map::new();
            if let Some(l) = f.location.line {
                region.insert("startLine".into(), json!(l));
            }
            if let Some(c) = f.location.column {
                region.insert("startColumn".into(), json!(c));
            }
            if let Some(c) = f.location.end_column {
                region.insert("endColumn".into(), json!(c));
            }
            let mut physical = json!({ "artifactLocation": { "uri": uri(&f.location.path) } });
            if !region.is_empty() {
                physical["region"] = serde_json::Value::Object(region);
            }
            let mut r = json!({
                "ruleId": f.rule_id,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": physical }],
                "partialFingerprints": { "keyward/v1": f.fingerprint },
                "properties": {
                    "severity": f.severity,
                    "details": f.properties,
                },
            });
            if let Some(i) = index.get(f.rule_id.as_str()) {
                r["ruleIndex"] = json!(i);
            }
            if let Some(c) = &f.location.commit {
                r["properties"]["commit"] = json!(c);
            }
            r
        })
        .collect();

    let notifications: Vec<Value> = errors
        .iter()
        .map(|(path, reason)| {
            json!({
                "level": "error",
                "message": { "text": format!("{path}: {reason}") },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }],
            })
        })
        .collect();

    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": TOOL_NAME,
                "informationUri": TOOL_URI,
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": used.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/a b/.env"), "src/a%20b/.env");
        assert_eq!(uri("日本.txt"), "%E6%97%A5%E6%9C%AC.txt");
    }
}
