//! CloudTrail records for tests: benign traffic that no bundled rule flags, and the leaked-key
//! attack chain, written in the S3 layout CloudTrail uses.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Rng;

pub const ACCOUNT: &str = "111122223333";

/// `2026-01-01T00:00:00Z` plus `secs`.
pub fn time(secs: i64) -> String {
    let ts = jiff::Timestamp::from_second(1_767_225_600 + secs).unwrap();
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Calls that read, or write nothing that matters to security: what most of a trail is.
const BENIGN: &[(&str, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("ec2.amazonaws.com", "DescribeVolumes"),
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "PutObject"),
    ("s3.amazonaws.com", "HeadObject"),
    ("kms.amazonaws.com", "Decrypt"),
    ("kms.amazonaws.com", "GenerateDataKey"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("logs.amazonaws.com", "PutLogEvents"),
    ("dynamodb.amazonaws.com", "GetItem"),
    ("lambda.amazonaws.com", "Invoke"),
    ("cloudwatch.amazonaws.com", "GetMetricData"),
    ("ssm.amazonaws.com", "GetParameter"),
    ("ecr.amazonaws.com", "GetAuthorizationToken"),
];
const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"];

fn hex(rng: &mut Rng, n: usize) -> String {
    rng.pick(b"0123456789abcdef", n)
}

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        hex(rng, 3),
        hex(rng, 12)
    )
}

/// One benign record at `secs`.
pub fn benign(rng: &mut Rng, secs: i64) -> String {
    let (source, name) = BENIGN[(rng.next_u64() % BENIGN.len() as u64) as usize];
    let region = REGIONS[(rng.next_u64() % REGIONS.len() as u64) as usize];
    let role = ["app-server", "batch", "ci-deploy", "analytics"][(rng.next_u64() % 4) as usize];
    let key = format!("ASIA{}", rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    format!(
        concat!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLEROLEID:{role}","#,
            r#""arn":"arn:aws:sts::{acct}:assumed-role/{role}/i-{inst}","accountId":"{acct}","accessKeyId":"{key}","#,
            r#""sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::{acct}:role/{role}","userName":"{role}"}},"#,
            r#""attributes":{{"creationDate":"{t}","mfaAuthenticated":"false"}}}}}},"#,
            r#""eventTime":"{t}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","#,
            r#""sourceIPAddress":"10.0.{a}.{b}","userAgent":"aws-sdk-java/2.25.0","#,
            r#""requestParameters":{{"key":"data/{inst}.json"}},"responseElements":null,"#,
            r#""requestID":"{req}","eventID":"{id}","readOnly":true,"eventType":"AwsApiCall","#,
            r#""managementEvent":true,"recipientAccountId":"{acct}","eventCategory":"Management"}}"#
        ),
        role = role,
        acct = ACCOUNT,
        inst = hex(rng, 17),
        key = key,
        t = time(secs),
        source = source,
        name = name,
        region = region,
        a = rng.next_u64() % 256,
        b = rng.next_u64() % 256,
        req = uuid(rng),
        id = uuid(rng),
    )
}

/// A call made with the leaked long-term key `key` of user `webapp`. (One argument per record
/// field that varies: a struct would only rename them.)
#[allow(clippy::too_many_arguments)]
pub fn attacker(
    secs: i64,
    key: &str,
    source: &str,
    name: &str,
    region: &str,
    request: &str,
    response: &str,
    event_id: &str,
) -> String {
    format!(
        concat!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLEUSERID01","#,
            r#""arn":"arn:aws:iam::{acct}:user/webapp","accountId":"{acct}","accessKeyId":"{key}","userName":"webapp"}},"#,
            r#""eventTime":"{t}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","#,
            r#""sourceIPAddress":"203.0.113.66","userAgent":"python-requests/2.31.0","#,
            r#""requestParameters":{request},"responseElements":{response},"#,
            r#""requestID":"req-{event_id}","eventID":"{event_id}","readOnly":false,"eventType":"AwsApiCall","#,
            r#""managementEvent":true,"recipientAccountId":"{acct}","eventCategory":"Management"}}"#
        ),
        acct = ACCOUNT,
        key = key,
        t = time(secs),
        source = source,
        name = name,
        region = region,
        request = request,
        response = response,
        event_id = event_id,
    )
}

