//! The least-privilege policies in `docs/rotate/` are enough, and a Secrets Manager that
//! refuses the write costs no key: `keyward rotate` runs as a principal holding only those
//! policies, with moto's IAM enforcement switched on (`/moto-api/reset-auth`).
//!
//! moto evaluates the actions of a policy but, for IAM and Secrets Manager, not its resources
//! (the request's resource is always `*`), so the statements are attached with `Resource: *`:
//! what this proves is that no action is missing. This file holds a single test because
//! enforcement is a switch of the whole server: test binaries run one after another, and a
//! guard switches it off again even when an assertion fails.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/aws.rs"]
mod moto_account;

use common::*;
use moto_account::{assumed, fresh_account, organization, rotate_flags, user_with_key};
use serde_json::Value;

fn policy(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/rotate")
        .join(name);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for s in doc["Statement"].as_array_mut().unwrap() {
        if s.get("Resource").is_some() {
            s["Resource"] = "*".into();
        }
    }
    doc.to_string()
}

/// Switches moto's IAM enforcement on while it lives.
struct Enforcing(String);

impl Enforcing {
    fn set(endpoint: &str, count: &str) {
        let r = ureq::post(format!("{endpoint}/moto-api/reset-auth")).send(count);
        assert!(r.is_ok(), "moto reset-auth: {r:?}");
    }
    fn on(endpoint: &str) -> Enforcing {
        Enforcing::set(endpoint, "0");
        Enforcing(endpoint.to_string())
    }
}

impl Drop for Enforcing {
    fn drop(&mut self) {
        Enforcing::set(&self.0, "inf");
    }
}

/// `keyward rotate apply ARGS -f json` signed with `creds` (key id, secret), its state file in
/// `dir`.
fn apply(dir: &std::path::Path, endpoint: &str, args: &[&str], creds: (&str, &str)) -> Run {
    let state = dir.join("state.json").display().to_string();
    let mut all = vec!["rotate", "apply"];
    all.extend_from_slice(args);
    all.extend_from_slice(&rotate_flags(endpoint, &state));
    keyward_env(
        dir,
        &all,
        &[
            ("AWS_ACCESS_KEY_ID", creds.0),
            ("AWS_SECRET_ACCESS_KEY", creds.1),
        ],
    )
}

fn days_ahead(days: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn key_ids(iam: &aws_sdk_iam::Client, name: &str) -> Vec<String> {
    iam.list_access_keys()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key_metadata
        .into_iter()
        .filter_map(|k| k.access_key_id)
        .collect()
}

#[test]
fn rotation_runs_on_the_shipped_least_privilege_policy() {
    let Some(endpoint) = moto() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (conf, account, _) = rt.block_on(fresh_account(&endpoint));
    let iam = aws_sdk_iam::Client::new(&conf);
    let (rotator_id, rotator_secret) = rt.block_on(async {
        user_with_key(&iam, "alice").await;
        user_with_key(&iam, "bob").await;
        let creds = user_with_key(&iam, "keyward-rotator").await;
        iam.put_user_policy()
            .user_name("keyward-rotator")
            .policy_name("keyward-rotate")
            .policy_document(policy("member-policy.json"))
            .send()
            .await
            .unwrap();
        creds
    });
    let dir = tempfile::tempdir().unwrap();
    let rotate = |as_of: &str| {
        apply(
            dir.path(),
            &endpoint,
            &["--as-of", as_of],
            (&rotator_id, &rotator_secret),
        )
    };

    // The policy alone carries a whole rotation: create, store, prove, then deactivate.
    {
        let _on = Enforcing::on(&endpoint);
        let run = rotate(&days_ahead(95));
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["accounts"][0]["account"], account.as_str());
        let done: Vec<&Value> = doc["accounts"][0]["users"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|u| u["results"].as_array().unwrap())
            .collect();
        // alice and bob; the rotator does not rotate the key it signs with.
        assert_eq!(done.len(), 2, "{done:?}");
        assert!(done.iter().all(|r| r["ok"] == true), "{done:?}");
    }
    rt.block_on(async {
        assert_eq!(key_ids(&iam, "alice").await.len(), 2);
    });

    // Without the write to Secrets Manager, nothing is left behind.
    rt.block_on(async {
        user_with_key(&iam, "carol").await;
        iam.put_user_policy()
            .user_name("keyward-rotator")
            .policy_name("no-secret-writes")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:PutSecretValue","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
    });
    let carol_before = rt.block_on(key_ids(&iam, "carol"));
    {
        let _on = Enforcing::on(&endpoint);
        let run = rotate(&days_ahead(95));
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        let carol = doc["accounts"][0]["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["plan"]["user"] == "carol")
            .unwrap();
        let r = &carol["results"][0];
        assert_eq!(r["ok"], false, "{carol}");
        let detail = r["detail"].as_str().unwrap();
        assert!(
            detail.contains("PutSecretValue") && detail.contains("was deleted again"),
            "{detail}"
        );
    }
    rt.block_on(async {
        assert_eq!(
            key_ids(&iam, "carol").await,
            carol_before,
            "no key nobody holds"
        );
    });

    org_part(&rt, &endpoint);
}

/// `--org --role`: a runner holding only management-policy.json assumes KeywardRotation (with
/// member-policy.json, trusting the runner as member-role-trust.json says) in every account of
/// the organization, the management account included.
fn org_part(rt: &tokio::runtime::Runtime, endpoint: &str) {
    let (conf, mgmt, _) = rt.block_on(fresh_account(endpoint));
    let trust = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/rotate/member-role-trust.json"),
    )
    .unwrap()
    .replace(
        "RUNNER_PRINCIPAL_ARN",
        &format!("arn:aws:iam::{mgmt}:user/runner"),
    );
    let (runner_id, runner_secret, member) = rt.block_on(async {
        let member = organization(&conf, &["workloads"]).await.remove(0);
        // The role in every account (management included), as a StackSet would make it.
        for account in [&mgmt, &member] {
            let iam = aws_sdk_iam::Client::new(&assumed(&conf, account, "seed").await);
            iam.create_role()
                .role_name("KeywardRotation")
                .assume_role_policy_document(&trust)
                .send()
                .await
                .unwrap();
            iam.put_role_policy()
                .role_name("KeywardRotation")
                .policy_name("keyward-rotate")
                .policy_document(policy("member-policy.json"))
                .send()
                .await
                .unwrap();
            user_with_key(&iam, "app").await;
        }
        let iam = aws_sdk_iam::Client::new(&conf);
        let (id, secret) = user_with_key(&iam, "runner").await;
        iam.put_user_policy()
            .user_name("runner")
            .policy_name("keyward-rotate-org")
            .policy_document(policy("management-policy.json"))
            .send()
            .await
            .unwrap();
        (id, secret, member)
    });
    let dir = tempfile::tempdir().unwrap();
    let _on = Enforcing::on(endpoint);
    let run = apply(
        dir.path(),
        endpoint,
        &[
            "--org",
            "--role",
            "KeywardRotation",
            "--as-of",
            &days_ahead(95),
        ],
        (&runner_id, &runner_secret),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2, "{doc}");
    for a in accounts {
        assert!(
            a["account"] == mgmt.as_str() || a["account"] == member.as_str(),
            "{a}"
        );
        let app = a["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["plan"]["user"] == "app")
            .unwrap_or_else(|| panic!("no app user in {a}"));
        assert_eq!(app["results"][0]["ok"], true, "{app}");
    }
}
