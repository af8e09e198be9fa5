//! SigmaHQ's CloudTrail rules (tests/data/sigmahq-aws, unchanged) load and run; the ones keyward
//! refuses are refused with a message naming the file, the rule and the construct.

use std::path::Path;

use keyward_detect::{load_rules, matching_rules, RuleSet};

fn sigmahq() -> (RuleSet, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sigmahq-aws");
    let (rules, mut errors) = load_rules(&dir);
    let (set, more) = RuleSet::new(rules);
    errors.extend(more);
    (set, errors.iter().map(ToString::to_string).collect())
}

#[test]
fn sigmahq_rules_load_or_say_why_not() {
    let (set, errors) = sigmahq();
    assert_eq!(set.rules.len(), 87, "{errors:#?}");
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let expect = [
        (
            "aws_cloudtrail_console_susp_login.yml",
            "AWS Console Login Monitoring",
            "`expand`",
        ),
        (
            "aws_cloudtrail_discovery_api_calls.yml",
            "General Discovery",
            "aggregation",
        ),
        (
            "aws_secretsmanager_mass_secret_retrieval.yml",
            "Mass Secret Retrieval",
            "aggregation",
        ),
    ];
    for (file, rule, construct) in expect {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(file) && e.contains(rule) && e.contains(construct)),
            "no error naming {file}, {rule}, {construct}: {errors:#?}"
        );
    }
    // Only a handful of rules read no eventName/eventSource and run on every record.
    assert!(set.unindexed() <= 6, "{} unindexed rules", set.unindexed());
}

fn fires(set: &RuleSet, record: &str, title: &str) -> bool {
    let ids = matching_rules(set, record).expect("a JSON object");
    set.rules
        .iter()
        .filter(|r| ids.contains(&r.info.id))
        .any(|r| r.info.title == title)
}

#[test]
fn sigmahq_rules_fire_on_the_events_they_describe() {
    let (set, _) = sigmahq();
    let stop = r#"{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eve"},"requestParameters":{"name":"main"}}"#;
    assert!(fires(&set, stop, "AWS CloudTrail Important Change"));
    // `requestParameters|contains` on an object reads the object's JSON text (rsigma 0.26
    // never matches it).
    let versioning = r#"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Suspended"}}}"#;
    assert!(fires(&set, versioning, "AWS S3 Bucket Versioning Disable"));
    let enabled = versioning.replace("Suspended", "Enabled");
    assert!(!fires(&set, &enabled, "AWS S3 Bucket Versioning Disable"));
}
