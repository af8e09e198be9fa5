//! The bundled rule pack: every rule loads, says what it is in both languages, and behaves as its
//! own examples say; the Sysdig Secure IAM rules are all covered; the docs page is current.

use std::collections::BTreeSet;

use keyward_detect::rule::Body;
use keyward_detect::{builtin_rules, matching_rules, run_records, RuleSet};

fn pack() -> RuleSet {
    let (rules, errors) = builtin_rules();
    assert!(
        errors.is_empty(),
        "bundled rules must all load:\n{errors:#?}"
    );
    let (set, errors) = RuleSet::new(rules);
    assert!(
        errors.is_empty(),
        "bundled rules must resolve:\n{errors:#?}"
    );
    set
}

#[test]
fn every_rule_is_a_complete_unit() {
    let set = pack();
    assert!(!set.rules.is_empty());
    let mut sigma_ids = BTreeSet::new();
    let mut problems = Vec::new();
    for r in &set.rules {
        let i = &r.info;
        let mut need = |ok: bool, what: &str| {
            if !ok {
                problems.push(format!("{} ({}): {what}", i.id, i.source));
            }
        };
        need(i.name.is_some(), "has no `name` (Keyward's stable id)");
        need(
            i.id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "name is not kebab-case",
        );
        need(
            i.sigma_id
                .as_ref()
                .is_some_and(|s| sigma_ids.insert(s.clone())),
            "Sigma `id` missing or not unique",
        );
        need(i.title_ja.is_some(), "no keyward.title_ja");
        need(i.rationale.is_some(), "no keyward.rationale {en, ja}");
        need(i.remediation.is_some(), "no keyward.remediation {en, ja}");
        need(!i.references.is_empty(), "no references");
        need(!r.examples.matches.is_empty(), "no `match` examples");
        need(!r.examples.no_match.is_empty(), "no `no_match` examples");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_example_behaves() {
    let set = pack();
    let mut failures = Vec::new();
    for r in &set.rules {
        let id = &r.info.id;
        match &r.body {
            Body::Detection(_) => {
                for (want, list) in [(true, &r.examples.matches), (false, &r.examples.no_match)] {
                    for ex in list {
                        let rec = &ex[0];
                        match matching_rules(&set, rec) {
                            None => {
                                failures.push(format!("{id}: example is not a JSON object: {rec}"))
                            }
                            Some(ids) if ids.contains(id) != want => failures.push(format!(
                                "{id}: {} example {}: {rec}",
                                if want { "match" } else { "no_match" },
                                if want { "did not fire" } else { "fired" }
                            )),
                            Some(_) => {}
                        }
                    }
                }
            }
            Body::Correlation(_) => {
                for (want, list) in [(true, &r.examples.matches), (false, &r.examples.no_match)] {
                    for (n, ex) in list.iter().enumerate() {
                        let out = run_records(&set, "example", ex);
                        let fired = out.alerts.iter().filter(|a| &a.rule_id == id).count();
                        if (fired > 0) != want {
                            failures.push(format!(
                                "{id}: {} sequence #{n} fired {fired} time(s)",
                                if want { "match" } else { "no_match" }
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The 34 AWS IAM rules of Sysdig Secure (`../shared/design/detect-rules.md`), each covered by a
/// bundled rule tagged `sysdig.<name in kebab case>`.
const SYSDIG: [&str; 34] = [
    "Add AWS User to Group",
    "Attach Administrator Policy",
    "Attach IAM Policy to User",
    "Create Group",
    "Create Security Group Rule Allowing SSH Ingress",
    "Create AWS user",
    "Create IAM Policy that Allows All",
    "Create Access Key for Root User",
    "Create Security Group Rule Allowing Ingress Open to the World",
    "Console Login Failure",
    "Console Login Without MFA",
    "Console Root Login Without MFA",
    "Deactivate Hardware MFA for Root User",
    "Deactivate MFA for Root User",
    "Deactivate Virtual MFA for Root User",
    "Delete Virtual MFA for Root User",
    "Deactivate MFA for User Access",
    "Logged in without Using MFA",
    "Delete Group",
    "Password Recovery Requested",
    "Put IAM Inline Policy to User",
    "Put Inline Policy in Group to Allow Access to All Resources",
    "Root User Executing AWS Command",
    "Update Account Password Policy Not Requiring 14 Characters",
    "Update Account Password Policy Not Requiring 7 Characters",
    "Update Account Password Policy Expiring in More Than 90 Days",
    "Update Account Password Policy Not Expiring",
    "Update Account Password Policy Not Preventing Reuse of Last 24 Passwords",
    "Update Account Password Policy Not Preventing Reuse of Last 4 Passwords",
    "Update Account Password Policy Not Requiring Lowercase",
    "Update Account Password Policy Not Requiring Number",
    "Update Account Password Policy Not Requiring Symbol",
    "Update Account Password Policy Not Requiring Uppercase",
    "Update Assume Role Policy",
];

fn kebab(s: &str) -> String {
    s.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn sysdig_iam_rules_are_all_covered() {
    let set = pack();
    let tags: BTreeSet<String> = set
        .rules
        .iter()
        .flat_map(|r| r.info.tags.iter().map(|t| t.to_ascii_lowercase()))
        .collect();
    let missing: Vec<&str> = SYSDIG
        .iter()
        .copied()
        .filter(|n| !tags.contains(&format!("sysdig.{}", kebab(n))))
        .collect();
    assert!(
        missing.is_empty(),
        "no bundled rule tagged for: {missing:#?}"
    );
}

#[test]
fn generated_docs_are_current() {
    let (rules, _) = builtin_rules();
    let want = keyward_detect::docs::markdown(&rules);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/detect-rules.md");
    if std::env::var_os("KEYWARD_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/detect-rules.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/detect-rules.md is stale: run `KEYWARD_BLESS=1 cargo test -p keyward-detect --test rule_pack`"
    );
}
