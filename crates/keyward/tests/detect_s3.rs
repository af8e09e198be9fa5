//! `keyward detect s3://bucket/prefix`: the bundled example trail, uploaded to a bucket in moto
//! in CloudTrail's layout, gives the same alerts as the local folder; a corrupt object is
//! reported with its s3:// URL and the rest is still evaluated; digests are skipped.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/aws.rs"]
mod moto_account;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use moto_account::fresh_account;
use serde_json::Value;

fn fingerprints(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule_id"], f["fingerprint"]))
        .collect()
}

#[test]
fn a_trail_bucket_reads_like_the_folder() {
    let Some(endpoint) = moto() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/cloudtrail");
    let (conf, account, creds) = rt.block_on(fresh_account(&endpoint));
    let bucket = format!("trail-{account}");
    rt.block_on(async {
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(true)
                .build(),
        );
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let put = |key: String, body: Vec<u8>| {
            let s3 = s3.clone();
            let bucket = bucket.clone();
            async move {
                s3.put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(body.into())
                    .send()
                    .await
                    .unwrap();
            }
        };
        for entry in walk(&examples) {
            let key = entry
                .strip_prefix(&examples)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            put(key, std::fs::read(&entry).unwrap()).await;
        }
        put(
            "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/02/broken.json.gz".into(),
            b"\x1f\x8b\x08\x00garbage".to_vec(),
        )
        .await;
        put(
            "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz".into(),
            b"{}".to_vec(),
        )
        .await;
    });
    let dir = tempfile::tempdir().unwrap();
    let local = keyward(
        dir.path(),
        &["detect", examples.to_str().unwrap(), "-f", "json", "-q"],
    );
    let url = format!("s3://{bucket}/AWSLogs/");
    let remote = keyward_env(
        dir.path(),
        &[
            "detect",
            &url,
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
            "-f",
            "json",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", creds[0].as_str()),
            ("AWS_SECRET_ACCESS_KEY", creds[1].as_str()),
            ("AWS_SESSION_TOKEN", creds[2].as_str()),
        ],
    );
    let l: Value = serde_json::from_str(&local.stdout).unwrap();
    let r: Value = serde_json::from_str(&remote.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", remote.stdout, remote.stderr));
    assert!(!fingerprints(&l).is_empty());
    assert_eq!(fingerprints(&l), fingerprints(&r), "{}", remote.stderr);
    assert!(
        remote.stderr.contains(&format!(
            "s3://{bucket}/AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/02/broken.json.gz"
        )) && remote.stderr.contains("corrupt gzip"),
        "{}",
        remote.stderr
    );
    assert_eq!(
        r["summary"]["files"],
        l["summary"]["files"].as_u64().unwrap() + 1
    );
    // Alerts outrank the unread object in the exit code, as for local files.
    assert_eq!(remote.code, local.code, "{}", remote.stderr);

    // A bucket that does not exist is an input that could not be read.
    let missing = keyward_env(
        dir.path(),
        &[
            "detect",
            &format!("s3://no-such-{bucket}/AWSLogs/"),
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
            "-q",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", creds[0].as_str()),
            ("AWS_SECRET_ACCESS_KEY", creds[1].as_str()),
            ("AWS_SESSION_TOKEN", creds[2].as_str()),
        ],
    );
    assert_eq!(missing.code, 3, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("NoSuchBucket"),
        "{}",
        missing.stderr
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
