//! The user's secret in Secrets Manager: its name, its value, its resource policy, and how the
//! version id says which access key it holds.
//!
//! Each write of a new key uses a version id made from the key's id (`ClientRequestToken`).
//! Two things follow. Reading which key a secret holds needs only `DescribeSecret` (the
//! version id of `AWSCURRENT`), not `GetSecretValue`, so planning never reads a secret.
//! And a write repeated after a crash is idempotent: Secrets Manager accepts the same token
//! with the same value once more instead of making a second version.

use serde_json::{json, Value};

/// The AWS sample solution's name, kept so that existing readers find their secret.
pub const DEFAULT_NAME: &str = "Account_{account}_User_{user}_AccessKey";

const TOKEN_PREFIX: &str = "keyward-rotate-";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the secret name template {0:?} must contain {{user}}")]
    NoUser(String),
    #[error("the secret name template {0:?} may contain only {{account}}, {{user}}, letters, digits and /_+=.@-")]
    BadChar(String),
}

/// Checks a name template before anything is done with it.
pub fn check_template(template: &str) -> Result<(), NameError> {
    if !template.contains("{user}") {
        return Err(NameError::NoUser(template.into()));
    }
    let rest = template.replace("{account}", "").replace("{user}", "");
    if rest.chars().all(name_char) {
        Ok(())
    } else {
        Err(NameError::BadChar(template.into()))
    }
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)
}

/// The secret's name for one user. IAM allows `,` in user names and Secrets Manager does not
/// in secret names; it becomes `_`.
pub fn name(template: &str, account: &str, user: &str) -> String {
    let user: String = user
        .chars()
        .map(|c| if name_char(c) { c } else { '_' })
        .collect();
    template
        .replace("{account}", account)
        .replace("{user}", &user)
}

/// The version id a write of this key uses (Secrets Manager wants 32 to 64 characters).
pub fn version_token(key_id: &str) -> Option<String> {
    let t = format!("{TOKEN_PREFIX}{key_id}");
    (32..=64).contains(&t.len()).then_some(t)
}

/// The key a version id names, if this tool wrote it.
pub fn key_of_version(version_id: &str) -> Option<&str> {
    version_id.strip_prefix(TOKEN_PREFIX)
}

/// The secret's value: what a workload needs to use the key. `created` is RFC 3339.
pub fn value(user: &str, key_id: &str, secret: &str, created: &str) -> String {
    json!({
        "UserName": user,
        "AccessKeyId": key_id,
        "SecretAccessKey": secret,
        "CreateDate": created,
    })
    .to_string()
}

/// The key pair in a secret's value, if it is one this tool wrote.
pub fn parse_value(text: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some((
        v.get("AccessKeyId")?.as_str()?.to_string(),
        v.get("SecretAccessKey")?.as_str()?.to_string(),
    ))
}

/// The rotating principal as `aws:PrincipalArn` sees it: an assumed-role session becomes its
/// role (any path), a user stays itself.
pub fn principal_patterns(caller_arn: &str) -> Vec<String> {
    let Some((head, rest)) = caller_arn.split_once(":assumed-role/") else {
        return vec![caller_arn.to_string()];
    };
    let role = rest.split('/').next().unwrap_or(rest);
    let head = head.replacen(":sts:", ":iam:", 1);
    vec![
        format!("{head}:role/{role}"),
        format!("{head}:role/*/{role}"),
    ]
}

/// The resource policy: the user and the named readers may read the secret; everyone else is
/// denied reading it, whatever their identity policies say, except the rotating principal
/// (which proves a stored key after a crash).
pub fn resource_policy(user_arn: &str, readers: &[String], rotator: &[String]) -> String {
    let mut allowed: Vec<&str> = vec![user_arn];
    allowed.extend(readers.iter().map(String::as_str));
    let mut not_denied: Vec<&str> = allowed.clone();
    not_denied.extend(rotator.iter().map(String::as_str));
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeyHolders",
                "Effect": "Allow",
                "Principal": {"AWS": allowed},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*"
            },
            {
                "Sid": "NobodyElse",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": not_denied}}
            }
        ]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            name(DEFAULT_NAME, "123456789012", "ci,bot"),
            "Account_123456789012_User_ci_bot_AccessKey"
        );
        assert!(check_template(DEFAULT_NAME).is_ok());
        assert!(check_template("keys/{account}").is_err());
        assert!(check_template("keys {user}").is_err());
    }

    #[test]
    fn version_ids_round_trip() {
        let t = version_token("AKIAIOSFODNN7EXAMPLE").expect("fits");
        assert_eq!(key_of_version(&t), Some("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(key_of_version("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"), None);
    }

    #[test]
    fn the_policy_denies_everyone_but_holders_and_the_rotator() {
        let rot = principal_patterns("arn:aws:sts::123456789012:assumed-role/KeywardRotation/s1");
        assert_eq!(
            rot,
            vec![
                "arn:aws:iam::123456789012:role/KeywardRotation",
                "arn:aws:iam::123456789012:role/*/KeywardRotation"
            ]
        );
        let p: Value = serde_json::from_str(&resource_policy(
            "arn:aws:iam::123456789012:user/app",
            &["arn:aws:iam::123456789012:role/app-task".into()],
            &rot,
        ))
        .expect("json");
        let deny = &p["Statement"][1];
        assert_eq!(deny["Effect"], "Deny");
        assert_eq!(
            deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        assert_eq!(
            p["Statement"][0]["Principal"]["AWS"][1],
            "arn:aws:iam::123456789012:role/app-task"
        );
    }
}
