//! The account snapshot: every answer a check needs, and the folder layout it is saved in.
//!
//! A snapshot folder is a set of AWS CLI outputs, one file per command, named after it, so
//! that a user can make one by hand (`aws iam get-account-authorization-details >
//! iam-get-account-authorization-details.json`) and `keyward audit --save` writes the same:
//!
//! ```text
//! sts-get-caller-identity.json
//! iam-credential-report.csv                  (or iam-get-credential-report.json, base64 as the CLI prints it)
//! iam-get-account-authorization-details.json
//! iam-get-account-password-policy.json
//! iam-get-account-summary.json
//! organizations-describe-organization.json
//! organizations-describe-policy/<policy-id>.json
//! s3api-list-buckets.json
//! s3control-get-public-access-block.json          (the account's Block Public Access settings)
//! s3api-get-public-access-block/<bucket>.json
//! s3api-get-bucket-policy/<bucket>.json
//! s3api-get-bucket-acl/<bucket>.json
//! cloudfront-list-distributions.json
//! cloudfront-get-distribution-config/<distribution-id>.json
//! <region>/cloudtrail-describe-trails.json
//! <region>/cloudtrail-get-trail-status/<trail-name>.json
//! <region>/cloudtrail-get-event-selectors/<trail-name>.json
//! <region>/configservice-describe-configuration-recorders.json
//! <region>/configservice-describe-configuration-recorder-status.json
//! <region>/guardduty-list-detectors.json
//! <region>/guardduty-get-detector/<detector-id>.json
//! <region>/securityhub-get-enabled-standards.json
//! <region>/accessanalyzer-list-analyzers.json
//! <region>/lambda-list-functions.json
//! <region>/lambda-get-policy/<function-name>.json
//! <region>/ecs-list-task-definitions.json
//! <region>/ecs-describe-task-definition/<family>_<revision>.json
//! <region>/ssm-get-parameters-by-path.json
//! <region>/ec2-describe-security-groups.json
//! <region>/ec2-describe-snapshots.json
//! <region>/ec2-describe-snapshot-attribute/<snapshot-id>.json
//! <region>/ec2-describe-network-acls.json
//! <region>/ecs-list-clusters.json
//! <region>/ecs-describe-services/<cluster-name>.json
//! <region>/ssm-list-documents.json
//! <region>/ssm-describe-document-permission/<document-name>.json
//! <region>/rds-describe-db-instances.json
//! <region>/rds-describe-db-snapshots.json
//! <region>/rds-describe-db-snapshot-attributes/<snapshot-id>.json
//! <region>/redshift-describe-clusters.json
//! <region>/codebuild-batch-get-projects.json
//! <region>/elasticbeanstalk-describe-environments.json
//! <region>/elasticbeanstalk-describe-configuration-settings/<application>_<environment>.json
//! ```
//!
//! Files in a folder are named by the resource (characters other than letters, digits and
//! `-_.` become `_`, see [`file_key`]). The command behind each file is in the documentation of
//! its type in [`crate::model`]. A list file (`s3api-list-buckets.json`,
//! `ec2-describe-snapshots.json`...) says which resources exist, so a resource whose own file is
//! absent is reported as not evaluated rather than skipped.
//!
//! A call that failed is saved as `<name>.error.json`, `{"Error": {"Code": ..., "Message":
//! ...}}`, so that an offline run reports the same gaps as the live one. A file that is absent
//! was not collected. Checks see each answer as an [`Answer`]: present, failed (with the code
//! and message), or missing; never a silent default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::*;

/// What AWS said to one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Answer<T> {
    Ok(T),
    /// The call failed (or its saved output could not be read): AWS's error code and message.
    Failed(ApiError),
    /// Not asked (not collected, or the file is not in the folder).
    #[default]
    Missing,
}

