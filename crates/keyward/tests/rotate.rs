//! `keyward rotate` as a user runs it, against moto on loopback (started by `scripts/test`):
//! plans at chosen dates (`--as-of` makes fresh keys old), applies through a whole lifecycle,
//! the two-key limit, exemptions, notices, and runs killed after each change and restarted.
//! After every run each user must hold exactly the keys the lifecycle says, and the key in the
//! user's secret must be an active key of that user.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/aws.rs"]
mod moto_account;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use aws_sdk_iam::types::StatusType;
use common::*;
use moto_account::{assumed, fresh_account, organization, rotate_flags, user_with_key};
use serde_json::Value;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `days` after today, as `--as-of` takes it.
fn days_ahead(days: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

struct Account {
    conf: aws_config::SdkConfig,
    id: String,
    creds: [String; 3],
    endpoint: String,
    dir: tempfile::TempDir,
}

impl Account {
    fn new(rt: &tokio::runtime::Runtime, endpoint: &str) -> Account {
        let (conf, id, creds) = rt.block_on(fresh_account(endpoint));
        Account {
            conf,
            id,
            creds,
            endpoint: endpoint.to_string(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.conf)
    }

    fn state(&self) -> String {
        self.dir.path().join("state.json").display().to_string()
    }

    /// `keyward rotate <args> --endpoint-url ... --state ... -f json` with this account's
    /// credentials.
    fn rotate(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let state = self.state();
        let mut all: Vec<&str> = vec!["rotate"];
        all.extend_from_slice(args);
        all.extend_from_slice(&rotate_flags(&self.endpoint, &state));
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID", self.creds[0].as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.creds[1].as_str()),
            ("AWS_SESSION_TOKEN", self.creds[2].as_str()),
        ];
        env.extend_from_slice(extra_env);
        keyward_env(self.dir.path(), &all, &env)
    }

    async fn user(&self, name: &str, keys: usize) -> Vec<String> {
        let iam = self.iam();
        iam.create_user().user_name(name).send().await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..keys {
            let k = iam
                .create_access_key()
                .user_name(name)
                .send()
                .await
                .unwrap();
            ids.push(k.access_key.unwrap().access_key_id);
        }
        ids
    }

    /// The user's keys: id -> active.
    async fn keys(&self, name: &str) -> BTreeMap<String, bool> {
        self.iam()
            .list_access_keys()
            .user_name(name)
            .send()
            .await
            .unwrap()
            .access_key_metadata
            .into_iter()
            .map(|k| {
                (
                    k.access_key_id.unwrap(),
                    k.status == Some(StatusType::Active),
                )
            })
            .collect()
    }

    /// The key pair in the user's secret.
    async fn stored(&self, name: &str) -> Option<(String, String)> {
        let sm = aws_sdk_secretsmanager::Client::new(&self.conf);
        let out = sm
            .get_secret_value()
            .secret_id(format!("Account_{}_User_{name}_AccessKey", self.id))
            .send()
            .await
            .ok()?;
        let v: Value = serde_json::from_str(out.secret_string()?).unwrap();
        Some((
            v["AccessKeyId"].as_str()?.to_string(),
            v["SecretAccessKey"].as_str()?.to_string(),
        ))
    }

    /// The invariant after any run: at most two keys, and when the secret holds a key, it is
    /// an active key of this user that answers as the user.
    async fn check_invariant(&self, name: &str) {
        let keys = self.keys(name).await;
        assert!(keys.len() <= 2, "{name} has {keys:?}");
        if let Some((id, secret)) = self.stored(name).await {
            assert_eq!(
                keys.get(&id),
                Some(&true),
                "{name}: secret holds {id}, keys {keys:?}"
            );
            let creds = aws_credential_types::Credentials::new(&id, &secret, None, None, "t");
            let sts = aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&self.conf)
                    .credentials_provider(creds)
                    .build(),
            );
            let arn = sts.get_caller_identity().send().await.unwrap().arn.unwrap();
            assert!(arn.ends_with(&format!(":user/{name}")), "{arn}");
        }
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), exit {}:\n{}\n{}",
            run.code, run.stdout, run.stderr
        )
    })
}

