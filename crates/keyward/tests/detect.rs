//! `keyward detect` end to end: the real binary over CloudTrail trees written as AWS writes them.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::cloudtrail::{attack_chain, benign, write_tree};
use common::*;

const KEY: &str = "AKIAQYLPMN5HFIQR7BXE";

fn benign_events(n: usize, span_secs: i64, seed: u64) -> Vec<(i64, String)> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let t = i as i64 * span_secs / n.max(1) as i64;
            (t, benign(&mut rng, t))
        })
        .collect()
}

/// How many benign events surround the attack: a million with KEYWARD_BENIGN_EVENTS=1000000
/// (the issue's figure; a release build reads them in seconds), fewer by default so that a
/// debug `cargo test` stays quick.
fn benign_count() -> usize {
    std::env::var("KEYWARD_BENIGN_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

#[test]
fn attack_chain_among_benign_events_yields_exactly_the_expected_alerts() {
    let tmp = tempfile::tempdir().unwrap();
    let day = 86_400;
    let mut events = benign_events(benign_count(), day, 7);
    let t0 = 6 * 3600 + 17;
    for (i, r) in attack_chain(t0, KEY).into_iter().enumerate() {
        events.push((t0 + i as i64, r));
    }
    events.sort_by_key(|e| e.0);
    let records: Vec<String> = events.into_iter().map(|e| e.1).collect();
    write_tree(tmp.path(), &records, 1000);

    let r = keyward(tmp.path(), &["detect", "AWSLogs", "-f", "jsonl", "-q"]);
    assert_eq!(r.code, 1, "alerts exit 1; stderr: {}", r.stderr);
    let alerts = jsonl(&r.stdout);
    let got: BTreeSet<(String, String)> = alerts
        .iter()
        .map(|a| {
            let p = &a["properties"];
            let what = p["event_id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} events", p["event_count"].as_str().unwrap_or("?")));
            (a["rule_id"].as_str().unwrap().to_string(), what)
        })
        .collect();
    let want: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want, "alerts:\n{}", r.stdout);
    assert_eq!(alerts.len(), EXPECTED.len(), "no duplicates");

    // The chain alert names the key and the events it joined.
    let chain = alerts
        .iter()
        .find(|a| a["rule_id"] == "leaked-key-probe-then-privilege-change")
        .expect("chain correlation fired");
    let p = &chain["properties"];
    assert_eq!(p["group.userIdentity.accessKeyId"], KEY);
    let joined = p["events"].as_str().unwrap();
    assert!(
        joined.contains("GetCallerIdentity (atk-01-whoami)"),
        "{joined}"
    );
    assert!(
        joined.contains("CreateRole (atk-02-createrole)"),
        "{joined}"
    );
}

/// What the bundled pack must say about the chain, and nothing else about the benign traffic:
/// each step that matters alone, and each correlation that joins steps.
const EXPECTED: &[(&str, &str)] = &[
    ("leaked-key-probe-then-privilege-change", "2 events"),
    ("iam-create-role", "atk-02-createrole"),
    (
        "iam-attach-admin-policy-role-or-group",
        "atk-03-attachadmin",
    ),
    ("iam-role-created-then-admin", "2 events"),
    ("iam-role-created-then-used-by-lambda", "2 events"),
    ("ec2-instances-launched-in-many-regions", "3 events"),
    ("cloudtrail-stop-logging", "atk-08-stoplogging"),
];