/// The leaked-key chain of the 2024 campaigns, starting at `t0`: who am I, a new role
/// `lambda-ex` with AdministratorAccess, a Lambda function running as it, GPU instances in
/// three regions, the trail stopped.
pub fn attack_chain(t0: i64, key: &str) -> Vec<String> {
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/lambda-ex");
    vec![
        attacker(
            t0,
            key,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            "us-east-1",
            "null",
            "null",
            "atk-01-whoami",
        ),
        attacker(
            t0 + 180,
            key,
            "iam.amazonaws.com",
            "CreateRole",
            "us-east-1",
            r#"{"roleName":"lambda-ex","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}"#,
            &format!(
                r#"{{"role":{{"path":"/","roleName":"lambda-ex","roleId":"AROAEXAMPLELAMBDAEX1","arn":"{role_arn}","createDate":"Jan 1, 2026 12:03:00 AM"}}}}"#
            ),
            "atk-02-createrole",
        ),
        attacker(
            t0 + 240,
            key,
            "iam.amazonaws.com",
            "AttachRolePolicy",
            "us-east-1",
            r#"{"roleName":"lambda-ex","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
            "null",
            "atk-03-attachadmin",
        ),
        attacker(
            t0 + 360,
            key,
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            "us-east-1",
            &format!(
                r#"{{"functionName":"env-scanner","runtime":"python3.12","role":"{role_arn}","handler":"index.handler"}}"#
            ),
            r#"{"functionName":"env-scanner","functionArn":"arn:aws:lambda:us-east-1:111122223333:function:env-scanner"}"#,
            "atk-04-createfunction",
        ),
        attacker(
            t0 + 600,
            key,
            "ec2.amazonaws.com",
            "RunInstances",
            "us-east-1",
            r#"{"instanceType":"p4d.24xlarge","instancesSet":{"items":[{"imageId":"ami-0abc","minCount":1,"maxCount":8}]}}"#,
            "null",
            "atk-05-run-use1",
        ),
        attacker(
            t0 + 660,
            key,
            "ec2.amazonaws.com",
            "RunInstances",
            "us-west-2",
            r#"{"instanceType":"p4d.24xlarge","instancesSet":{"items":[{"imageId":"ami-0abc","minCount":1,"maxCount":8}]}}"#,
            "null",
            "atk-06-run-usw2",
        ),
        attacker(
            t0 + 720,
            key,
            "ec2.amazonaws.com",
            "RunInstances",
            "eu-west-1",
            r#"{"instanceType":"p4d.24xlarge","instancesSet":{"items":[{"imageId":"ami-0abc","minCount":1,"maxCount":8}]}}"#,
            "null",
            "atk-07-run-euw1",
        ),
        attacker(
            t0 + 900,
            key,
            "cloudtrail.amazonaws.com",
            "StopLogging",
            "us-east-1",
            r#"{"name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}"#,
            "null",
            "atk-08-stoplogging",
        ),
    ]
}

/// Writes `records` as CloudTrail does: gzip files of `{"Records":[...]}` of `per_file`
/// records each, under `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`.
pub fn write_tree(root: &Path, records: &[String], per_file: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (n, chunk) in records.chunks(per_file.max(1)).enumerate() {
        let dir = root.join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/01/01"));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!(
            "{ACCOUNT}_CloudTrail_us-east-1_20260101T0000Z_{n:06}.json.gz"
        ));
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&p).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(b"{\"Records\":[").unwrap();
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                gz.write_all(b",").unwrap();
            }
            gz.write_all(r.as_bytes()).unwrap();
        }
        gz.write_all(b"]}").unwrap();
        gz.finish().unwrap();
        files.push(p);
    }
    files
}