/// The user's entry in a report.
fn user<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["accounts"][0]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["plan"]["user"] == name)
        .unwrap_or_else(|| panic!("{name} not in the report"))
}

fn actions(u: &Value) -> Vec<String> {
    u["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plan_shows_what_is_due_for_every_user_and_changes_nothing() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let acct = Account::new(&rt, &endpoint);
    let n = 130;
    rt.block_on(async {
        for i in 0..n {
            acct.user(&format!("svc-{i:03}"), 1).await;
        }
        acct.user("two-keys", 2).await;
        acct.user("exempt-by-group", 1).await;
        acct.user("exempt-by-tag", 1).await;
        let iam = acct.iam();
        iam.create_group()
            .group_name("IAMKeyRotationExemptionGroup")
            .send()
            .await
            .unwrap();
        iam.add_user_to_group()
            .group_name("IAMKeyRotationExemptionGroup")
            .user_name("exempt-by-group")
            .send()
            .await
            .unwrap();
        iam.tag_user()
            .user_name("exempt-by-tag")
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("keyward:no-rotate")
                    .value("vendor appliance")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    });

    // Today: every key is new; nothing due, and the date it will be is given.
    let run = acct.rotate(&["plan"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let users = doc["accounts"][0]["users"].as_array().unwrap();
    assert_eq!(users.len(), n + 3, "every user, past the first page");
    let u = user(&doc, "svc-000");
    assert!(actions(u).is_empty());
    let due = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 90))
        .strftime("%Y-%m-%d")
        .to_string();
    assert!(
        u["plan"]["note"].as_str().unwrap().contains(&due),
        "{}",
        u["plan"]["note"]
    );

    // 95 days on: a new key for each, none for the exempt, and the two-key user needs a person.
    let as_of = days_ahead(95);
    let run = acct.rotate(
        &[
            "plan",
            "--as-of",
            &as_of,
            "--exempt-tag",
            "keyward:no-rotate",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    for i in 0..n {
        assert_eq!(actions(user(&doc, &format!("svc-{i:03}"))), ["create"]);
    }
    let g = user(&doc, "exempt-by-group");
    assert_eq!(g["plan"]["exempt"], true);
    assert!(actions(g).is_empty());
    assert_eq!(user(&doc, "exempt-by-tag")["plan"]["exempt"], true);
    let two = user(&doc, "two-keys");
    assert_eq!(two["plan"]["blocked"], true, "{two}");
    assert!(actions(two).is_empty());
    assert!(two["plan"]["note"]
        .as_str()
        .unwrap()
        .contains("already has two active keys"));
    // Reasons carry ages and last use.
    let k = &user(&doc, "svc-001")["keys"][0];
    assert_eq!(k["age_days"], 95);
    assert!(k.get("last_used").is_none() || k["last_used"].is_string());

    // A plan changes nothing.
    rt.block_on(async {
        assert_eq!(acct.keys("svc-000").await.len(), 1);
        assert!(acct.stored("svc-000").await.is_none());
    });

    // The table a person reads.
    let state = acct.state();
    let table = keyward_env(
        acct.dir.path(),
        &[
            "rotate",
            "plan",
            "--as-of",
            &as_of,
            "--endpoint-url",
            &acct.endpoint,
            "--region",
            "us-east-1",
            "--state",
            &state,
        ],
        &[
            ("AWS_ACCESS_KEY_ID", acct.creds[0].as_str()),
            ("AWS_SECRET_ACCESS_KEY", acct.creds[1].as_str()),
            ("AWS_SESSION_TOKEN", acct.creds[2].as_str()),
            ("COLUMNS", "300"),
        ],
    );
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("create a new key") && table.stdout.contains("95 d old"),
        "{}",
        table.stdout
    );
    assert!(table.stderr.contains("need a person"), "{}", table.stderr);
}

#[test]
fn apply_walks_the_lifecycle_and_stores_every_new_key() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let acct = Account::new(&rt, &endpoint);
    let (old, bob) = rt.block_on(async {
        let old = acct.user("alice", 1).await.remove(0);
        let bob = acct.user("bob", 2).await;
        (old, bob)
    });

    // Day 95: a new key, stored, proven; the old one stays active.
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(95)], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = json(&run);
    let a = user(&doc, "alice");
    assert_eq!(a["results"][0]["action"], "create");
    assert_eq!(a["results"][0]["ok"], true, "{a}");
    assert!(
        !run.stdout
            .contains(&rt.block_on(acct.stored("alice")).unwrap().1),
        "the report must not print the new secret"
    );
    let new = rt.block_on(async {
        let keys = acct.keys("alice").await;
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(keys.get(&old), Some(&true), "the old key is still active");
        let (stored, _) = acct.stored("alice").await.unwrap();
        assert_ne!(stored, old);
        acct.check_invariant("alice").await;
        // Bob is at the two-key limit: untouched.
        assert_eq!(acct.keys("bob").await.len(), 2);
        assert!(acct.stored("bob").await.is_none());
        stored
    });
    assert_eq!(user(&doc, "bob")["plan"]["blocked"], true);

    // Again on the same day: nothing more happens.
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(95)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(user(&json(&run), "alice")["results"]
        .as_array()
        .unwrap()
        .is_empty());
    rt.block_on(async { assert_eq!(acct.keys("alice").await.len(), 2) });

    // Day 105: the old key is deactivated behind its stored, proven successor.
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(105)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(user(&doc, "alice")["results"][0]["action"], "deactivate");
    rt.block_on(async {
        let keys = acct.keys("alice").await;
        assert_eq!(keys.get(&old), Some(&false), "{keys:?}");
        assert_eq!(keys.get(&new), Some(&true), "{keys:?}");
        acct.check_invariant("alice").await;
        assert_eq!(acct.keys("bob").await.len(), bob.len());
    });

    // Day 116: the inactive key has been off for 11 days and is past 110: deleted.
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(116)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(user(&doc, "alice")["results"][0]["action"], "delete");
    rt.block_on(async {
        let keys = acct.keys("alice").await;
        assert!(!keys.contains_key(&old), "{keys:?}");
        assert_eq!(keys.get(&new), Some(&true), "{keys:?}");
        acct.check_invariant("alice").await;
    });
    // The journal keeps the record.
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(acct.state()).unwrap()).unwrap();
    let events: Vec<&str> = state["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["user"] == "alice")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        events.starts_with(&["create", "store", "verified", "deactivate", "delete"]),
        "{events:?}"
    );
}

