//! `keyward scan --verify` against a real AWS API server (moto on loopback, started by
//! `scripts/test`): the key pair is created through the SDK, planted, found and checked.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

async fn iam(endpoint: &str) -> aws_sdk_iam::Client {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "admin-test-secret",
            None,
            None,
            "test",
        ))
        .load()
        .await;
    aws_sdk_iam::Client::new(&conf)
}

/// Scans `dir` with `--verify`; returns the secret finding's verdict and the whole output.
fn verdict(dir: &std::path::Path, endpoint: &str) -> (String, String) {
    let r = keyward(
        dir,
        &[
            "scan",
            ".",
            "--verify",
            "--endpoint-url",
            endpoint,
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let findings = jsonl(&r.stdout);
    let f = findings
        .iter()
        .find(|f| f["rule_id"] == "aws-secret-access-key")
        .unwrap_or_else(|| panic!("secret not found: {}", r.stdout));
    let v = f["properties"]["verified"].as_str().unwrap().to_string();
    (v, r.stdout)
}

#[test]
fn verify_tells_a_live_key_and_names_its_owner() {
    let Some(endpoint) = moto() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let user = format!("leaky-ci-{}", std::process::id());
    let (key_id, secret) = rt.block_on(async {
        let iam = iam(&endpoint).await;
        iam.create_user().user_name(&user).send().await.unwrap();
        let key = iam
            .create_access_key()
            .user_name(&user)
            .send()
            .await
            .unwrap();
        let key = key.access_key().unwrap();
        (
            key.access_key_id().to_string(),
            key.secret_access_key().to_string(),
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "deploy/.env",
        format!("AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
    );
    let (v, stdout) = verdict(tmp.path(), &endpoint);
    assert!(v.starts_with("live"), "{v}");
    assert!(v.contains(&format!(":user/{user}")), "{v}");
    assert!(
        !stdout.contains(&secret),
        "verification does not print the secret"
    );

    // Deleted, the pair no longer belongs to the user. (moto, unlike AWS, answers an unknown key
    // with a default identity instead of InvalidClientTokenId, so this checks the owner.)
    rt.block_on(async {
        let iam = iam(&endpoint).await;
        iam.delete_access_key()
            .user_name(&user)
            .access_key_id(&key_id)
            .send()
            .await
            .unwrap();
    });
    let (v, _) = verdict(tmp.path(), &endpoint);
    assert!(!v.contains(&format!(":user/{user}")), "{v}");
}
