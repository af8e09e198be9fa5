//! Test harness: runs the real `keyward` binary in temporary directories and generates
//! credentials that have the structure of real ones (never real ones).

#![allow(dead_code, clippy::unwrap_used)]

pub mod cloudtrail;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn keyward(dir: &Path, args: &[&str]) -> Run {
    keyward_env(dir, args, &[])
}

pub fn keyward_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_keyward"));
    c.current_dir(dir).args(args).stdin(Stdio::null());
    c.env_remove("AWS_ENDPOINT_URL").env_remove("AWS_PROFILE");
    for (k, v) in env {
        c.env(k, v);
    }
    output(c.output().expect("run keyward"))
}

pub fn output(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Ada Leak",
            "-c",
            "user.email=ada@example.org",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    p
}

/// A deterministic generator, so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

pub const BASE64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

/// A key pair shaped like AWS's: the key id encodes `account` as AWS has done since 2019.
pub struct KeyPair {
    pub key_id: String,
    pub secret: String,
    pub account: String,
}

pub fn key_pair(rng: &mut Rng, account: u64) -> KeyPair {
    let x = (1u64 << 47) | (account << 7) | (rng.next_u64() & 0x7f);
    let mut bytes = x.to_be_bytes()[2..].to_vec();
    bytes.extend_from_slice(&rng.next_u64().to_be_bytes()[..4]);
    let key_id = format!("AKIA{}", data_encoding::BASE32_NOPAD.encode(&bytes));
    let secret = loop {
        let s = rng.pick(BASE64ISH, 40);
        if s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase()) {
            break s;
        }
    };
    KeyPair {
        key_id,
        secret,
        account: format!("{account:012}"),
    }
}

pub fn jsonl(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l:?}: {e}")))
        .collect()
}

/// A JSON Schema validator for a schema file of this crate.
pub fn schema_validator(rel: &str) -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Fails the test with every validation error.
pub fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

/// The moto endpoint `scripts/test` started. Where the script demanded moto
/// (`KEYWARD_REQUIRE_MOTO=1`), its absence is a failure, not a skip.
pub fn moto() -> Option<String> {
    match std::env::var("KEYWARD_MOTO_ENDPOINT") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("KEYWARD_REQUIRE_MOTO").is_err(),
                "KEYWARD_REQUIRE_MOTO is set but KEYWARD_MOTO_ENDPOINT is not"
            );
            eprintln!("skipped: no moto endpoint (run scripts/test)");
            None
        }
    }
}
