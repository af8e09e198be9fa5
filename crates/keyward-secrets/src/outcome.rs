//! What a scan produces: findings, counts, and every input that could not be read.

use std::collections::BTreeMap;

use keyward_core::{fingerprint, CommitInfo, Finding, GitStatus, Location, Secret};
use serde::Serialize;

use crate::matcher::Match;
use crate::rules::Rule;

/// Why a file was passed over. Skips are not errors: they are the scanner's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// A NUL byte in the first 8 KiB, as git decides.
    Binary,
    /// Over `--max-file-size`.
    TooLarge,
    /// Inside a `.git` directory: history is scanned with `--git`, not as files.
    GitInternals,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// Excluded by `keyward.toml`.
    Excluded,
    /// A socket, FIFO or device.
    NotAFile,
}

impl SkipReason {
    pub fn describe(self, lang: keyward_core::Lang) -> &'static str {
        use keyward_core::Lang::{En, Ja};
        match (self, lang) {
            (SkipReason::Binary, En) => "binary",
            (SkipReason::Binary, Ja) => "バイナリ",
            (SkipReason::TooLarge, En) => "over the size limit",
            (SkipReason::TooLarge, Ja) => "サイズ上限超過",
            (SkipReason::GitInternals, En) => ".git internals",
            (SkipReason::GitInternals, Ja) => ".git 内部",
            (SkipReason::Symlink, En) => "symbolic link (use --follow)",
            (SkipReason::Symlink, Ja) => "シンボリックリンク（--follow で追跡）",
            (SkipReason::Excluded, En) => "excluded by config",
            (SkipReason::Excluded, Ja) => "設定で除外",
            (SkipReason::NotAFile, En) => "not a regular file",
            (SkipReason::NotAFile, Ja) => "通常ファイル以外",
        }
    }
}

/// An input that could not be read. Reported one by one; the exit code says the scan was partial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Documented example credentials seen (AWS's `AKIAIOSFODNN7EXAMPLE`...): not leaks.
    pub examples: u64,
    /// Matches suppressed by an inline `keyward:allow`.
    pub allowed: u64,
}

impl Stats {
    pub fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Stats) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.examples += other.examples;
        self.allowed += other.allowed;
        for (k, v) in &other.skipped {
            *self.skipped.entry(*k).or_default() += v;
        }
    }
}

/// Everything a scan found and everything it could not read.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub stats: Stats,
}

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.stats.merge(&other.stats);
    }
}

/// Turns a match into the shared finding model. A secret in a file git ignores ranks one
/// severity lower: it is on this disk, not on its way to a remote.
pub fn finding_from_match(
    rule: &Rule,
    m: &Match,
    path: &str,
    git: Option<GitStatus>,
    commit: Option<CommitInfo>,
) -> Finding {
    let severity = if git == Some(GitStatus::Ignored) {
        m.severity.lowered()
    } else {
        m.severity
    };
    let mut location = Location::path(path);
    location.line = Some(m.line);
    location.column = Some(m.column);
    location.end_column = Some(m.column + (m.end - m.start) as u32);
    location.git = git;
    location.commit = commit;
    Finding {
        rule_id: rule.def.id.clone(),
        title: rule.def.title.clone(),
        severity,
        fingerprint: fingerprint(&[&rule.def.id, path, &m.secret]),
        secret: Some(Secret::new(m.secret.clone())),
        companion: m.companion.clone().map(Secret::new),
        location,
        properties: m
            .properties
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

/// Display form of a path: without a leading `./`.
pub(crate) fn display_path(p: &std::path::Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}