/// Runs killed right after the N-th change (before it is journaled) and started again: for
/// every N the rotation ends exactly as an uninterrupted one, without a third key or a lost one.
#[test]
fn a_run_killed_after_any_change_finishes_on_restart() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    // An uninterrupted rotation of two users makes 8 changes (CreateSecret, PutResourcePolicy,
    // CreateAccessKey, PutSecretValue each); stop after each of them.
    for n in 1..=8 {
        let acct = Account::new(&rt, &endpoint);
        let olds = rt.block_on(async {
            vec![
                acct.user("app-a", 1).await.remove(0),
                acct.user("app-b", 1).await.remove(0),
            ]
        });
        let day95 = days_ahead(95);
        let n_text = n.to_string();
        let run = acct.rotate(
            &["apply", "--as-of", &day95, "-j", "1"],
            &[("KEYWARD_ROTATE_STOP_AFTER", &n_text)],
        );
        assert_eq!(run.code, 86, "n={n}: {}", run.stderr);
        assert!(
            run.stderr.contains("stopping right after"),
            "{}",
            run.stderr
        );
        rt.block_on(async {
            for u in ["app-a", "app-b"] {
                let keys = acct.keys(u).await;
                assert!(keys.len() <= 2, "n={n} {u}: {keys:?}");
            }
        });
        let run = acct.rotate(&["apply", "--as-of", &day95, "-j", "1"], &[]);
        assert_eq!(run.code, 0, "n={n}: {}\n{}", run.stdout, run.stderr);
        rt.block_on(async {
            for (u, old) in ["app-a", "app-b"].iter().zip(&olds) {
                let keys = acct.keys(u).await;
                assert_eq!(keys.len(), 2, "n={n} {u}: {keys:?}");
                assert_eq!(keys.get(old), Some(&true), "n={n} {u}: old key kept");
                let (stored, _) = acct
                    .stored(u)
                    .await
                    .unwrap_or_else(|| panic!("n={n} {u}: nothing stored"));
                assert_ne!(&stored, old, "n={n} {u}");
                acct.check_invariant(u).await;
            }
        });
        // And it is journaled as proven, so the old key goes at day 105.
        let run = acct.rotate(&["apply", "--as-of", &days_ahead(105), "-j", "1"], &[]);
        assert_eq!(run.code, 0, "n={n}: {}", run.stderr);
        rt.block_on(async {
            for (u, old) in ["app-a", "app-b"].iter().zip(&olds) {
                assert_eq!(acct.keys(u).await.get(old), Some(&false), "n={n} {u}");
            }
        });
    }
}