impl<T> Answer<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Answer::Ok(t) => Some(t),
            _ => None,
        }
    }

    /// The error code, when the call failed.
    pub fn code(&self) -> Option<&str> {
        match self {
            Answer::Failed(e) => Some(&e.code),
            _ => None,
        }
    }

    /// Why the answer is not there, for a "not evaluated" result; `None` when it is there.
    pub fn gap(&self, what: &str) -> Option<String> {
        match self {
            Answer::Ok(_) => None,
            Answer::Failed(e) => Some(format!("{what}: {}: {}", e.code, e.message)),
            Answer::Missing => Some(format!("{what}: not collected")),
        }
    }
}

/// An AWS error, as the CLI prints it (`{"Error": {"Code": ..., "Message": ...}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiError {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorFile {
    error: ApiError,
}

/// The error code a malformed saved file is reported with.
pub const MALFORMED: &str = "MalformedFile";

/// Everything collected from one account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub caller: Answer<CallerIdentity>,
    pub credential_report: Answer<Vec<CredentialRow>>,
    pub authorization: Answer<AuthorizationDetails>,
    pub password_policy: Answer<GetPasswordPolicy>,
    pub account_summary: Answer<AccountSummary>,
    pub organization: Answer<DescribeOrganization>,
    pub service_control_policies: BTreeMap<String, Answer<DescribePolicy>>,
    pub s3_buckets: Answer<ListBuckets>,
    /// The account-level Block Public Access settings (S3 Control).
    pub s3_account_public_access_block: Answer<PublicAccessBlock>,
    /// Bucket name → its Block Public Access settings.
    pub s3_public_access_blocks: BTreeMap<String, Answer<PublicAccessBlock>>,
    pub s3_bucket_policies: BTreeMap<String, Answer<BucketPolicy>>,
    pub s3_bucket_acls: BTreeMap<String, Answer<BucketAcl>>,
    pub cloudfront_distributions: Answer<ListDistributions>,
    /// Distribution id → its configuration.
    pub cloudfront_distribution_configs: BTreeMap<String, Answer<GetDistributionConfig>>,
    pub regions: BTreeMap<String, RegionSnapshot>,
}

/// What is collected in each region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionSnapshot {
    pub trails: Answer<DescribeTrails>,
    pub trail_status: BTreeMap<String, Answer<TrailStatus>>,
    pub event_selectors: BTreeMap<String, Answer<EventSelectors>>,
    pub config_recorders: Answer<ConfigurationRecorders>,
    pub config_recorder_status: Answer<ConfigurationRecordersStatus>,
    pub guardduty_detectors: Answer<ListDetectors>,
    pub guardduty_detector: BTreeMap<String, Answer<Detector>>,
    pub securityhub_standards: Answer<EnabledStandards>,
    pub analyzers: Answer<ListAnalyzers>,
    pub lambda_functions: Answer<ListFunctions>,
    pub lambda_policies: BTreeMap<String, Answer<FunctionPolicy>>,
    pub ecs_task_definition_list: Answer<ListTaskDefinitions>,
    pub ecs_task_definitions: BTreeMap<String, Answer<DescribeTaskDefinition>>,
    pub ssm_parameters: Answer<Parameters>,
    pub security_groups: Answer<SecurityGroups>,
    pub ebs_snapshots: Answer<DescribeSnapshots>,
    /// Snapshot id → who may create volumes from it.
    pub ebs_snapshot_permissions: BTreeMap<String, Answer<SnapshotAttribute>>,
    pub network_acls: Answer<NetworkAcls>,
    pub ecs_clusters: Answer<ListClusters>,
    /// Cluster name → its services.
    pub ecs_services: BTreeMap<String, Answer<DescribeServices>>,
    pub ssm_documents: Answer<ListDocuments>,
    /// Document name → the accounts it is shared with.
    pub ssm_document_permissions: BTreeMap<String, Answer<DocumentPermission>>,
    pub rds_instances: Answer<DbInstances>,
    pub rds_snapshots: Answer<DbSnapshots>,
    /// Snapshot id → its attributes (who may restore it).
    pub rds_snapshot_attributes: BTreeMap<String, Answer<DbSnapshotAttributes>>,
    pub redshift_clusters: Answer<RedshiftClusters>,
    pub codebuild_projects: Answer<CodeBuildProjects>,
    pub beanstalk_environments: Answer<BeanstalkEnvironments>,
    /// `<application>_<environment>` → the environment's configuration settings.
    pub beanstalk_settings: BTreeMap<String, Answer<ConfigurationSettings>>,
}

