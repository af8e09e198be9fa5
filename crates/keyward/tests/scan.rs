//! `keyward scan` end to end: the real binary over generated trees and repositories.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

/// Places a key pair in one of the forms leaks take in practice.
fn plant(dir: &std::path::Path, i: usize, k: &KeyPair) -> String {
    let (rel, text) = match i % 8 {
        0 => (format!("svc{i}/.env"), format!("DEBUG=1\nAWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\nREGION=ap-northeast-1\n", k.key_id, k.secret)),
        1 => (format!("home{i}/.aws/credentials"), format!("[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n", k.key_id, k.secret)),
        2 => (format!("app{i}/settings.py"), format!("import boto3\n\nclient = boto3.client(\n    \"s3\",\n    aws_access_key_id=\"{}\",\n    aws_secret_access_key=\"{}\",\n)\n", k.key_id, k.secret)),
        3 => (format!("web{i}/config.js"), format!("module.exports = {{\n  accessKeyId: '{}',\n  secretAccessKey: '{}',\n}};\n", k.key_id, k.secret)),
        4 => (format!("ops{i}/deploy.yaml"), format!("env:\n  - name: AWS_ACCESS_KEY_ID\n    value: {}\n  - name: AWS_SECRET_ACCESS_KEY\n    value: {}\n", k.key_id, k.secret)),
        5 => (format!("dl{i}/ci_accessKeys.csv"), format!("Access key ID,Secret access key\n{},{}\n", k.key_id, k.secret)),
        6 => (format!("tf{i}/main.tf"), format!("provider \"aws\" {{\n  region     = \"us-east-1\"\n  access_key = \"{}\"\n  secret_key = \"{}\"\n}}\n", k.key_id, k.secret)),
        _ => (format!("lambda{i}/env.json"), format!("{{\"Variables\": {{\"AWS_ACCESS_KEY_ID\": \"{}\", \"AWS_SECRET_ACCESS_KEY\": \"{}\"}}}}\n", k.key_id, k.secret)),
    };
    write(dir, &rel, text);
    rel
}

