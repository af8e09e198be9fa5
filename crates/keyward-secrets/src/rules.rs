//! Secret rules: loaded from the TOML data files in `rules/`, compiled once.
//!
//! The data files are the single source of a rule's metadata, pattern and examples; see
//! `rules/README.md` for the format and evaluation model.

use std::sync::OnceLock;

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

/// A rule ready to run. Its regex is compiled on the first keyword hit: a scan pays only for
/// the rules its input can trigger, and start-up stays in milliseconds whatever the rule count.
#[derive(Debug, Clone)]
pub struct Rule {
    pub def: RuleDef,
    pub meta: RuleMeta,
    compiled: OnceLock<Option<(Regex, usize)>>,
    /// Generic rules (`generic-*`) yield to specific ones that match the same bytes.
    pub generic: bool,
}

fn build_regex(pattern: &str) -> Result<(Regex, usize), regex::Error> {
    // ASCII mode: credentials are ASCII, and Unicode-aware `\w`, `\s` and `(?i)` make automata
    // many times larger (slower to build, more cache misses) for no gain.
    let regex = RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()?;
    // The secret is the `secret` group, else group 1, else the whole match.
    let group = regex
        .capture_names()
        .position(|n| n == Some("secret"))
        .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
    Ok((regex, group))
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
        // Syntax is checked now (cheap); compilation waits for the first hit. The test suite
        // compiles every bundled rule, so a pattern over the size limit cannot ship.
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&def.pattern)
            .map_err(|e| RuleError::Pattern {
                file: file.to_string(),
                id: def.id.clone(),
                message: e.to_string(),
            })?;
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
            compiled: OnceLock::new(),
            generic,
        })
    }

    /// The compiled regex and the index of its secret group. `None` if the pattern cannot be
    /// compiled (over the size limit): the rule then never matches, and says so once in the log.
    pub fn regex(&self) -> Option<&(Regex, usize)> {
        self.compiled
            .get_or_init(|| match build_regex(&self.def.pattern) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(rule = %self.def.id, "rule disabled: {e}");
                    None
                }
            })
            .as_ref()
    }

    /// Compiles the regex now, reporting failure (for rule checks and tests).
    pub fn check(&self) -> Result<(), String> {
        build_regex(&self.def.pattern)
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", self.def.id))
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

/// The rules reference page (docs/secret-rules.md), generated from the rule data so that it is
/// never written twice. Examples are left out: they are credential-shaped.
pub fn markdown(rules: &[Rule]) -> String {
    let mut out = String::from(
        "# Secret rules\n\n<!-- Generated from crates/keyward-secrets/rules/*.toml by \
         `KEYWARD_BLESS=1 cargo test -p keyward-secrets generated_docs`. Do not edit. -->\n\n",
    );
    out += &format!(
        "{} rules.\n\n| id | severity | title |\n|---|---|---|\n",
        rules.len()
    );
    for r in rules {
        out += &format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            r.def.id, r.def.severity, r.def.title
        );
    }
    for r in rules {
        let d = &r.def;
        out += &format!(
            "\n## {}\n\n**{}** · severity `{}` · keywords: {}\n\n",
            d.id,
            d.title,
            d.severity,
            d.keywords
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out += &format!("{}\n\n{}\n\n", d.rationale.en, d.rationale.ja);
        out += &format!(
            "**Remediation.** {}\n\n**対処.** {}\n\n",
            d.remediation.en, d.remediation.ja
        );
        for u in &d.references {
            out += &format!("- <{u}>\n");
        }
    }
    out
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
            if let Err(e) = rule.check() {
                failures.push(format!("pattern does not compile: {e}"));
            }
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
    fn generated_docs_are_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/secret-rules.md");
        let want = markdown(&bundled().expect("rules"));
        if std::env::var_os("KEYWARD_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write docs");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/secret-rules.md is out of date: run KEYWARD_BLESS=1 cargo test -p keyward-secrets generated_docs"
        );
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
