//! The check framework: what a check sees, what it reports, where its metadata lives, and the
//! score.
//!
//! A check is a pure function over a [`Snapshot`] that reports one [`Outcome`] per resource it
//! looked at: passed, failed, or not evaluated (with why). Its metadata (severity, titles,
//! rationale, remediation in English and Japanese, references, examples) is one entry of
//! `checks/*.yml`, matched to the function by id; the test suite runs every example.

use std::collections::BTreeMap;

use keyward_core::{Finding, Lang, Location, RuleMeta, Severity, Text};
use serde::{Deserialize, Serialize};

use crate::snapshot::{Answer, Snapshot};

/// Result of one check on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Passed,
    Failed,
    NotEvaluated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "PASSED",
            Status::Failed => "FAILED",
            Status::NotEvaluated => "NOT_EVALUATED",
        }
    }
}

/// One check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub check: &'static str,
    /// An ARN where the resource has one, else the account or a `region/name` label.
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub status: Status,
    /// Why it failed (what was seen), or why it could not be evaluated.
    pub detail: String,
}

/// Tunables of the checks (ages in days).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Access keys older than this should have been rotated (CIS 1.14: 90).
    pub key_max_age_days: i64,
    /// Credentials not used for this long should be removed (FSBP IAM.8: 90).
    pub unused_days: i64,
    /// Root use within this many days is reported (CIS 1.7 asks that root not be used daily).
    pub root_recent_days: i64,
    /// Ports a security group may open to the world (FSBP EC2.18 default: 80, 443).
    pub authorized_ports: Vec<i64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            key_max_age_days: 90,
            unused_days: 90,
            root_recent_days: 30,
            authorized_ports: vec![80, 443],
        }
    }
}

/// What a check sees.
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    /// The date ages are measured at (`--as-of`; now by default).
    pub now: jiff::Timestamp,
    pub settings: &'a Settings,
    pub account: String,
    /// `keyward scan`'s secret rules, for the plaintext-secret checks (`None`: they gap).
    pub secrets: Option<&'a keyward_secrets::Matcher>,
}

impl Ctx<'_> {
    /// Whole days from `t` (an AWS time as the APIs and the credential report write it) to
    /// `now`; `None` for `N/A`, `no_information`, empty or unreadable values.
    pub fn days_since(&self, t: &str) -> Option<i64> {
        let ts = parse_aws_time(t)?;
        Some((self.now.as_second() - ts.as_second()).div_euclid(86_400))
    }
}

/// `2026-11-01T09:00:00+00:00`, `2026-11-01T09:00:00Z`, `2026-11-01T09:00:00.123000+00:00`,
/// `2026-11-01`.
pub fn parse_aws_time(t: &str) -> Option<jiff::Timestamp> {
    let t = t.trim();
    if t.is_empty() || !t.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let d = t.get(..10)?.parse::<jiff::civil::Date>().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Where a check writes its outcomes.
pub struct Out {
    check: &'static str,
    region: Option<String>,
    pub outcomes: Vec<Outcome>,
}

impl Out {
    pub fn new(check: &'static str) -> Out {
        Out {
            check,
            region: None,
            outcomes: Vec::new(),
        }
    }

    /// Outcomes that follow belong to `region` (`None`: global).
    pub fn region(&mut self, r: Option<&str>) {
        self.region = r.map(str::to_string);
    }

    fn push(&mut self, resource: &str, status: Status, detail: String) {
        self.outcomes.push(Outcome {
            check: self.check,
            resource: resource.to_string(),
            region: self.region.clone(),
            status,
            detail,
        });
    }

    pub fn pass(&mut self, resource: &str, detail: impl Into<String>) {
        self.push(resource, Status::Passed, detail.into());
    }

    pub fn fail(&mut self, resource: &str, detail: impl Into<String>) {
        self.push(resource, Status::Failed, detail.into());
    }

    pub fn gap(&mut self, resource: &str, why: impl Into<String>) {
        self.push(resource, Status::NotEvaluated, why.into());
    }

    /// The answer's value, or a "not evaluated" outcome on `resource` naming what is missing.
    pub fn need<'a, T>(&mut self, a: &'a Answer<T>, what: &str, resource: &str) -> Option<&'a T> {
        match a.gap(what) {
            None => a.ok(),
            Some(why) => {
                self.gap(resource, why);
                None
            }
        }
    }
}

