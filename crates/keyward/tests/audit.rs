//! `keyward audit` as a user runs it: on the bundled example folder, on saved and re-read
//! snapshots, on broken folders, in every format, and live against moto on loopback (started
//! by `scripts/test`) with an account seeded through the SDK.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/aws.rs"]
mod moto_account;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use moto_account::{assumed, fresh_account, organization};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> String {
    repo().join("examples/audit").display().to_string()
}

fn json_of(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr))
}

/// (check, resource) of every failed outcome.
fn failed(doc: &Value) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What the example account must show, check by check: the misconfigurations its README
/// lists, and nothing on the resources that are set up well.
const EXAMPLE_FAILED: &[(&str, &str)] = &[
    ("access-analyzer-enabled", "123456789012/ap-northeast-1"),
    (
        "cloudtrail-log-file-validation",
        "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/app-trail",
    ),
    ("cloudtrail-multi-region-logging", "123456789012"),
    ("config-recorder-on", "123456789012/ap-northeast-1"),
    (
        "ec2-default-security-group-closed",
        "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60001",
    ),
    (
        "ec2-security-group-high-risk-ports",
        "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60002",
    ),
    (
        "ec2-security-group-unauthorized-ports",
        "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60002",
    ),
    (
        "ecs-container-privileged",
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7",
    ),
    (
        "ecs-env-plaintext-secret",
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7",
    ),
    ("guardduty-enabled", "123456789012/ap-northeast-1"),
    (
        "iam-access-key-rotation",
        "arn:aws:iam::123456789012:user/deploy",
    ),
    (
        "iam-access-key-rotation",
        "arn:aws:iam::123456789012:user/old-batch",
    ),
    (
        "iam-admin-principal",
        "arn:aws:iam::123456789012:role/lambda-ex",
    ),
    (
        "iam-admin-principal",
        "arn:aws:iam::123456789012:user/ops-admin",
    ),
    (
        "iam-password-policy-character-classes",
        "arn:aws:iam::123456789012:account-password-policy",
    ),
    (
        "iam-password-policy-expiry",
        "arn:aws:iam::123456789012:account-password-policy",
    ),
    (
        "iam-password-policy-length",
        "arn:aws:iam::123456789012:account-password-policy",
    ),
    (
        "iam-password-policy-length-nisc",
        "arn:aws:iam::123456789012:account-password-policy",
    ),
    (
        "iam-password-policy-reuse",
        "arn:aws:iam::123456789012:account-password-policy",
    ),
    (
        "iam-policy-full-admin",
        "arn:aws:iam::123456789012:policy/break-glass",
    ),
    (
        "iam-policy-iam-write",
        "arn:aws:iam::123456789012:policy/ci-release",
    ),
    (
        "iam-policy-service-wildcard",
        "arn:aws:iam::123456789012:policy/ci-release",
    ),
    (
        "iam-privilege-escalation",
        "arn:aws:iam::123456789012:user/ci",
    ),
    (
        "iam-privilege-escalation",
        "arn:aws:iam::123456789012:user/deploy",
    ),
    (
        "iam-role-trust-anyone",
        "arn:aws:iam::123456789012:role/partner-readonly",
    ),
    (
        "iam-role-trust-oidc-unscoped",
        "arn:aws:iam::123456789012:role/github-deploy",
    ),
    (
        "iam-role-unused",
        "arn:aws:iam::123456789012:role/partner-readonly",
    ),
    ("iam-root-access-key", "arn:aws:iam::123456789012:root"),
    ("iam-root-mfa", "arn:aws:iam::123456789012:root"),
    ("iam-root-recent-use", "arn:aws:iam::123456789012:root"),
    (
        "iam-unused-credentials",
        "arn:aws:iam::123456789012:user/old-batch",
    ),
    (
        "iam-user-console-without-mfa",
        "arn:aws:iam::123456789012:user/tanaka",
    ),
    (
        "iam-user-direct-policies",
        "arn:aws:iam::123456789012:user/ci",
    ),
    (
        "iam-user-direct-policies",
        "arn:aws:iam::123456789012:user/deploy",
    ),
    (
        "iam-user-direct-policies",
        "arn:aws:iam::123456789012:user/old-batch",
    ),
    (
        "iam-user-inline-policies",
        "arn:aws:iam::123456789012:user/deploy",
    ),
    (
        "iam-user-two-active-keys",
        "arn:aws:iam::123456789012:user/ci",
    ),
    (
        "lambda-env-plaintext-secret",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:order-sync",
    ),
    (
        "lambda-public-invoke",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:order-sync",
    ),
    (
        "lambda-runtime-supported",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:order-sync",
    ),
    (
        "rds-instance-public",
        "arn:aws:rds:ap-northeast-1:123456789012:db:orders-db",
    ),
    (
        "s3-bucket-block-public-access",
        "arn:aws:s3:::campaign-assets-123456789012",
    ),
    (
        "s3-bucket-public-read",
        "arn:aws:s3:::campaign-assets-123456789012",
    ),
    ("securityhub-fsbp-enabled", "123456789012/ap-northeast-1"),
    (
        "ssm-plaintext-secret",
        "arn:aws:ssm:ap-northeast-1:123456789012:parameter/app/prod/slack-webhook",
    ),
];