/// A file of the folder that could not be read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
}

/// The files of a snapshot folder: relative path (with `/`) → content.
pub type Files = BTreeMap<String, Vec<u8>>;

const CREDENTIAL_CSV: &str = "iam-credential-report.csv";
const CREDENTIAL_JSON: &str = "iam-get-credential-report.json";

/// The two directions a snapshot travels: from files, to files. One layout serves both.
trait Layout {
    fn one<T: Serialize + DeserializeOwned>(&mut self, path: &str, a: &mut Answer<T>);
    fn each<T: Serialize + DeserializeOwned>(
        &mut self,
        dir: &str,
        m: &mut BTreeMap<String, Answer<T>>,
    );
}

impl Snapshot {
    fn layout(&mut self, l: &mut impl Layout) {
        l.one("sts-get-caller-identity.json", &mut self.caller);
        l.one(
            "iam-get-account-authorization-details.json",
            &mut self.authorization,
        );
        l.one(
            "iam-get-account-password-policy.json",
            &mut self.password_policy,
        );
        l.one("iam-get-account-summary.json", &mut self.account_summary);
        l.one(
            "organizations-describe-organization.json",
            &mut self.organization,
        );
        l.each(
            "organizations-describe-policy",
            &mut self.service_control_policies,
        );
        l.one("s3api-list-buckets.json", &mut self.s3_buckets);
        l.one(
            "s3control-get-public-access-block.json",
            &mut self.s3_account_public_access_block,
        );
        l.each(
            "s3api-get-public-access-block",
            &mut self.s3_public_access_blocks,
        );
        l.each("s3api-get-bucket-policy", &mut self.s3_bucket_policies);
        l.each("s3api-get-bucket-acl", &mut self.s3_bucket_acls);
        l.one(
            "cloudfront-list-distributions.json",
            &mut self.cloudfront_distributions,
        );
        l.each(
            "cloudfront-get-distribution-config",
            &mut self.cloudfront_distribution_configs,
        );
    }

    /// Reads a snapshot from its files. Files that cannot be read become failed answers
    /// (code [`MALFORMED`]) and are listed; files the layout does not know are ignored.
    pub fn from_files(files: &Files) -> (Snapshot, Vec<FileProblem>) {
        let mut snap = Snapshot::default();
        let mut reader = Reader {
            files,
            prefix: String::new(),
            problems: Vec::new(),
        };
        snap.layout(&mut reader);
        snap.credential_report = read_credential_report(files, &mut reader.problems);
        let regions: Vec<String> = files
            .keys()
            .filter_map(|k| k.split_once('/').map(|(r, _)| r.to_string()))
            .filter(|r| is_region(r))
            .collect();
        for r in regions {
            if snap.regions.contains_key(&r) {
                continue;
            }
            let mut reg = RegionSnapshot::default();
            reader.prefix = format!("{r}/");
            reg.layout(&mut reader);
            snap.regions.insert(r, reg);
        }
        (snap, reader.problems)
    }

    /// The snapshot as the files of its folder (`None` answers write nothing).
    pub fn to_files(&self) -> Files {
        let mut snap = self.clone();
        let mut w = Writer {
            files: Files::new(),
            prefix: String::new(),
        };
        snap.layout(&mut w);
        match &self.credential_report {
            Answer::Ok(rows) => {
                w.files
                    .insert(CREDENTIAL_CSV.into(), credential_csv(rows).into_bytes());
            }
            Answer::Failed(e) => w.put_error(CREDENTIAL_CSV, e),
            Answer::Missing => {}
        }
        for (r, reg) in &mut snap.regions {
            w.prefix = format!("{r}/");
            reg.layout(&mut w);
        }
        w.files
    }