/// Files that hold only things that look like AWS credentials and are not.
fn plant_look_alikes(dir: &std::path::Path, rng: &mut Rng) {
    let hex = b"0123456789abcdef";
    write(dir, "lookalike/docs.md", "Use `AKIAIOSFODNN7EXAMPLE` and `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` as in the AWS docs.\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    let mut random = String::new();
    for _ in 0..50 {
        random += &format!(
            "ref_{} = \"{}\"\n",
            rng.next_u64() % 100,
            rng.pick(BASE64ISH, 40)
        );
    }
    write(dir, "lookalike/random40.txt", random);
    let mut ids = String::new();
    for _ in 0..50 {
        ids += &format!(
            "{}-{}-4{}-a{}-{}\n",
            rng.pick(hex, 8),
            rng.pick(hex, 4),
            rng.pick(hex, 3),
            rng.pick(hex, 3),
            rng.pick(hex, 12)
        );
        ids += &format!("sha1 {}  sha256 {}\n", rng.pick(hex, 40), rng.pick(hex, 64));
    }
    write(dir, "lookalike/ids.txt", ids);
    write(
        dir,
        "lookalike/user.json",
        "{\"UserId\": \"AIDAQYLPMN5HHHFPZAM2\", \"RoleId\": \"AROAQYLPMN5HHHFPZAM2\"}\n",
    );
}

#[test]
fn every_planted_pair_is_found_with_its_account_and_look_alikes_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(7);
    let mut planted = Vec::new();
    for i in 0..40 {
        let account = 100_000_000_000 + rng.next_u64() % 800_000_000_000;
        let k = key_pair(&mut rng, account);
        let rel = plant(dir, i, &k);
        planted.push((rel, k));
    }
    plant_look_alikes(dir, &mut rng);

    let r = keyward(dir, &["scan", ".", "--format", "jsonl", "--show-secrets"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let findings = jsonl(&r.stdout);
    for (rel, k) in &planted {
        let key = findings
            .iter()
            .find(|f| f["secret"] == k.key_id.as_str())
            .unwrap_or_else(|| panic!("key id in {rel} not found"));
        assert_eq!(key["location"]["path"], rel.as_str());
        assert_eq!(key["properties"]["account_id"], k.account.as_str(), "{rel}");
        assert_eq!(key["severity"], "critical", "{rel}: paired key is critical");
        let secret = findings
            .iter()
            .find(|f| f["secret"] == k.secret.as_str())
            .unwrap_or_else(|| panic!("secret key in {rel} not found"));
        assert_eq!(secret["rule_id"], "aws-secret-access-key");
        assert_eq!(secret["properties"]["account_id"], k.account.as_str());
    }
    let noise: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("lookalike/")
        })
        .collect();
    assert!(noise.is_empty(), "look-alikes reported: {noise:#?}");
    assert_eq!(findings.len(), 80, "exactly the planted keys and secrets");
    assert!(
        r.stderr.contains("documented example credentials"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_secret_is_printed_in_full_in_any_format_without_show_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(11);
    let mut secrets = Vec::new();
    for i in 0..8 {
        let k = key_pair(&mut rng, 210_987_654_321);
        plant(dir, i, &k);
        secrets.push(k.key_id);
        secrets.push(k.secret);
    }
    let gh = format!(
        "ghp_{}",
        rng.pick(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            36
        )
    );
    write(dir, "ci/token.sh", format!("export GITHUB_TOKEN={gh}\n"));
    secrets.push(gh);
    for format in ["table", "json", "jsonl", "sarif"] {
        for color in ["never", "always"] {
            let r = keyward(dir, &["scan", ".", "--format", format, "--color", color]);
            assert_eq!(r.code, 1, "{format}: {}", r.stderr);
            for s in &secrets {
                assert!(!r.stdout.contains(s.as_str()), "{format} prints {s}");
                assert!(!r.stderr.contains(s.as_str()), "{format} logs {s}");
            }
        }
    }
    let shown = keyward(dir, &["scan", ".", "--format", "jsonl", "--show-secrets"]);
    for s in &secrets {
        assert!(
            shown.stdout.contains(s.as_str()),
            "--show-secrets hides {s}"
        );
    }
}

#[test]
fn json_jsonl_and_sarif_validate_against_their_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(3);
    for i in 0..8 {
        plant(dir, i, &key_pair(&mut rng, 333_333_333_333));
    }
    write(
        dir,
        "dir with space/秘密.env",
        "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
    );
    let report = schema_validator("../../docs/schema/scan-report.schema.json");
    let r = keyward(dir, &["scan", ".", "--format", "json"]);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(doc["findings"].as_array().unwrap().len() >= 16);
    assert_valid(&report, &doc, "--format json");
    let shown: Value = serde_json::from_str(
        &keyward(dir, &["scan", ".", "--format", "json", "--show-secrets"]).stdout,
    )
    .unwrap();
    assert_valid(&report, &shown, "--format json --show-secrets");

    let sarif = schema_validator("tests/data/sarif-schema-2.1.0.json");
    let r = keyward(dir, &["scan", ".", "--format", "sarif"]);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid(&sarif, &doc, "--format sarif");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 16);
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["rules"][idx]["id"],
            res["ruleId"]
        );
        assert!(
            res["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
}

#[test]
fn git_history_finds_deleted_secrets_at_the_commit_that_added_them() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    write(repo, "README.md", "# app\n");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "initial"]);
    let base = git(repo, &["rev-parse", "HEAD"]).trim().to_string();

    let mut rng = Rng::new(5);
    let mut planted = Vec::new();
    for i in 0..6 {
        let k = key_pair(&mut rng, 444_000_000_000 + i as u64);
        let rel = plant(repo, i, &k);
        git(repo, &["add", "-f", &rel]);
        git(repo, &["commit", "-qm", &format!("add config {i}")]);
        let commit = git(repo, &["rev-parse", "HEAD"]).trim().to_string();
        planted.push((rel, k, commit));
    }
    // Remove every secret again; the leak stays in history.
    for (rel, _, _) in &planted {
        git(repo, &["rm", "-q", rel]);
    }
    git(repo, &["commit", "-qm", "remove secrets"]);
    // A branch that edits the file around an old secret must not move its first appearance.
    git(repo, &["checkout", "-qb", "feature", &planted[0].2]);
    std::fs::write(
        repo.join(&planted[0].0),
        format!(
            "# edited\n{}",
            std::fs::read_to_string(repo.join(&planted[0].0)).unwrap()
        ),
    )
    .unwrap();
    git(repo, &["commit", "-qam", "edit on a branch"]);
    git(repo, &["checkout", "-q", "main"]);

    let working = keyward(repo, &["scan", "."]);
    assert_eq!(
        working.code, 0,
        "nothing left in the working tree: {}",
        working.stdout
    );

    let r = keyward(
        repo,
        &["scan", "--git", ".", "--format", "jsonl", "--show-secrets"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let findings = jsonl(&r.stdout);
    for (rel, k, commit) in &planted {
        for value in [&k.key_id, &k.secret] {
            let hits: Vec<&Value> = findings
                .iter()
                .filter(|f| f["secret"] == value.as_str())
                .collect();
            assert_eq!(
                hits.len(),
                1,
                "{rel}: one finding per secret, got {hits:#?}"
            );
            let f = hits[0];
            assert_eq!(f["location"]["path"], rel.as_str());
            assert_eq!(f["location"]["commit"]["id"], commit.as_str(), "{rel}");
            assert_eq!(f["location"]["commit"]["author"], "Ada Leak");
            assert_eq!(f["location"]["commit"]["email"], "ada@example.org");
            assert!(f["location"]["commit"]["date"]
                .as_str()
                .unwrap()
                .starts_with("20"));
            assert!(f["location"]["line"].as_u64().unwrap() >= 1);
        }
        let key = findings
            .iter()
            .find(|f| f["secret"] == k.key_id.as_str())
            .unwrap();
        assert_eq!(key["properties"]["account_id"], k.account.as_str());
    }

    // --since: only what is not reachable from the given revision.
    let since = keyward(
        repo,
        &[
            "scan",
            "--git",
            ".",
            "--since",
            &planted[2].2,
            "--format",
            "jsonl",
            "--show-secrets",
        ],
    );
    let later = jsonl(&since.stdout);
    assert!(later
        .iter()
        .all(|f| f["secret"] != planted[1].1.key_id.as_str()));
    // planted[0]'s file was edited on a branch not reachable from that revision: a new blob.
    assert!(later
        .iter()
        .any(|f| f["secret"] == planted[0].1.key_id.as_str()));
    assert!(later
        .iter()
        .any(|f| f["secret"] == planted[5].1.key_id.as_str()));
    let all_since_base = keyward(
        repo,
        &["scan", "--git", ".", "--since", &base, "--format", "jsonl"],
    );
    assert_eq!(jsonl(&all_since_base.stdout).len(), findings.len());
}

#[test]
fn tracked_files_rank_above_ignored_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    let mut rng = Rng::new(9);
    let (a, b, c) = (
        key_pair(&mut rng, 1),
        key_pair(&mut rng, 2),
        key_pair(&mut rng, 3),
    );
    write(repo, ".gitignore", ".env\n");
    plant(repo, 0, &a); // svc0/.env: ignored
    plant(repo, 1, &b); // home1/.aws/credentials: untracked
    let tracked = plant(repo, 2, &c);
    git(repo, &["add", ".gitignore", &tracked]);
    let r = keyward(repo, &["scan", ".", "--format", "jsonl", "--show-secrets"]);
    let f = jsonl(&r.stdout);
    let of = |v: &str| f.iter().find(|x| x["secret"] == v).unwrap().clone();
    assert_eq!(of(&a.secret)["location"]["git"], "ignored");
    assert_eq!(of(&a.secret)["severity"], "high");
    assert_eq!(of(&b.secret)["location"]["git"], "untracked");
    assert_eq!(of(&b.secret)["severity"], "critical");
    assert_eq!(of(&c.secret)["location"]["git"], "tracked");
    assert_eq!(of(&c.secret)["severity"], "critical");
}