#[test]
fn bad_input_is_reported_by_path_and_the_rest_is_still_evaluated() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let chain = attack_chain(3600, KEY);
    let stop = chain.last().unwrap().clone();
    write_tree(&root.join("good"), std::slice::from_ref(&stop), 10);
    // A gzip file cut in half, garbage after a gzip header, a truncated Records file, JSON
    // that is not CloudTrail, a record without eventTime next to a good one, a digest file,
    // and a file CloudTrail never writes.
    let mut whole = Vec::new();
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(&mut whole, flate2::Compression::fast());
        gz.write_all(format!("{{\"Records\":[{stop}]}}").as_bytes())
            .unwrap();
        gz.finish().unwrap();
    }
    write(root, "bad/cut.json.gz", &whole[..whole.len() / 2]);
    write(
        root,
        "bad/garbage.json.gz",
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    );
    write(
        root,
        "bad/truncated.json",
        format!("{{\"Records\":[{stop},{{\"eventName\":\"Cre"),
    );
    write(root, "bad/other.json", r#"{"kind":"not a trail"}"#);
    let no_time = stop.replace("\"eventTime\":", "\"time\":");
    write(root, "bad/mixed.jsonl", format!("{no_time}\n{stop}\n"));
    write(
        root,
        "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz",
        &whole,
    );
    write(root, "notes.txt", "hello");

    let r = keyward(root, &["detect", ".", "-f", "jsonl"]);
    // StopLogging is found in good/, truncated.json and mixed.jsonl, so alerts win over partial.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let stops = jsonl(&r.stdout)
        .iter()
        .filter(|a| a["rule_id"] == "cloudtrail-stop-logging")
        .count();
    assert_eq!(stops, 3, "{}", r.stdout);
    for (path, reason) in [
        ("bad/cut.json.gz", "corrupt gzip"),
        ("bad/garbage.json.gz", "corrupt gzip"),
        ("bad/truncated.json", "truncated JSON"),
        ("bad/other.json", "not CloudTrail"),
        ("bad/mixed.jsonl", "without a valid eventTime"),
    ] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains(path) && l.contains(reason)),
            "no `{reason}` error for {path}:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("1 CloudTrail digest file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("1 not a CloudTrail file name"),
        "{}",
        r.stderr
    );

    // With no alert (every event is after --until), the unreadable inputs decide: exit 3.
    let r = keyward(
        root,
        &["detect", ".", "-f", "jsonl", "--until", "2020-01-01", "-q"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    // A rule file that does not parse is named, and the rest still runs.
    write(root, "rules/broken.yml", "title: [\n");
    let r = keyward(
        root,
        &["detect", "good", "--rules", "rules", "-q", "-f", "jsonl"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("rules/broken.yml: not valid YAML"),
        "{}",
        r.stderr
    );
}

#[test]
fn time_filters_formats_and_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let early = attack_chain(3600, KEY).pop().unwrap();
    let late = attack_chain(5 * 86_400, KEY)
        .pop()
        .unwrap()
        .replace("atk-08-stoplogging", "late-stoplogging");
    write(root, "t.jsonl", format!("{early}\n{late}\n"));

    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["detect", "t.jsonl", "-f", "jsonl", "-q"];
        a.extend_from_slice(args);
        let r = keyward(root, &a);
        jsonl(&r.stdout)
            .iter()
            .filter(|x| x["rule_id"] == "cloudtrail-stop-logging")
            .map(|x| x["properties"]["event_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]), ["atk-08-stoplogging", "late-stoplogging"]);
    assert_eq!(ids(&["--since", "2026-01-03"]), ["late-stoplogging"]);
    assert_eq!(
        ids(&["--until", "2026-01-03T00:00:00Z"]),
        ["atk-08-stoplogging"]
    );
    assert!(ids(&["--since", "24h"]).is_empty(), "2026-01 is long ago");
    let r = keyward(root, &["detect", "t.jsonl", "--since", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a time"), "{}", r.stderr);

    // JSON Lines alerts hold what a responder needs.
    let r = keyward(
        root,
        &["detect", "t.jsonl", "-f", "jsonl", "-q", "--include-events"],
    );
    let a = &jsonl(&r.stdout)[0];
    for k in [
        "event_time",
        "account_id",
        "region",
        "principal_arn",
        "access_key_id",
        "source_ip",
        "user_agent",
        "event_id",
        "event",
    ] {
        assert!(a["properties"][k].is_string(), "{k} missing: {a}");
    }
    assert_eq!(a["location"]["line"], 1);

    // SARIF validates against the OASIS schema; JSON has the summary.
    let r = keyward(root, &["detect", "t.jsonl", "-f", "sarif", "-q"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid(
        &schema_validator("tests/data/sarif-schema-2.1.0.json"),
        &doc,
        "detect SARIF",
    );
    let r = keyward(root, &["detect", "t.jsonl", "-f", "json", "-q"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["records"], 2);

    // The table, in Japanese.
    let r = keyward(
        root,
        &["detect", "t.jsonl", "--lang", "ja", "--color", "never"],
    );
    assert!(r.stdout.contains("cloudtrail-stop-logging"), "{}", r.stdout);
    assert!(r.stderr.contains("イベント"), "{}", r.stderr);
}