/// An old key the workload still signs with after its successor was made is not switched off
/// (that would stop the workload), unless the operator insists.
#[test]
fn a_key_still_in_use_is_not_deactivated() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let acct = Account::new(&rt, &endpoint);
    let (old, old_secret) = rt.block_on(user_with_key(&acct.iam(), "worker"));
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(95)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // IAM dates have whole seconds: use the old key in a later second than the new one's.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    rt.block_on(async {
        let creds = aws_credential_types::Credentials::new(&old, &old_secret, None, None, "old");
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&acct.conf)
                .credentials_provider(creds)
                .build(),
        );
        let _ = iam.list_users().send().await;
    });
    let day105 = days_ahead(105);
    let run = acct.rotate(&["apply", "--as-of", &day105], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let w = user(&doc, "worker");
    assert!(w["results"].as_array().unwrap().is_empty(), "{w}");
    assert_eq!(w["plan"]["blocked"], true);
    assert!(
        w["plan"]["note"]
            .as_str()
            .unwrap()
            .contains("has not switched"),
        "{w}"
    );
    rt.block_on(async { assert_eq!(acct.keys("worker").await.get(&old), Some(&true)) });
    let run = acct.rotate(&["apply", "--as-of", &day105, "--deactivate-in-use"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    rt.block_on(async { assert_eq!(acct.keys("worker").await.get(&old), Some(&false)) });
}

/// Killed right after deactivating (before the journal knows): the next run sees the key
/// inactive and goes on; the key is deleted at its age.
#[test]
fn a_run_killed_after_deactivating_finishes_on_restart() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let acct = Account::new(&rt, &endpoint);
    let old = rt.block_on(acct.user("app", 1)).remove(0);
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(95)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let day105 = days_ahead(105);
    let run = acct.rotate(
        &["apply", "--as-of", &day105],
        &[("KEYWARD_ROTATE_STOP_AFTER", "1")],
    );
    assert_eq!(run.code, 86, "{}", run.stderr);
    assert!(run.stderr.contains("iam:UpdateAccessKey"), "{}", run.stderr);
    let run = acct.rotate(&["apply", "--as-of", &day105], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    rt.block_on(async {
        assert_eq!(acct.keys("app").await.get(&old), Some(&false));
        acct.check_invariant("app").await;
    });
    let run = acct.rotate(&["apply", "--as-of", &days_ahead(116)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    rt.block_on(async {
        let keys = acct.keys("app").await;
        assert!(!keys.contains_key(&old), "{keys:?}");
        acct.check_invariant("app").await;
    });
}

/// A tiny HTTP endpoint that keeps the bodies posted to it (a Slack webhook, an SNS HTTP
/// subscription).
fn listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let keep = bodies.clone();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            keep.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (url, bodies)
}

#[test]
fn owners_are_told_through_sns_slack_and_email() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let acct = Account::new(&rt, &endpoint);
    let (sns_url, sns_bodies) = listener();
    let (slack_url, slack_bodies) = listener();
    let topic = rt.block_on(async {
        acct.user("payments", 1).await;
        acct.iam()
            .tag_user()
            .user_name("payments")
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("email")
                    .value("payments-team@example.com")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let sns = aws_sdk_sns::Client::new(&acct.conf);
        let topic = sns
            .create_topic()
            .name("key-rotation")
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("http")
            .endpoint(&sns_url)
            .send()
            .await
            .unwrap();
        let ses = aws_sdk_sesv2::Client::new(&acct.conf);
        ses.create_email_identity()
            .email_identity("security@example.com")
            .send()
            .await
            .unwrap();
        topic
    });
    let run = acct.rotate(
        &[
            "apply",
            "--as-of",
            &days_ahead(91),
            "--notify-sns",
            &topic,
            "--notify-email-from",
            "security@example.com",
        ],
        &[("KEYWARD_SLACK_WEBHOOK", &slack_url)],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = json(&run);
    let sent = doc["notifications"].as_array().unwrap();
    let channels: Vec<&str> = sent
        .iter()
        .map(|s| s["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["sns", "slack", "email"], "{sent:?}");
    assert!(sent.iter().all(|s| s["ok"] == true), "{sent:?}");
    let new = rt.block_on(acct.stored("payments")).unwrap();
    let wait_for = |bodies: &Arc<Mutex<Vec<String>>>| {
        for _ in 0..50 {
            if let Some(b) = bodies
                .lock()
                .unwrap()
                .iter()
                .find(|b| b.contains("payments"))
            {
                return b.clone();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no notice arrived")
    };
    for body in [wait_for(&slack_bodies), wait_for(&sns_bodies)] {
        assert!(body.contains(&new.0), "names the new key: {body}");
        assert!(
            body.contains(&format!("Account_{}_User_payments_AccessKey", acct.id)),
            "{body}"
        );
        assert!(!body.contains(&new.1), "never the secret: {body}");
    }
    // SES counts what it sent.
    let sent_count = rt.block_on(async {
        aws_sdk_sesv2::Client::new(&acct.conf)
            .get_account()
            .send()
            .await
            .ok()
            .and_then(|a| a.send_quota.map(|q| q.sent_last24_hours))
    });
    if let Some(c) = sent_count {
        assert!(c >= 1.0, "SES sent {c}");
    }
}

#[test]
fn org_rotates_every_member_account_through_the_role() {
    let Some(endpoint) = moto() else { return };
    let rt = rt();
    let mgmt = Account::new(&rt, &endpoint);
    let members = rt.block_on(async {
        let members = organization(&mgmt.conf, &["workloads-prod", "workloads-dev"]).await;
        // Users in each member account, made through the role keyward will assume.
        for id in &members {
            let conf = assumed(&mgmt.conf, id, "KeywardRotation").await;
            let iam = aws_sdk_iam::Client::new(&conf);
            iam.create_user().user_name("app").send().await.unwrap();
            iam.create_access_key()
                .user_name("app")
                .send()
                .await
                .unwrap();
        }
        acct_user(&mgmt, "ops").await;
        members
    });
    let run = mgmt.rotate(
        &[
            "apply",
            "--org",
            "--role",
            "KeywardRotation",
            "--as-of",
            &days_ahead(92),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = json(&run);
    let accounts: BTreeMap<String, &Value> = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["account"].as_str().unwrap().to_string(), a))
        .collect();
    assert!(accounts.contains_key(&mgmt.id), "{:?}", accounts.keys());
    for id in &members {
        let a = accounts
            .get(id)
            .unwrap_or_else(|| panic!("member {id} missing: {:?}", accounts.keys()));
        let app = a["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["plan"]["user"] == "app")
            .unwrap();
        assert_eq!(app["results"][0]["action"], "create", "{app}");
        assert_eq!(app["results"][0]["ok"], true, "{app}");
        assert_eq!(
            app["secret_name"],
            format!("Account_{id}_User_app_AccessKey").as_str()
        );
    }
}

async fn acct_user(a: &Account, name: &str) {
    a.user(name, 1).await;
}