    /// Reads a snapshot folder.
    pub fn load(dir: &Path) -> std::io::Result<(Snapshot, Vec<FileProblem>)> {
        let mut files = Files::new();
        let mut problems = Vec::new();
        read_tree(dir, dir, 0, &mut files, &mut problems)?;
        let (snap, more) = Snapshot::from_files(&files);
        problems.extend(more);
        Ok((snap, problems))
    }

    /// Writes the snapshot folder (created if needed; files of the same names are replaced).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, bytes) in self.to_files() {
            let path = dir.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }

    /// The account id, from the caller identity or the credential report's root ARN.
    pub fn account_id(&self) -> Option<String> {
        if let Some(a) = self.caller.ok().and_then(|c| c.account.clone()) {
            return Some(a);
        }
        let rows = self.credential_report.ok()?;
        rows.iter()
            .find_map(|r| r.arn.split(':').nth(4).filter(|a| !a.is_empty()))
            .map(str::to_string)
    }
}

impl RegionSnapshot {
    fn layout(&mut self, l: &mut impl Layout) {
        l.one("cloudtrail-describe-trails.json", &mut self.trails);
        l.each("cloudtrail-get-trail-status", &mut self.trail_status);
        l.each("cloudtrail-get-event-selectors", &mut self.event_selectors);
        l.one(
            "configservice-describe-configuration-recorders.json",
            &mut self.config_recorders,
        );
        l.one(
            "configservice-describe-configuration-recorder-status.json",
            &mut self.config_recorder_status,
        );
        l.one(
            "guardduty-list-detectors.json",
            &mut self.guardduty_detectors,
        );
        l.each("guardduty-get-detector", &mut self.guardduty_detector);
        l.one(
            "securityhub-get-enabled-standards.json",
            &mut self.securityhub_standards,
        );
        l.one("accessanalyzer-list-analyzers.json", &mut self.analyzers);
        l.one("lambda-list-functions.json", &mut self.lambda_functions);
        l.each("lambda-get-policy", &mut self.lambda_policies);
        l.one(
            "ecs-list-task-definitions.json",
            &mut self.ecs_task_definition_list,
        );
        l.each(
            "ecs-describe-task-definition",
            &mut self.ecs_task_definitions,
        );
        l.one("ssm-get-parameters-by-path.json", &mut self.ssm_parameters);
        l.one(
            "ec2-describe-security-groups.json",
            &mut self.security_groups,
        );
        l.one("ec2-describe-snapshots.json", &mut self.ebs_snapshots);
        l.each(
            "ec2-describe-snapshot-attribute",
            &mut self.ebs_snapshot_permissions,
        );
        l.one("ec2-describe-network-acls.json", &mut self.network_acls);
        l.one("ecs-list-clusters.json", &mut self.ecs_clusters);
        l.each("ecs-describe-services", &mut self.ecs_services);
        l.one("ssm-list-documents.json", &mut self.ssm_documents);
        l.each(
            "ssm-describe-document-permission",
            &mut self.ssm_document_permissions,
        );
        l.one("rds-describe-db-instances.json", &mut self.rds_instances);
        l.one("rds-describe-db-snapshots.json", &mut self.rds_snapshots);
        l.each(
            "rds-describe-db-snapshot-attributes",
            &mut self.rds_snapshot_attributes,
        );
        l.one(
            "redshift-describe-clusters.json",
            &mut self.redshift_clusters,
        );
        l.one(
            "codebuild-batch-get-projects.json",
            &mut self.codebuild_projects,
        );
        l.one(
            "elasticbeanstalk-describe-environments.json",
            &mut self.beanstalk_environments,
        );
        l.each(
            "elasticbeanstalk-describe-configuration-settings",
            &mut self.beanstalk_settings,
        );
    }
}

/// `us-east-1`, `ap-northeast-1`, `us-gov-west-1`, `cn-north-1`...: lowercase words and digits
/// joined by dashes, ending in a number.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The file-name form of a resource key: `family:3` → `family_3`; keys AWS allows in names
/// (letters, digits, `-_.`) pass unchanged.
pub fn file_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct Reader<'a> {
    files: &'a Files,
    prefix: String,
    problems: Vec<FileProblem>,
}

