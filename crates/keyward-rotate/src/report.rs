//! What a plan or an apply reports, per account and user, and the owner's notice.

use serde::Serialize;

use crate::{Key, KeyStatus, Plan, Step};

/// A key as reports show it: dates, not seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyView {
    pub id: String,
    pub status: KeyStatus,
    pub created: String,
    pub age_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
}

impl KeyView {
    /// `now` is the plan's clock.
    pub fn new(k: &Key, now: i64) -> KeyView {
        KeyView {
            id: k.id.clone(),
            status: k.status,
            created: crate::date(k.created),
            age_days: crate::age_days(now, k.created),
            last_used: k.last_used.map(crate::date),
        }
    }
}

/// One step carried out (or tried).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepResult {
    #[serde(flatten)]
    pub step: Step,
    pub ok: bool,
    /// What happened: the new key's id, the secret written, or AWS's error.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserReport {
    /// What was due when the run started.
    pub plan: Plan,
    /// The user's keys when the run started.
    pub keys: Vec<KeyView>,
    /// What apply did, in order (empty for a plan).
    pub results: Vec<StepResult>,
    /// Where the user's key is kept.
    pub secret_name: String,
    /// What is due next, after this run.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next: String,
    /// The owner's address, from the user's e-mail tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_email: Option<String>,
    /// Why this user could not be read or finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl UserReport {
    pub fn failed(&self) -> bool {
        self.error.is_some() || self.results.iter().any(|r| !r.ok)
    }

    pub fn changed(&self) -> bool {
        self.results.iter().any(|r| r.ok)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountReport {
    pub account: String,
    pub users: Vec<UserReport>,
    /// Problems that stopped the whole account (listing users, assuming the role).
    pub errors: Vec<String>,
}

/// A message for the key's owner: what changed, where the new key is, what comes next. It
/// names keys by id and never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub subject: String,
    pub text: String,
}

fn describe(r: &StepResult) -> String {
    let outcome = if r.ok { "" } else { " FAILED" };
    let what = match &r.step {
        Step::DeleteOrphan { key } => {
            format!("deleted {key}, a key left unstored by an interrupted run")
        }
        Step::Delete { key, age_days } => {
            format!("deleted the inactive key {key} ({age_days} days old)")
        }
        Step::Create { replaces, .. } => format!("created a new key to replace {replaces}"),
        Step::Verify { key } => format!("proved that {key} works"),
        Step::Deactivate { key, successor, .. } => {
            format!("deactivated {key}; {successor} replaces it")
        }
    };
    if r.detail.is_empty() {
        format!("- {what}{outcome}")
    } else {
        format!("- {what}{outcome}: {}", r.detail)
    }
}

/// The owner's notice for one user, if apply changed or failed anything.
pub fn notice(account: &str, u: &UserReport) -> Option<Notice> {
    if u.results.is_empty() && u.error.is_none() {
        return None;
    }
    let failed = u.failed();
    let subject = format!(
        "[keyward rotate] {}access key rotation for {} in {}",
        if failed { "FAILED: " } else { "" },
        u.plan.user,
        account
    );
    let mut text = format!(
        "Access keys of the IAM user {} ({}) in account {account}:\n",
        u.plan.user, u.plan.arn
    );
    for r in &u.results {
        text.push_str(&describe(r));
        text.push('\n');
    }
    if let Some(e) = &u.error {
        text.push_str(&format!("- error: {e}\n"));
    }
    if u.results
        .iter()
        .any(|r| r.ok && matches!(r.step, Step::Create { .. }))
    {
        text.push_str(&format!(
            "\nThe new key is in the Secrets Manager secret {}. Move your workload to it: the old key is deactivated on the date below.\n",
            u.secret_name
        ));
    }
    if !u.next.is_empty() {
        text.push_str(&format!("\nNext: {}\n", u.next));
    }
    Some(Notice { subject, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_says_what_changed_and_where_the_key_is() {
        let u = UserReport {
            plan: Plan {
                account: "123456789012".into(),
                user: "app".into(),
                arn: "arn:aws:iam::123456789012:user/app".into(),
                steps: vec![],
                note: String::new(),
                exempt: false,
                blocked: false,
            },
            keys: vec![],
            results: vec![StepResult {
                step: Step::Create {
                    replaces: "AKIAOLD".into(),
                    age_days: 91,
                },
                ok: true,
                detail: "AKIANEW stored and proven".into(),
            }],
            secret_name: "Account_123456789012_User_app_AccessKey".into(),
            next: "AKIAOLD is deactivated on 2027-01-01".into(),
            owner_email: None,
            error: None,
        };
        let n = notice("123456789012", &u).expect("a change");
        assert!(n.text.contains("Account_123456789012_User_app_AccessKey"));
        assert!(n.text.contains("2027-01-01"));
        assert!(!n.subject.contains("FAILED"));
    }
}