fn audit_example(extra: &[&str]) -> Run {
    let ex = example();
    let mut args = vec!["audit", "--from", &ex, "--as-of", "2026-11-23"];
    args.extend_from_slice(extra);
    keyward(&repo(), &args)
}

#[test]
fn the_example_account_shows_every_seeded_misconfiguration_and_nothing_else() {
    let r = audit_example(&["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = json_of(&r);
    let want: BTreeSet<(String, String)> = EXAMPLE_FAILED
        .iter()
        .map(|(c, res)| (c.to_string(), res.to_string()))
        .collect();
    let got = failed(&doc);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nunexpected {extra:#?}"
    );
    // The well-kept resources pass, and nothing was left unevaluated.
    let passed = |check: &str, res: &str| {
        doc["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["check"] == check && o["resource"] == res && o["status"] == "PASSED")
    };
    assert!(passed("guardduty-enabled", "123456789012/us-east-1"));
    assert!(passed(
        "iam-user-console-without-mfa",
        "arn:aws:iam::123456789012:user/auditor"
    ));
    assert!(passed(
        "lambda-env-plaintext-secret",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:thumbnail"
    ));
    assert!(passed(
        "iam-role-trust-anyone",
        "arn:aws:iam::123456789012:role/app-task"
    ));
    assert_eq!(
        doc["not_evaluated"].as_array().unwrap().len(),
        0,
        "{:#}",
        doc["not_evaluated"]
    );
    // No secret leaves the report in full.
    assert!(!r.stdout.contains("k7Rw2Lq9Xn4Vb8Tz1Mc6Pd3Hf5Gj0Ks7YeWa2Nu"));
    assert!(!r.stdout.contains("Sup3rS3cretPw"));
    let score = &doc["score"];
    let (p, f) = (
        score["passed"].as_u64().unwrap(),
        score["failed"].as_u64().unwrap(),
    );
    assert!(p > 0 && f > 0);
    let pct = score["percent"].as_f64().unwrap();
    assert!((pct - p as f64 * 100.0 / (p + f) as f64).abs() < 1e-9);
}

#[test]
fn save_then_from_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("snap");
    let saved_s = saved.display().to_string();
    let first = audit_example(&["--format", "json", "--save", &saved_s, "--quiet"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let again = keyward(
        dir.path(),
        &[
            "audit",
            "--from",
            &saved_s,
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
        ],
    );
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_eq!(json_of(&first)["findings"], json_of(&again)["findings"]);
}

#[test]
fn broken_files_are_named_and_what_they_feed_is_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "iam-get-account-authorization-details.json",
        r#"{"UserDetailList": [{"UserName": "a""#,
    );
    write(
        dir.path(),
        "iam-get-account-password-policy.json",
        r#"{"PasswordPolicy": {"MinimumPasswordLength": 6}}"#,
    );
    write(
        dir.path(),
        "ap-northeast-1/guardduty-list-detectors.error.json",
        r#"{"Error": {"Code": "AccessDeniedException", "Message": "User: arn:aws:iam::123456789012:user/ro is not authorized to perform: guardduty:ListDetectors"}}"#,
    );
    let r = keyward(
        dir.path(),
        &[
            "audit",
            "--from",
            ".",
            "--format",
            "json",
            "--fail-on",
            "critical",
        ],
    );
    // Nothing critical failed, but inputs could not be read: exit 3.
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("iam-get-account-authorization-details.json"),
        "{}",
        r.stderr
    );
    let doc = json_of(&r);
    let gaps = doc["not_evaluated"].as_array().unwrap();
    let gap = |check: &str| {
        gaps.iter()
            .find(|g| g["check"] == check)
            .map(|g| g["reason"].as_str().unwrap().to_string())
    };
    assert!(gap("iam-admin-principal")
        .unwrap()
        .contains("MalformedFile"));
    assert!(gap("guardduty-enabled")
        .unwrap()
        .contains("AccessDeniedException"));
    // The password policy was read and judged; GuardDuty was not judged passed.
    assert!(failed(&doc).contains(&(
        "iam-password-policy-length".into(),
        "arn:aws:iam::account:account-password-policy".into()
    )));
    assert!(!doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["check"] == "guardduty-enabled" && o["status"] == "PASSED"));
    // The score counts only what was evaluated.
    let checks = doc["checks"].as_array().unwrap();
    let evaluated = checks
        .iter()
        .filter(|c| c["status"] == "PASSED" || c["status"] == "FAILED")
        .count() as u64;
    assert_eq!(
        doc["score"]["passed"].as_u64().unwrap() + doc["score"]["failed"].as_u64().unwrap(),
        evaluated
    );

    let empty = tempfile::tempdir().unwrap();
    let r = keyward(empty.path(), &["audit", "--from", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("holds no snapshot file"), "{}", r.stderr);
}

#[test]
fn every_format_renders_the_same_findings() {
    let json = json_of(&audit_example(&["--format", "json"]));
    let n = json["findings"].as_array().unwrap().len();

    let sarif = json_of(&audit_example(&["--format", "sarif"]));
    assert_valid(
        &schema_validator("tests/data/sarif-schema-2.1.0.json"),
        &sarif,
        "audit SARIF",
    );
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), n);

    let asff = json_of(&audit_example(&["--format", "asff"]));
    let asff = asff.as_array().unwrap();
    assert_eq!(asff.len(), n);
    for f in asff {
        for k in [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Types",
            "CreatedAt",
            "UpdatedAt",
            "Severity",
            "Title",
            "Description",
            "Resources",
        ] {
            assert!(f.get(k).is_some(), "ASFF finding without {k}: {f:#}");
        }
    }
    let ocsf = json_of(&audit_example(&["--format", "ocsf"]));
    let ocsf = ocsf.as_array().unwrap();
    assert_eq!(ocsf.len(), n);
    assert!(ocsf
        .iter()
        .all(|e| e["class_uid"] == 2003 && e["type_uid"] == 200301));

    let jsonl = jsonl(&audit_example(&["--format", "jsonl"]).stdout);
    assert_eq!(jsonl.len(), n);

    let table = audit_example(&[]).stdout;
    assert!(
        table.contains("iam-root-mfa") && table.contains("order-sync"),
        "{table}"
    );
}

