//! Secret rules: loaded from the TOML data files in `rules/`, compiled once.
//!
//! The data files are the single source of a rule's metadata, pattern and examples; see
//! `rules/README.md` for the format and evaluation model.

use keyward_core::{RuleMeta, Severity, Text};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::validators::Validator;

/// The bundled rule files, compiled into the binary so `keyward scan` needs nothing on disk.
pub const BUNDLED: &[(&str, &str)] = &[
    ("aws.toml", include_str!("../rules/aws.toml")),
    ("vcs.toml", include_str!("../rules/vcs.toml")),
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("payments.toml", include_str!("../rules/payments.toml")),
    ("crypto.toml", include_str!("../rules/crypto.toml")),
    ("database.toml", include_str!("../rules/database.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
];

/// Largest regex program we accept for one rule; a rule this large is a mistake in the data.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: rule {id}: invalid pattern: {message}")]
    Pattern {
        file: String,
        id: String,
        message: String,
    },
    #[error("{file}: rule {id}: {message}")]
    Invalid {
        file: String,
        id: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleDef>,
}

/// A rule as written in a data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub keywords: Vec<String>,
    pub pattern: String,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub window: Option<usize>,
    #[serde(default)]
    pub validator: Option<Validator>,
    pub rationale: Text,
    pub remediation: Text,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub def: RuleDef,
    pub meta: RuleMeta,
    pub regex: Regex,
    /// Capture group holding the secret: `secret`, else 1, else 0.
    pub group: usize,
    /// Generic rules (`generic-*`) yield to specific ones that match the same bytes.
    pub generic: bool,
}

impl Rule {
    fn compile(file: &str, def: RuleDef) -> Result<Rule, RuleError> {
        let invalid = |message: String| RuleError::Invalid {
            file: file.to_string(),
            id: def.id.clone(),
            message,
        };
        if def.id.is_empty()
            || !def
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid("id must be kebab-case".into()));
        }
        if def.keywords.is_empty() {
            return Err(invalid("at least one keyword is required".into()));
        }
        if let Some(k) = def.keywords.iter().find(|k| k.len() < 3 || !k.is_ascii()) {
            return Err(invalid(format!(
                "keyword {k:?} must be ASCII and at least 3 bytes"
            )));
        }
        let regex = RegexBuilder::new(&def.pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| RuleError::Pattern {
                file: file.to_string(),
                id: def.id.clone(),
                message: e.to_string(),
            })?;
        let group = regex
            .capture_names()
            .position(|n| n == Some("secret"))
            .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
        let meta = RuleMeta {
            id: def.id.clone(),
            title: def.title.clone(),
            severity: def.severity,
            rationale: def.rationale.clone(),
            remediation: def.remediation.clone(),
            references: def.references.clone(),
        };
        let generic = def.id.starts_with("generic-");
        Ok(Rule {
            def,
            meta,
            regex,
            group,
            generic,
        })
    }
}

/// Parses and compiles rule files, checking that ids are unique across all of them.
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Rule>, RuleError> {
    let mut rules: Vec<Rule> = Vec::new();
    for (name, text) in files {
        let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Parse {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        for def in parsed.rule {
            if rules.iter().any(|r| r.def.id == def.id) {
                return Err(RuleError::Invalid {
                    file: name.to_string(),
                    id: def.id,
                    message: "duplicate id".into(),
                });
            }
            rules.push(Rule::compile(name, def)?);
        }
    }
    Ok(rules)
}

/// The bundled rules.
pub fn bundled() -> Result<Vec<Rule>, RuleError> {
    load(BUNDLED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matcher;

    /// Every example of every bundled rule, run through the whole matcher (so that overlaps
    /// between rules are part of the test): positives must be reported under that rule,
    /// negatives must not.
    #[test]
    fn rule_examples() {
        let rules = bundled().expect("bundled rules load");
        let matcher = Matcher::new(rules.clone()).expect("matcher builds");
        let mut failures = Vec::new();
        for rule in &rules {
            if rule.def.examples.is_empty() || rule.def.negative_examples.is_empty() {
                failures.push(format!(
                    "{}: needs examples and negative_examples",
                    rule.def.id
                ));
            }
            for ex in &rule.def.examples {
                let report = matcher.scan(ex.as_bytes());
                if !report
                    .matches
                    .iter()
                    .any(|m| matcher.rules()[m.rule].def.id == rule.def.id)
                {
                    let got: Vec<&str> = report
                        .matches
                        .iter()
                        .map(|m| matcher.rules()[m.rule].def.id.as_str())
                        .collect();
                    failures.push(format!(
                        "{}: example not matched (got {got:?}): {ex}",
                        rule.def.id
                    ));
                }
            }
            for ex in &rule.def.negative_examples {
                let report = matcher.scan(ex.as_bytes());
                if report
                    .matches
                    .iter()
                    .any(|m| matcher.rules()[m.rule].def.id == rule.def.id)
                {
                    failures.push(format!("{}: negative example matched: {ex}", rule.def.id));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} rule example failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn every_rule_is_documented_in_both_languages() {
        for rule in bundled().expect("bundled rules load") {
            let d = &rule.def;
            for (what, text) in [
                ("rationale.en", &d.rationale.en),
                ("rationale.ja", &d.rationale.ja),
                ("remediation.en", &d.remediation.en),
                ("remediation.ja", &d.remediation.ja),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {what}", d.id);
            }
            assert!(
                d.remediation.ja.chars().any(|c| c as u32 > 0x3000),
                "{}: remediation.ja is not Japanese",
                d.id
            );
            assert!(!d.references.is_empty(), "{}: no references", d.id);
        }
    }

    #[test]
    fn bad_rules_are_rejected_with_file_and_id() {
        let bad = r#"
[[rule]]
id = "broken"
title = "t"
severity = "high"
keywords = ["abc"]
pattern = '(unclosed'
rationale = { en = "a", ja = "あ" }
remediation = { en = "a", ja = "あ" }
"#;
        let err = load(&[("x.toml", bad)]).expect_err("must fail").to_string();
        assert!(err.contains("x.toml") && err.contains("broken"), "{err}");
        let unknown = "[[rule]]\nid = \"a\"\nfoo = 1\n";
        let err = load(&[("y.toml", unknown)])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("y.toml") && err.contains("foo"), "{err}");
    }
}
