//! Baselines: the findings a team has accepted, so that only new secrets fail a build. A
//! baseline holds fingerprints (hashes), never secrets, and is safe to commit.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};
use keyward_core::Finding;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    keyward_baseline: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule_id: String,
    path: String,
    #[serde(default)]
    redacted: String,
}

pub fn write(path: &Path, findings: &[Finding]) -> Result<()> {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            path: f.location.path.clone(),
            redacted: f.secret.as_ref().map(|s| s.redacted()).unwrap_or_default(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule_id, &a.fingerprint).cmp(&(&b.path, &b.rule_id, &b.fingerprint))
    });
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let doc = BaselineFile {
        keyward_baseline: VERSION,
        findings: entries,
    };
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write baseline {}", path.display()))
}

pub fn read(path: &Path) -> Result<HashSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let doc: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a keyward baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if doc.keyward_baseline != VERSION {
        bail!(
            "{}: baseline version {} is not supported (expected {VERSION})",
            path.display(),
            doc.keyward_baseline
        );
    }
    Ok(doc.findings.into_iter().map(|e| e.fingerprint).collect())
}
