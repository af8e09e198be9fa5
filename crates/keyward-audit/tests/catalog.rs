//! Every check is one complete unit: metadata in both languages, references, and examples on
//! which it must fail and must pass. This runs them all.

#![allow(clippy::unwrap_used)]

use keyward_audit::check::Example;
use keyward_audit::model::CredentialRow;
use keyward_audit::snapshot::{credential_csv, Files};
use keyward_audit::{audit, catalog, Settings, Snapshot, Status};

/// Examples are judged at this date unless they say otherwise.
const EXAMPLE_DATE: &str = "2026-11-23T00:00:00Z";

fn snapshot(ex: &Example) -> Snapshot {
    let mut files = Files::new();
    for (path, v) in &ex.files {
        let bytes = if path.ends_with(".csv") {
            let rows: Vec<CredentialRow> =
                serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{path}: rows: {e}"));
            credential_csv(&rows).into_bytes()
        } else {
            serde_json::to_vec(v).unwrap()
        };
        files.insert(path.clone(), bytes);
    }
    let (snap, problems) = Snapshot::from_files(&files);
    assert!(
        problems.is_empty(),
        "example files do not load: {problems:?}"
    );
    snap
}

#[test]
fn every_check_is_a_complete_unit() {
    let cat = catalog().unwrap_or_else(|e| panic!("{e}"));
    for m in cat {
        for (what, t) in [
            ("title", &m.title),
            ("rationale", &m.rationale),
            ("remediation", &m.remediation),
        ] {
            assert!(
                !t.en.trim().is_empty() && !t.ja.trim().is_empty(),
                "{}: {what} needs en and ja",
                m.id
            );
        }
        assert!(!m.references.is_empty(), "{}: no references", m.id);
        assert!(
            !m.examples.fail.is_empty(),
            "{}: no example that must fail",
            m.id
        );
        assert!(
            !m.examples.pass.is_empty(),
            "{}: no example that must pass",
            m.id
        );
    }
}

#[test]
fn every_example_holds() {
    let cat = catalog().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings::default();
    let mut failures = Vec::new();
    for m in cat {
        for (must_fail, list) in [(true, &m.examples.fail), (false, &m.examples.pass)] {
            for (i, ex) in list.iter().enumerate() {
                let when = ex.as_of.as_deref().unwrap_or(EXAMPLE_DATE);
                let now = keyward_audit::check::parse_aws_time(when).unwrap();
                let out = audit(&snapshot(ex), &settings, now, |id| id == m.id);
                let failed = out.iter().any(|o| o.status == Status::Failed);
                let passed = out.iter().any(|o| o.status == Status::Passed);
                let gaps = out.iter().any(|o| o.status == Status::NotEvaluated);
                let ok = if must_fail {
                    failed
                } else {
                    passed && !failed && !gaps
                };
                if !ok {
                    failures.push(format!(
                        "{} {} example {}: {:#?}",
                        m.id,
                        if must_fail { "fail" } else { "pass" },
                        i + 1,
                        out
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn generated_docs_are_current() {
    let want = keyward_audit::docs::markdown(catalog().unwrap_or_else(|e| panic!("{e}")));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/audit-checks.md");
    if std::env::var_os("KEYWARD_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/audit-checks.md is stale: run `KEYWARD_BLESS=1 cargo test -p keyward-audit --test catalog`"
    );
}