#[test]
fn html_report_and_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let html_s = html.display().to_string();
    let r = audit_example(&["--lang", "ja", "--html", &html_s]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("ルートユーザーに MFA が設定されていません"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("スコア"), "{}", r.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("lang=\"ja\""));
    assert!(page.contains("セキュリティスコア") && page.contains("対処:"));
    // Self-contained: nothing fetched from elsewhere.
    assert!(!page.contains("<script") && !page.contains("<link") && !page.contains("src=\"http"));
}

/// Headless Chromium, if this machine has it (`scripts/test` installs Debian's package and
/// then requires it).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("KEYWARD_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.exists())
        });
    if found.is_none() {
        assert!(
            std::env::var("KEYWARD_REQUIRE_CHROMIUM").is_err(),
            "KEYWARD_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium (run scripts/test)");
    }
    found
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let r = audit_example(&[
        "--lang",
        "ja",
        "--quiet",
        "--html",
        &html.display().to_string(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit-report-ja.png");
    let _ = std::fs::remove_file(&shot);
    let url = format!("file://{}", html.display());
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,2400",
    ];
    let profile = format!("--user-data-dir={}", dir.path().join("profile").display());
    let run = |extra: &[&str]| {
        std::process::Command::new(&chrome)
            .args(flags)
            .arg(&profile)
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    // The DOM after rendering holds the score and the Japanese findings.
    let dom = run(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("id=\"score\"") && dom.contains("ルートユーザーに MFA が設定されていません"),
        "{dom}"
    );
    let out = run(&[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // A blank page compresses to a few kilobytes; the report's text and colours do not.
    assert!(
        png.len() > 40_000,
        "screenshot of {} bytes looks empty",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}

fn doc(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// An account with the misconfigurations of a leaked-key incident, and resources set up well.
async fn seed(conf: &aws_config::SdkConfig, account: &str) {
    let iam = aws_sdk_iam::Client::new(conf);
    // A console user without MFA, administrator through a directly attached policy.
    iam.create_user()
        .user_name("web-admin")
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("web-admin")
        .password("Correct-Horse-9")
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("web-admin")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    // The attacker's role.
    let lambda_trust = doc(
        r#"{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
    );
    iam.create_role()
        .role_name("lambda-ex")
        .assume_role_policy_document(&lambda_trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("lambda-ex")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    // A customer policy allowing everything (attached, so that it is in the details).
    let everything = iam
        .create_policy()
        .policy_name("everything")
        .policy_document(doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    iam.create_group()
        .group_name("breakglass")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("breakglass")
        .policy_arn(&everything)
        .send()
        .await
        .unwrap();
    // A CI user who can rewrite policies: an escalation path.
    iam.create_user().user_name("ci").send().await.unwrap();
    iam.put_user_policy()
        .user_name("ci")
        .policy_name("release")
        .policy_document(doc(r#"{"Sid":"Release","Effect":"Allow","Action":["iam:CreatePolicyVersion","iam:GetPolicy"],"Resource":"*"}"#))
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("ci")
        .send()
        .await
        .unwrap();
    // A role anyone may assume.
    iam.create_role()
        .role_name("partner")
        .assume_role_policy_document(doc(
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
        ))
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .send()
        .await
        .unwrap();
    // Set up well: a reader in a group, and a task role trusted with a condition.
    iam.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("readers")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("reader").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("readers")
        .user_name("reader")
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("app-task")
        .assume_role_policy_document(doc(&format!(
            r#"{{"Effect":"Allow","Principal":{{"Service":"ecs-tasks.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}}}}}}"#
        )))
        .send()
        .await
        .unwrap();
    // A bucket anyone may read (ACL and policy), and one locked by Block Public Access.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(conf)
            .force_path_style(true)
            .build(),
    );
    let public = format!("public-{account}");
    s3.create_bucket().bucket(&public).send().await.unwrap();
    s3.put_bucket_acl()
        .bucket(&public)
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    s3.put_bucket_policy()
        .bucket(&public)
        .policy(doc(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{public}/*"}}"#
        )))
        .send()
        .await
        .unwrap();
    let private = format!("private-{account}");
    s3.create_bucket().bucket(&private).send().await.unwrap();
    s3.put_public_access_block()
        .bucket(&private)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[test]
fn live_audit_of_a_seeded_moto_account_and_the_same_offline() {
    let Some(endpoint) = moto() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (conf, account, creds) = rt.block_on(fresh_account(&endpoint));
    rt.block_on(seed(&conf, &account));
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("snap").display().to_string();
    let env = [
        ("AWS_ACCESS_KEY_ID", creds[0].as_str()),
        ("AWS_SECRET_ACCESS_KEY", creds[1].as_str()),
        ("AWS_SESSION_TOKEN", creds[2].as_str()),
        ("AWS_REGION", "us-east-1"),
    ];
    let live = keyward_env(
        dir.path(),
        &[
            "audit",
            "--endpoint-url",
            &endpoint,
            "--format",
            "json",
            "--save",
            &saved,
        ],
        &env,
    );
    assert_eq!(live.code, 1, "{}", live.stderr);
    let doc = json_of(&live);
    assert_eq!(doc["account_id"], account.as_str());
    let arn = |kind: &str, name: &str| format!("arn:aws:iam::{account}:{kind}/{name}");
    let got = failed(&doc);
    let want = [
        ("iam-user-console-without-mfa", arn("user", "web-admin")),
        ("iam-admin-principal", arn("user", "web-admin")),
        ("iam-user-direct-policies", arn("user", "web-admin")),
        ("iam-admin-principal", arn("role", "lambda-ex")),
        ("iam-policy-full-admin", arn("policy", "everything")),
        ("iam-privilege-escalation", arn("user", "ci")),
        ("iam-user-inline-policies", arn("user", "ci")),
        ("iam-role-trust-anyone", arn("role", "partner")),
        (
            "iam-password-policy-length",
            format!("arn:aws:iam::{account}:account-password-policy"),
        ),
        (
            "s3-bucket-public-read",
            format!("arn:aws:s3:::public-{account}"),
        ),
    ];
    for (check, res) in &want {
        assert!(
            got.contains(&(check.to_string(), res.clone())),
            "{check} on {res} not reported; got {got:#?}"
        );
    }
    // What is set up well yields no finding at all.
    for good in [
        arn("user", "reader"),
        arn("role", "app-task"),
        arn("group", "readers"),
        format!("arn:aws:s3:::private-{account}"),
    ] {
        assert!(
            !got.iter().any(|(_, r)| *r == good),
            "finding on {good}: {got:#?}"
        );
    }
    // APIs moto does not serve are gaps with AWS's reason, never passes.
    let gaps = doc["not_evaluated"].as_array().unwrap();
    for check in ["securityhub-fsbp-enabled", "access-analyzer-enabled"] {
        assert!(
            gaps.iter().any(|g| g["check"] == check),
            "{check} should be not evaluated: {gaps:#?}"
        );
        assert!(!doc["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["check"] == check && o["status"] == "PASSED"));
    }
    // The saved folder gives the same findings offline.
    let offline = keyward(
        dir.path(),
        &[
            "audit",
            "--from",
            &saved,
            "--as-of",
            doc["as_of"].as_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    assert_eq!(json_of(&offline)["findings"], doc["findings"]);
}

#[test]
fn org_audits_every_account_through_the_role() {
    let Some(endpoint) = moto() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (conf, mgmt, creds) = rt.block_on(fresh_account(&endpoint));
    let member = rt.block_on(async {
        let member = organization(&conf, &["workloads"]).await.remove(0);
        // An administrator by inline policy in the member account only.
        let iam = aws_sdk_iam::Client::new(&assumed(&conf, &member, "OrgAudit").await);
        iam.create_user().user_name("intern").send().await.unwrap();
        iam.put_user_policy()
            .user_name("intern")
            .policy_name("everything")
            .policy_document(doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#))
            .send()
            .await
            .unwrap();
        member
    });
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("org");
    let run = keyward_env(
        dir.path(),
        &[
            "audit",
            "--org",
            "--role",
            "OrgAudit",
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
            "--check",
            "iam-admin-principal",
            "--save",
            save.to_str().unwrap(),
            "-f",
            "json",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", creds[0].as_str()),
            ("AWS_SECRET_ACCESS_KEY", creds[1].as_str()),
            ("AWS_SESSION_TOKEN", creds[2].as_str()),
        ],
    );
    let out: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    let accounts = out["accounts"].as_array().unwrap();
    let ids: BTreeSet<&str> = accounts
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([mgmt.as_str(), member.as_str()]),
        "{}",
        run.stderr
    );
    for a in accounts {
        let failed: Vec<&str> = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["location"]["path"].as_str().unwrap_or_default())
            .collect();
        if a["account_id"] == member.as_str() {
            assert!(
                a["findings"].to_string().contains(":user/intern"),
                "{failed:?}"
            );
        } else {
            assert!(!a["findings"].to_string().contains(":user/intern"));
        }
    }
    assert_eq!(run.code, 1, "{}", run.stderr);
    for id in [&mgmt, &member] {
        assert!(
            save.join(id)
                .join("iam-get-account-authorization-details.json")
                .is_file(),
            "no snapshot saved for {id}"
        );
    }
}