/// A check: its id and the function that runs it. Metadata comes from `checks/*.yml`.
pub struct CheckFn {
    pub id: &'static str,
    pub run: fn(&Ctx, &mut Out),
}

/// One check's metadata, as written in `checks/*.yml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    pub id: String,
    pub severity: Severity,
    /// AWS service the check is about (`iam`, `cloudtrail`...), for grouping in reports.
    pub service: String,
    pub title: Text,
    pub rationale: Text,
    pub remediation: Text,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// Snapshots on which the check must fail (`fail`) and must pass with no failure (`pass`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fail: Vec<Example>,
    #[serde(default)]
    pub pass: Vec<Example>,
}

/// Snapshot files (path → content: a mapping or list becomes JSON; for
/// `iam-credential-report.csv`, a list of rows), and the date to evaluate at.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub as_of: Option<String>,
    pub files: BTreeMap<String, serde_json::Value>,
}

impl CheckMeta {
    pub fn rule_meta(&self, lang: Lang) -> RuleMeta {
        RuleMeta {
            id: self.id.clone(),
            title: self.title.get(lang).to_string(),
            severity: self.severity,
            rationale: self.rationale.clone(),
            remediation: self.remediation.clone(),
            references: self.references.clone(),
        }
    }
}

/// Score in Security Hub's manner: a control passes when every resource it evaluated passed,
/// fails when any failed; controls that evaluated nothing are not counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Score {
    pub passed: usize,
    pub failed: usize,
    /// Controls that could not be judged on some resource and judged none.
    pub not_evaluated: usize,
    /// Controls with nothing to judge (no Lambda function, no organization...).
    pub not_applicable: usize,
    /// passed / (passed + failed), in percent; `None` when nothing was evaluated.
    pub percent: Option<f64>,
    pub by_severity: BTreeMap<String, SeverityScore>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SeverityScore {
    pub passed: usize,
    pub failed: usize,
}

pub fn score(metas: &[&CheckMeta], outcomes: &[Outcome]) -> Score {
    let mut s = Score::default();
    for m in metas {
        let mine = outcomes.iter().filter(|o| o.check == m.id);
        let (mut any_fail, mut any_pass, mut any_gap) = (false, false, false);
        for o in mine {
            match o.status {
                Status::Failed => any_fail = true,
                Status::Passed => any_pass = true,
                Status::NotEvaluated => any_gap = true,
            }
        }
        let e = s.by_severity.entry(m.severity.to_string()).or_default();
        if any_fail {
            s.failed += 1;
            e.failed += 1;
        } else if any_pass {
            s.passed += 1;
            e.passed += 1;
        } else if any_gap {
            s.not_evaluated += 1;
        } else {
            s.not_applicable += 1;
        }
    }
    s.by_severity.retain(|_, v| v.passed + v.failed > 0);
    let evaluated = s.passed + s.failed;
    s.percent = (evaluated > 0).then(|| (s.passed as f64) * 100.0 / evaluated as f64);
    s
}

/// A failed outcome as a finding.
pub fn finding(meta: &CheckMeta, o: &Outcome, account: &str, lang: Lang) -> Finding {
    let mut properties = BTreeMap::new();
    properties.insert("service".into(), meta.service.clone());
    if !account.is_empty() {
        properties.insert("account_id".into(), account.to_string());
    }
    if let Some(r) = &o.region {
        properties.insert("region".into(), r.clone());
    }
    properties.insert("detail".into(), o.detail.clone());
    properties.insert("status".into(), o.status.as_str().into());
    let fingerprint = keyward_core::fingerprint(&[
        meta.id.as_str(),
        account,
        o.region.as_deref().unwrap_or(""),
        o.resource.as_str(),
    ]);
    Finding {
        rule_id: meta.id.clone(),
        title: meta.title.get(lang).to_string(),
        severity: meta.severity,
        location: Location::path(o.resource.clone()),
        secret: None,
        companion: None,
        fingerprint,
        properties,
    }
}