impl Reader<'_> {
    fn parse<T: DeserializeOwned>(&mut self, path: &str) -> Answer<T> {
        if let Some(bytes) = self.files.get(path) {
            return match serde_json::from_slice::<T>(bytes) {
                Ok(t) => Answer::Ok(t),
                Err(e) => self.malformed(path, e.to_string()),
            };
        }
        let err_path = error_path(path);
        if let Some(bytes) = self.files.get(&err_path) {
            return match serde_json::from_slice::<ErrorFile>(bytes) {
                Ok(f) => Answer::Failed(f.error),
                Err(e) => self.malformed(&err_path, e.to_string()),
            };
        }
        Answer::Missing
    }

    fn malformed<T>(&mut self, path: &str, reason: String) -> Answer<T> {
        self.problems.push(FileProblem {
            path: path.to_string(),
            reason: reason.clone(),
        });
        Answer::Failed(ApiError {
            code: MALFORMED.into(),
            message: format!("{path}: {reason}"),
        })
    }
}

fn error_path(path: &str) -> String {
    format!("{}.error.json", path.trim_end_matches(".json"))
}

impl Layout for Reader<'_> {
    fn one<T: Serialize + DeserializeOwned>(&mut self, path: &str, a: &mut Answer<T>) {
        let full = format!("{}{path}", self.prefix);
        *a = self.parse(&full);
    }

    fn each<T: Serialize + DeserializeOwned>(
        &mut self,
        dir: &str,
        m: &mut BTreeMap<String, Answer<T>>,
    ) {
        let start = format!("{}{dir}/", self.prefix);
        let keys: Vec<String> = self
            .files
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .filter_map(|(k, _)| {
                let name = &k[start.len()..];
                let stem = name
                    .strip_suffix(".error.json")
                    .or_else(|| name.strip_suffix(".json"))?;
                (!stem.contains('/')).then(|| stem.to_string())
            })
            .collect();
        for key in keys {
            if m.contains_key(&key) {
                continue;
            }
            let a = self.parse(&format!("{start}{key}.json"));
            m.insert(key, a);
        }
    }
}

struct Writer {
    files: Files,
    prefix: String,
}

impl Writer {
    fn put_error(&mut self, path: &str, e: &ApiError) {
        let body = ErrorFile { error: e.clone() };
        if let Ok(bytes) = serde_json::to_vec_pretty(&body) {
            self.files
                .insert(format!("{}{}", self.prefix, error_path(path)), bytes);
        }
    }

    fn put<T: Serialize>(&mut self, path: &str, a: &Answer<T>) {
        match a {
            Answer::Ok(t) => {
                if let Ok(mut v) = serde_json::to_value(t) {
                    strip_nulls(&mut v);
                    if let Ok(bytes) = serde_json::to_vec_pretty(&v) {
                        self.files.insert(format!("{}{path}", self.prefix), bytes);
                    }
                }
            }
            Answer::Failed(e) => self.put_error(path, e),
            Answer::Missing => {}
        }
    }
}

impl Layout for Writer {
    fn one<T: Serialize + DeserializeOwned>(&mut self, path: &str, a: &mut Answer<T>) {
        self.put(path, a);
    }

    fn each<T: Serialize + DeserializeOwned>(
        &mut self,
        dir: &str,
        m: &mut BTreeMap<String, Answer<T>>,
    ) {
        for (k, a) in m.iter() {
            self.put(&format!("{dir}/{}.json", file_key(k)), a);
        }
    }
}

