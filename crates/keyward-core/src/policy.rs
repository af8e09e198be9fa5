//! IAM policy documents as AWS hands them out, and the questions Keyward asks of them.
//!
//! Documents arrive in three forms: JSON objects (AWS CLI output), JSON text, and URL-encoded
//! JSON text (the IAM API, CloudTrail's `requestParameters`). [`PolicyDocument`] reads all three
//! and keeps the original JSON, so a document saved and read back is the same document.
//!
//! The evaluation here is the part of IAM's logic that misconfiguration checks need: does an
//! `Allow` statement grant an action on a resource, is it cut back by an explicit `Deny`, does a
//! condition narrow it. It is not a full policy simulator (no condition-key evaluation, no
//! permission boundaries or SCPs); callers say so when it matters.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// One IAM policy document: an identity policy, a trust policy or a resource policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    raw: Value,
    statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Copy)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement, with every list field normalised to a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: Vec<String>,
    pub not_action: Vec<String>,
    pub resource: Vec<String>,
    pub not_resource: Vec<String>,
    /// `Principal` as written: `"*"`, or an object of lists (`{"AWS": [...], "Service": ...}`).
    pub principal: Option<Value>,
    pub not_principal: Option<Value>,
    pub condition: Option<Value>,
    /// The statement's own JSON, for reports that quote the statement that grants something.
    pub raw: Value,
}

impl PolicyDocument {
    /// From JSON text, URL-encoded JSON text, or a JSON value that is either an object or a
    /// string holding one.
    pub fn from_value(v: Value) -> Result<PolicyDocument, String> {
        let raw = match v {
            Value::String(s) => {
                let decoded = url_decoded_json(Cow::Borrowed(&s));
                serde_json::from_str(&decoded)
                    .map_err(|e| format!("policy document is not JSON: {e}"))?
            }
            v => v,
        };
        let statements = match raw.get("Statement") {
            Some(Value::Array(a)) => a.iter().filter_map(Statement::parse).collect(),
            Some(o @ Value::Object(_)) => Statement::parse(o).into_iter().collect(),
            _ => Vec::new(),
        };
        if !raw.is_object() {
            return Err("policy document is not a JSON object".into());
        }
        Ok(PolicyDocument { raw, statements })
    }