#[test]
fn staged_scans_only_the_index_and_the_hook_blocks_a_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    let mut rng = Rng::new(13);
    let k = key_pair(&mut rng, 555_555_555_555);
    let unstaged = key_pair(&mut rng, 666_666_666_666);
    write(repo, "ok.txt", "hello\n");
    git(repo, &["add", "ok.txt"]);
    git(repo, &["commit", "-qm", "ok"]);
    let rel = plant(repo, 0, &k);
    git(repo, &["add", "-f", &rel]);
    // Changed after staging: the staged blob, not the working file, is what gets committed.
    std::fs::write(repo.join(&rel), "clean now\n").unwrap();
    plant(repo, 1, &unstaged);

    let r = keyward(
        repo,
        &[
            "scan",
            "--staged",
            ".",
            "--format",
            "jsonl",
            "--show-secrets",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = jsonl(&r.stdout);
    assert!(f.iter().any(|x| x["secret"] == k.secret.as_str()));
    assert!(f.iter().all(|x| x["secret"] != unstaged.secret.as_str()));
    assert!(f.iter().all(|x| x["location"]["git"] == "tracked"));

    let install = keyward(repo, &["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    let hook = std::fs::read_to_string(repo.join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("keyward scan --staged"));
    // The hook finds keyward on PATH.
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_keyward"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = std::process::Command::new("git")
        .current_dir(repo)
        .env("PATH", &path)
        .args([
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@b.c",
            "commit",
            "-qm",
            "leak",
        ])
        .output()
        .unwrap();
    assert!(!commit.status.success(), "the hook must block the commit");
    // git hands a hook's stdout to stderr.
    assert!(String::from_utf8_lossy(&commit.stderr).contains("aws-secret-access-key"));
    // A hook keyward did not write is not replaced without --force.
    std::fs::write(repo.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    assert_eq!(keyward(repo, &["hook", "install"]).code, 2);
    assert_eq!(keyward(repo, &["hook", "install", "--force"]).code, 0);
}

#[test]
fn baseline_lets_only_new_secrets_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(17);
    plant(dir, 0, &key_pair(&mut rng, 1234));
    let w = keyward(dir, &["scan", ".", "--write-baseline", "baseline.json"]);
    assert_eq!(w.code, 0, "{}", w.stderr);
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(text.contains("fingerprint") && !text.contains("AWS_SECRET"));
    assert_eq!(
        keyward(dir, &["scan", ".", "--baseline", "baseline.json"]).code,
        0
    );
    plant(dir, 1, &key_pair(&mut rng, 5678));
    let r = keyward(
        dir,
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(r.code, 1);
    let f = jsonl(&r.stdout);
    assert_eq!(f.len(), 2, "only the new pair");
    assert!(f.iter().all(|x| x["location"]["path"]
        .as_str()
        .unwrap()
        .starts_with("home1/")));
    assert!(r.stderr.contains("2 in the baseline"), "{}", r.stderr);
}

#[test]
fn inline_allow_and_config_excludes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(19);
    let k = key_pair(&mut rng, 42);
    write(
        dir,
        "a.py",
        format!("KEY = \"{}\"  # keyward:allow test fixture\n", k.key_id),
    );
    write(
        dir,
        "fixtures/x/creds.env",
        format!("AWS_ACCESS_KEY_ID={}\n", k.key_id),
    );
    write(
        dir,
        "vendor/node_modules/pkg/k.js",
        format!("k='{}'\n", k.key_id),
    );
    write(
        dir,
        "keyward.toml",
        "[scan]\nexclude-paths = [\"fixtures/**\", \"node_modules\"]\n",
    );
    let r = keyward(dir, &["scan", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("1 allowed by keyward:allow"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("excluded by config"), "{}", r.stderr);

    write(
        dir,
        "keyward.toml",
        "[scan]\nexclude-rules = [\"aws-acess-key-id\"]\n",
    );
    let bad = keyward(dir, &["scan", "."]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("keyward.toml:2:18") && bad.stderr.contains("aws-acess-key-id"),
        "{}",
        bad.stderr
    );
    write(dir, "keyward.toml", "[scan]\nexclude-pathz = []\n");
    let bad = keyward(dir, &["scan", "."]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("keyward.toml") && bad.stderr.contains("line 2"),
        "{}",
        bad.stderr
    );
}

#[test]
fn bad_input_is_reported_and_the_rest_is_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(23);
    let k = key_pair(&mut rng, 777);
    write(dir, "clean.txt", "nothing here\n");
    write(dir, "latin1.txt", b"caf\xe9 \xff\xfe\n");
    write(dir, "blob.bin", b"\x00\x01\x02 AKIA");
    let mut big = vec![b'x'; 3 << 20];
    big.extend_from_slice(format!(" {} ", k.key_id).as_bytes());
    write(dir, "bundle.min.js", &big);
    std::os::unix::fs::symlink(dir.join("missing"), dir.join("dangling")).unwrap();
    std::fs::create_dir(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop"), dir.join("loop/again")).unwrap();

    let plain = keyward(dir, &["scan", ".", "--format", "jsonl", "--show-secrets"]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    assert!(plain.stdout.contains(&k.key_id), "found on a 3 MB line");
    assert!(plain.stderr.contains("symbolic link"), "{}", plain.stderr);
    assert!(plain.stderr.contains("binary"), "{}", plain.stderr);

    std::fs::remove_file(dir.join("bundle.min.js")).unwrap();
    let followed = keyward(dir, &["scan", ".", "--follow"]);
    assert_eq!(followed.code, 3, "{}", followed.stderr);
    assert!(
        followed.stderr.contains("cannot read dangling"),
        "{}",
        followed.stderr
    );
    assert!(followed.stderr.contains("loop"), "{}", followed.stderr);
    let j = keyward(dir, &["scan", ".", "--follow", "--format", "json"]);
    let doc: Value = serde_json::from_str(&j.stdout).unwrap();
    assert!(doc["summary"]["errors"].as_array().unwrap().len() >= 2);
    assert!(
        doc["summary"]["files"].as_u64().unwrap() >= 2,
        "the rest was scanned"
    );

    let ja = keyward(dir, &["scan", ".", "--follow", "--lang", "ja"]);
    assert!(
        ja.stderr.contains("件の入力を読み取れませんでした"),
        "{}",
        ja.stderr
    );
    assert!(ja.stderr.contains("バイナリ"), "{}", ja.stderr);

    let small = keyward(dir, &["scan", ".", "--max-file-size", "5"]);
    assert!(
        small.stderr.contains("over the size limit"),
        "{}",
        small.stderr
    );
}

#[test]
fn a_corrupt_git_object_is_reported_and_the_rest_of_history_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    let mut rng = Rng::new(29);
    let k = key_pair(&mut rng, 888);
    write(repo, "victim.txt", "this blob will be corrupted\n");
    let rel = plant(repo, 0, &k);
    git(repo, &["add", "-f", "victim.txt", &rel]);
    git(repo, &["commit", "-qm", "c"]);
    let oid = git(repo, &["rev-parse", "HEAD:victim.txt"])
        .trim()
        .to_string();
    let obj = repo.join(".git/objects").join(&oid[..2]).join(&oid[2..]);
    let mut perm = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&obj, perm).unwrap();
    std::fs::write(&obj, b"definitely not zlib").unwrap();

    let r = keyward(
        repo,
        &["scan", "--git", ".", "--format", "jsonl", "--show-secrets"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&k.secret),
        "other blobs are still scanned"
    );
    assert!(
        r.stderr.contains("victim.txt") && r.stderr.contains(&oid),
        "{}",
        r.stderr
    );
    git(repo, &["rm", "-q", "--cached", &rel]);
}

#[test]
fn stdin_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(31);
    let k = key_pair(&mut rng, 999);
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_keyward"));
    c.current_dir(dir).args(["scan", "-", "--format", "jsonl"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("AWS_ACCESS_KEY_ID={}\n", k.key_id).as_bytes())
        .unwrap();
    let out = output(child.wait_with_output().unwrap());
    assert_eq!(out.code, 1);
    assert_eq!(jsonl(&out.stdout)[0]["location"]["path"], "-");

    write(dir, "a.txt", "nothing\n");
    assert_eq!(keyward(dir, &["scan", "a.txt"]).code, 0);
    write(dir, "b.txt", format!("k={}\n", k.key_id));
    assert_eq!(keyward(dir, &["scan", "."]).code, 1);
    assert_eq!(
        keyward(dir, &["scan", ".", "--fail-on", "critical"]).code,
        0,
        "an unpaired key id is high"
    );
    assert_eq!(keyward(dir, &["scan", ".", "--format", "xml"]).code, 2);
    assert_eq!(keyward(dir, &["scan", "--git", "a.txt"]).code, 2);
}

#[test]
fn rules_list_and_explain_come_from_the_rule_data() {
    let tmp = tempfile::tempdir().unwrap();
    let r = keyward(tmp.path(), &["rules", "list", "--format", "jsonl"]);
    assert_eq!(r.code, 0);
    let rules = jsonl(&r.stdout);
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "ids are unique");
    assert!(ids.contains("aws-access-key-id") && ids.contains("aws-secret-access-key"));
    let ja = keyward(
        tmp.path(),
        &["rules", "explain", "aws-secret-access-key", "--lang", "ja"],
    );
    assert_eq!(ja.code, 0);
    assert!(
        ja.stdout.contains("対処方法") && ja.stdout.contains("無効化"),
        "{}",
        ja.stdout
    );
    assert_eq!(keyward(tmp.path(), &["rules", "explain", "nope"]).code, 2);
}

#[test]
fn the_table_report_is_stable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(37);
    plant(dir, 0, &key_pair(&mut rng, 123_456_789_012));
    plant(dir, 5, &key_pair(&mut rng, 210_987_654_321));
    let r = keyward(dir, &["scan", ".", "--color", "never"]);
    insta::assert_snapshot!("table", r.stdout);
    let j = keyward(dir, &["scan", ".", "--format", "jsonl"]);
    insta::assert_snapshot!("jsonl", j.stdout);
}