/// `null`s say nothing in the CLI's output either; leaving them out keeps saved files as the
/// CLI would print them.
fn strip_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            o.retain(|_, x| !x.is_null());
            o.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn read_credential_report(
    files: &Files,
    problems: &mut Vec<FileProblem>,
) -> Answer<Vec<CredentialRow>> {
    let mut fail = |path: &str, reason: String| {
        problems.push(FileProblem {
            path: path.into(),
            reason: reason.clone(),
        });
        Answer::Failed(ApiError {
            code: MALFORMED.into(),
            message: format!("{path}: {reason}"),
        })
    };
    let csv_bytes: Vec<u8> = if let Some(b) = files.get(CREDENTIAL_CSV) {
        b.clone()
    } else if let Some(b) = files.get(CREDENTIAL_JSON) {
        let parsed: GetCredentialReport = match serde_json::from_slice(b) {
            Ok(p) => p,
            Err(e) => return fail(CREDENTIAL_JSON, e.to_string()),
        };
        let content = parsed.content.trim().as_bytes().to_vec();
        match data_encoding::BASE64.decode(&content) {
            Ok(d) => d,
            // The CLI's `--output json` prints the blob base64; someone may have decoded it.
            Err(_) => content,
        }
    } else {
        for p in [CREDENTIAL_CSV, CREDENTIAL_JSON] {
            if let Some(b) = files.get(&error_path(p)) {
                return match serde_json::from_slice::<ErrorFile>(b) {
                    Ok(f) => Answer::Failed(f.error),
                    Err(e) => fail(&error_path(p), e.to_string()),
                };
            }
        }
        // The CSV has no error-file form of its own name; accept the JSON one for both.
        return Answer::Missing;
    };
    match parse_credential_csv(&csv_bytes) {
        Ok(rows) => Answer::Ok(rows),
        Err(e) => fail(
            if files.contains_key(CREDENTIAL_CSV) {
                CREDENTIAL_CSV
            } else {
                CREDENTIAL_JSON
            },
            e,
        ),
    }
}

/// Parses the credential report CSV. Columns are matched by header, so that a report with
/// more or fewer columns than today's still reads.
pub fn parse_credential_csv(bytes: &[u8]) -> Result<Vec<CredentialRow>, String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    if !headers.iter().any(|h| h == "user") || !headers.iter().any(|h| h == "arn") {
        return Err("not a credential report: no `user` and `arn` columns".into());
    }
    let mut rows = Vec::new();
    for (i, rec) in rdr.deserialize::<CredentialRow>().enumerate() {
        rows.push(rec.map_err(|e| format!("row {}: {e}", i + 2))?);
    }
    Ok(rows)
}

/// The credential report's columns, in AWS's order (the order of [`CredentialRow`]'s fields).
pub const CREDENTIAL_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The credential report CSV, in AWS's column order.
pub fn credential_csv(rows: &[CredentialRow]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    if rows.is_empty() {
        // The header alone: an empty report is still a report (moto's have no root row).
        let _ = w.write_record(CREDENTIAL_COLUMNS);
    }
    for r in rows {
        // A failed write into a Vec cannot happen; skip the row rather than panic.
        let _ = w.serialize(r);
    }
    w.into_inner()
        .ok()
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default()
}

const MAX_DEPTH: usize = 3;