    pub fn parse(text: &str) -> Result<PolicyDocument, String> {
        PolicyDocument::from_value(Value::String(text.to_string()))
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The `Allow` statements that grant `action` on `resource` (patterns allowed in neither;
    /// `resource` `"*"` asks for "on every resource"), unless an unconditional `Deny` takes the
    /// same action away on the same resources. Conditional allows are included: callers that
    /// care look at [`Statement::condition`].
    pub fn grants(&self, action: &str, resource: &str) -> Vec<&Statement> {
        let denied = self.statements.iter().any(|s| {
            s.effect == Effect::Deny
                && s.condition.is_none()
                && s.covers_action(action)
                && s.covers_resource(resource)
        });
        if denied {
            return Vec::new();
        }
        self.statements
            .iter()
            .filter(|s| {
                s.effect == Effect::Allow && s.covers_action(action) && s.covers_resource(resource)
            })
            .collect()
    }

    /// Statements that allow every action on every resource (`"Action": "*"`, `"Resource": "*"`),
    /// the shape of `AdministratorAccess` and of FSBP IAM.1's failing policies. Conditions are
    /// not looked at, as Security Hub does not.
    pub fn full_admin_statements(&self) -> Vec<&Statement> {
        self.broad_statements(true)
    }

    /// `Allow` statements on `"Resource": "*"`; with `any_action`, only those also on every
    /// action.
    pub fn broad_statements(&self, any_action: bool) -> Vec<&Statement> {
        self.statements
            .iter()
            .filter(|s| {
                s.effect == Effect::Allow
                    && s.resource.iter().any(|r| r == "*")
                    && (!any_action || s.action.iter().any(|a| a == "*" || a == "*:*"))
            })
            .collect()
    }

    /// `service:*` actions granted in `Allow` statements (FSBP IAM.21), e.g. `s3:*`.
    pub fn service_wildcards(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .flat_map(|s| s.action.iter())
            .filter(|a| a.len() > 2 && a.ends_with(":*"))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

impl Statement {
    fn parse(v: &Value) -> Option<Statement> {
        let effect = match v.get("Effect")?.as_str()? {
            e if e.eq_ignore_ascii_case("allow") => Effect::Allow,
            e if e.eq_ignore_ascii_case("deny") => Effect::Deny,
            _ => return None,
        };
        Some(Statement {
            sid: v.get("Sid").and_then(Value::as_str).map(str::to_string),
            effect,
            action: strings(v.get("Action")),
            not_action: strings(v.get("NotAction")),
            resource: strings(v.get("Resource")),
            not_resource: strings(v.get("NotResource")),
            principal: v.get("Principal").cloned(),
            not_principal: v.get("NotPrincipal").cloned(),
            condition: v
                .get("Condition")
                .filter(|c| c.as_object().is_some_and(|o| !o.is_empty()))
                .cloned(),
            raw: v.clone(),
        })
    }

    /// Whether this statement's `Action` (or `NotAction`) takes in `action`.
    pub fn covers_action(&self, action: &str) -> bool {
        if !self.not_action.is_empty() {
            return !self.not_action.iter().any(|p| wildcard_match(p, action));
        }
        self.action.iter().any(|p| wildcard_match(p, action))
    }

    /// Whether this statement's `Resource` (or `NotResource`) takes in `resource`. Asked for
    /// `"*"`, only a `"*"` resource (or a `NotResource`) counts.
    pub fn covers_resource(&self, resource: &str) -> bool {
        if !self.not_resource.is_empty() {
            return !self
                .not_resource
                .iter()
                .any(|p| resource != "*" && wildcard_match(p, resource));
        }
        self.resource
            .iter()
            .any(|p| p == "*" || (resource != "*" && wildcard_match(p, resource)))
    }

    /// Whether `Principal` is everyone: `"*"` or `{"AWS": "*"}`.
    pub fn principal_is_anyone(&self) -> bool {
        match &self.principal {
            Some(Value::String(s)) => s == "*",
            Some(Value::Object(o)) => o
                .get("AWS")
                .is_some_and(|a| strings(Some(a)).iter().any(|s| s == "*")),
            _ => false,
        }
    }

    /// The values of one principal kind (`AWS`, `Service`, `Federated`, `CanonicalUser`).
    pub fn principals(&self, kind: &str) -> Vec<String> {
        match &self.principal {
            Some(Value::String(s)) if s == "*" => vec!["*".into()],
            Some(Value::Object(o)) => strings(o.get(kind)),
            _ => Vec::new(),
        }
    }

    /// Every condition key the statement tests (`aws:PrincipalOrgID`, `token...:sub`), lowercase.
    pub fn condition_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(Value::Object(ops)) = &self.condition {
            for block in ops.values() {
                if let Value::Object(b) = block {
                    keys.extend(b.keys().map(|k| k.to_ascii_lowercase()));
                }
            }
        }
        keys
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// IAM's wildcard match: `*` any run, `?` one character, ASCII case-insensitive (as IAM compares
/// action names; resource ARNs are compared the same way here, which errs towards "granted").
/// Bytes, no allocation: audits run it millions of times.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Iterative glob with one backtrack point: linear for IAM's patterns.
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// `%7B%22Version%22...` → `{"Version"...}`; anything else unchanged. The IAM API and
/// CloudTrail hand policy documents out URL-encoded; the AWS CLI decodes them.
pub fn url_decoded_json(s: Cow<'_, str>) -> Cow<'_, str> {
    let b = s.as_bytes();
    let encoded_json = b.len() >= 3
        && b[0] == b'%'
        && (b[1..3].eq_ignore_ascii_case(b"7B") || b[1..3].eq_ignore_ascii_case(b"5B"));
    if !encoded_json {
        return s;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(d) => Cow::Owned(d),
        Err(_) => s,
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PolicyDocument::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> PolicyDocument {
        PolicyDocument::parse(s).expect("test policy")
    }

    #[test]
    fn wildcards_follow_iam() {
        assert!(wildcard_match("iam:Create*", "iam:CreateRole"));
        assert!(wildcard_match("IAM:createrole", "iam:CreateRole"));
        assert!(wildcard_match("*", "s3:GetObject"));
        assert!(wildcard_match("s3:Get?bject", "s3:GetObject"));
        assert!(!wildcard_match("iam:Get*", "iam:CreateRole"));
        assert!(wildcard_match("iam:*Policy*", "iam:AttachRolePolicy"));
    }

    #[test]
    fn three_forms_read_the_same() {
        let obj = doc(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        let enc = doc("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D");
        assert_eq!(obj, enc);
        assert_eq!(obj.full_admin_statements().len(), 1);
    }

    #[test]
    fn deny_takes_back_and_not_action_counts() {
        let d = doc(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
            {"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}"#,
        );
        assert!(d.grants("iam:CreateAccessKey", "*").is_empty());
        assert_eq!(d.grants("iam:CreatePolicyVersion", "*").len(), 1);
        let n = doc(r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}"#);
        assert_eq!(n.grants("iam:PassRole", "*").len(), 1);
        assert!(n.grants("s3:GetObject", "*").is_empty());
    }

    #[test]
    fn scoped_resources_do_not_count_as_everything() {
        let d = doc(
            r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/app-*"}}"#,
        );
        assert!(d.grants("iam:PassRole", "*").is_empty());
        assert_eq!(
            d.grants("iam:PassRole", "arn:aws:iam::1:role/app-x").len(),
            1
        );
    }

    #[test]
    fn principals_and_conditions() {
        let d = doc(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}"#,
        );
        let st = &d.statements()[0];
        assert!(st.principal_is_anyone());
        assert_eq!(st.condition_keys(), vec!["aws:principalorgid"]);
        assert!(PolicyDocument::parse("not json").is_err());
    }
}
