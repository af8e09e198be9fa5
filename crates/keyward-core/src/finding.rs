//! The finding: one thing Keyward reports, whichever capability found it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Secret, Severity};

/// Whether git tracks the file a secret was found in. A secret in a tracked (or trackable) file
/// is on its way to a remote; one in an ignored file is local, and ranks lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GitStatus {
    /// In the index: committed or staged.
    Tracked,
    /// Not in the index, but not ignored either: the next `git add .` takes it.
    Untracked,
    /// Matched by a .gitignore rule.
    Ignored,
    /// Not inside a git work tree.
    None,
}

/// The commit where a secret first appeared in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub email: String,
    /// RFC 3339.
    pub date: String,
    pub summary: String,
}

/// Where a finding is: a file (with line and column), a blob in git history, or a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// File path as given or found, `-` for stdin, or a resource identifier (ARN).
    pub path: String,
    /// 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitStatus>,
}

impl Location {
    pub fn path(path: impl Into<String>) -> Self {
        Location {
            path: path.into(),
            line: None,
            column: None,
            end_column: None,
            commit: None,
            git: None,
        }
    }
}

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub location: Location,
    /// The credential, for secret findings. Rendered redacted unless the user asked otherwise.
    pub secret: Option<Secret>,
    /// A second credential needed to use the first: the access key id that goes with a secret
    /// access key. Never rendered; used to verify the pair.
    pub companion: Option<Secret>,
    /// Stable id for baselines and deduplication (see [`crate::fingerprint`]).
    pub fingerprint: String,
    /// Facts a reader needs beside the location: decoded AWS account id, paired key id,
    /// verification result.
    pub properties: BTreeMap<String, String>,
}