fn read_tree(
    root: &Path,
    dir: &Path,
    depth: usize,
    files: &mut Files,
    problems: &mut Vec<FileProblem>,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if depth == 0 => return Err(e),
        Err(e) => {
            problems.push(FileProblem {
                path: dir.display().to_string(),
                reason: e.to_string(),
            });
            return Ok(());
        }
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if depth + 1 < MAX_DEPTH {
                read_tree(root, &path, depth + 1, files, problems)?;
            }
            continue;
        }
        let rel = match path.strip_prefix(root) {
            Ok(r) => r
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => continue,
        };
        if !(rel.ends_with(".json") || rel.ends_with(".csv")) {
            continue;
        }
        match std::fs::read(&path) {
            Ok(b) => {
                files.insert(rel, b);
            }
            Err(e) => problems.push(FileProblem {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Files {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    const CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,false,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

    #[test]
    fn answers_round_trip_through_files() {
        let f = files(&[
            ("iam-credential-report.csv", CSV),
            (
                "iam-get-account-password-policy.error.json",
                r#"{"Error":{"Code":"NoSuchEntity","Message":"The Password Policy with domain name 123456789012 cannot be found."}}"#,
            ),
            (
                "us-east-1/cloudtrail-describe-trails.json",
                r#"{"trailList":[{"Name":"main","IsMultiRegionTrail":true}]}"#,
            ),
            (
                "us-east-1/cloudtrail-get-trail-status/main.json",
                r#"{"IsLogging":true}"#,
            ),
            (
                "ap-northeast-1/guardduty-list-detectors.json",
                r#"{"DetectorIds":[]}"#,
            ),
            (
                "s3api-get-bucket-policy/acme-logs.example.json",
                r#"{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#,
            ),
            (
                "s3api-get-public-access-block/acme-logs.example.error.json",
                r#"{"Error":{"Code":"NoSuchPublicAccessBlockConfiguration","Message":"The public access block configuration was not found"}}"#,
            ),
            (
                "ap-northeast-1/rds-describe-db-instances.json",
                r#"{"DBInstances":[{"DBInstanceIdentifier":"orders","PubliclyAccessible":false,"DBSubnetGroup":{"VpcId":"vpc-0f1e2d3c4b5a69788"}}]}"#,
            ),
            ("notes/readme.json", "{}"),
        ]);
        let (snap, problems) = Snapshot::from_files(&f);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(snap.account_id().as_deref(), Some("123456789012"));
        assert_eq!(snap.password_policy.code(), Some("NoSuchEntity"));
        assert_eq!(snap.regions.len(), 2);
        let us = &snap.regions["us-east-1"];
        assert_eq!(
            us.trail_status["main"].ok().and_then(|s| s.is_logging),
            Some(true)
        );
        assert_eq!(us.analyzers, Answer::Missing);
        assert!(snap.s3_bucket_policies["acme-logs.example"]
            .ok()
            .and_then(|p| p.policy.as_deref())
            .is_some_and(|p| p.contains("2012-10-17")));
        assert_eq!(
            snap.s3_public_access_blocks["acme-logs.example"].code(),
            Some("NoSuchPublicAccessBlockConfiguration")
        );
        let tokyo = &snap.regions["ap-northeast-1"];
        assert_eq!(
            tokyo
                .rds_instances
                .ok()
                .map(|r| r.db_instances[0].publicly_accessible),
            Some(Some(false))
        );
        let (again, p2) = Snapshot::from_files(&snap.to_files());
        assert!(p2.is_empty());
        assert_eq!(snap, again);
    }

    #[test]
    fn malformed_files_are_failed_answers_and_listed() {
        let f = files(&[
            (
                "iam-get-account-authorization-details.json",
                r#"{"UserDetailList": [{"UserName": "a""#,
            ),
            ("iam-credential-report.csv", "not,a,report\n1,2,3\n"),
        ]);
        let (snap, problems) = Snapshot::from_files(&f);
        assert_eq!(problems.len(), 2);
        assert_eq!(snap.authorization.code(), Some(MALFORMED));
        assert_eq!(snap.credential_report.code(), Some(MALFORMED));
        assert!(snap
            .authorization
            .gap("authorization details")
            .is_some_and(|g| g.contains("iam-get-account-authorization-details.json")));
    }

    #[test]
    fn cli_credential_report_json_is_decoded() {
        let b64 = data_encoding::BASE64.encode(CSV.as_bytes());
        let f = files(&[(
            "iam-get-credential-report.json",
            &format!(r#"{{"Content":"{b64}","ReportFormat":"text/csv"}}"#),
        )]);
        let (snap, _) = Snapshot::from_files(&f);
        assert_eq!(snap.credential_report.ok().map(Vec::len), Some(1));
    }

    #[test]
    fn an_empty_report_round_trips() {
        let csv = credential_csv(&[]);
        assert_eq!(csv.lines().next().map(|h| h.split(',').count()), Some(22));
        assert_eq!(parse_credential_csv(csv.as_bytes()), Ok(vec![]));
        let one = parse_credential_csv(CSV.as_bytes()).unwrap_or_default();
        assert_eq!(credential_csv(&one).lines().next(), CSV.lines().next());
    }

    #[test]
    fn regions_are_told_from_other_folders() {
        assert!(is_region("us-east-1"));
        assert!(is_region("ap-northeast-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("notes"));
        assert!(!is_region("organizations-describe-policy"));
        assert_eq!(file_key("web:12"), "web_12");
    }
}
