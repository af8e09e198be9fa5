//! `keyward audit`'s collector against a real AWS API server (moto on loopback, started by
//! `scripts/test`): an account is seeded through the SDK, collected, and every seeded thing
//! must show up in the snapshot; APIs moto does not serve must come back as failed answers.
//!
//! moto keeps one state for every test of the run (and for the other test binaries sharing the
//! server), so each test works in an account of its own: STS AssumeRole on moto hands out
//! credentials for whatever account the role ARN names, and every service then keys its state
//! by that account.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use keyward_audit::snapshot::{Answer, Snapshot};
use keyward_aws::{collect_snapshot, CollectOptions};

/// The moto endpoint `scripts/test` started. Where the script demanded moto
/// (`KEYWARD_REQUIRE_MOTO=1`), its absence is a failure, not a skip.
fn moto() -> Option<String> {
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

/// A 12-digit account id no other test uses.
fn new_account_id() -> String {
    let n = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{:012}", n % 1_000_000_000_000)
}

/// Credentials for a fresh, empty moto account, and that account's id.
async fn fresh_account(endpoint: &str) -> (SdkConfig, String) {
    let base = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    let account = new_account_id();
    let out = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/keyward-test"))
        .role_session_name("keyward-test")
        .send()
        .await
        .expect("moto sts assume-role");
    let c = out.credentials.expect("assumed-role credentials");
    let creds = Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        "moto-assumed-role",
    );
    let conf = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build();
    (conf, account)
}

fn in_region(conf: &SdkConfig, region: &str) -> SdkConfig {
    conf.to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// Collects with a progress callback that records every label.
async fn collect(conf: &SdkConfig, regions: &[&str]) -> (Snapshot, Vec<String>) {
    let labels = Mutex::new(Vec::new());
    let progress = |l: &str| {
        if let Ok(mut v) = labels.lock() {
            v.push(l.to_string());
        }
    };
    let opts = CollectOptions {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        concurrency: 4,
    };
    let snap = collect_snapshot(conf, &opts, &progress).await;
    let labels = labels.into_inner().unwrap_or_default();
    (snap, labels)
}

/// Saved and read back, a snapshot must be the same snapshot: `keyward audit --save` then an
/// offline run must judge the same answers.
fn assert_round_trips(snap: &Snapshot) {
    let (again, problems) = Snapshot::from_files(&snap.to_files());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(&again, snap);
}

// --- seeding, through the SDK ---------------------------------------------------------

const TRUST_LAMBDA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const READ_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
const SCP_TAGS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","iam:CreateRole"],"Resource":"*","Condition":{"Null":{"aws:RequestTag/owner":"true"}}}]}"#;

/// A user with a key and a console password, in a group with an inline and a customer managed
/// policy (`*` on `*`), a role `lambda-ex` holding AdministratorAccess, and a password policy.
async fn seed_iam(conf: &SdkConfig) {
    let iam = aws_sdk_iam::Client::new(conf);
    iam.create_user()
        .user_name("alice")
        .send()
        .await
        .expect("create-user");
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .expect("create-access-key");
    iam.create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-9")
        .send()
        .await
        .expect("create-login-profile");
    iam.create_group()
        .group_name("devs")
        .send()
        .await
        .expect("create-group");
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .expect("add-user-to-group");
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("read-reports")
        .policy_document(READ_S3)
        .send()
        .await
        .expect("put-group-policy");
    let policy = iam
        .create_policy()
        .policy_name("allow-all")
        .policy_document(ALLOW_ALL)
        .send()
        .await
        .expect("create-policy");
    let policy_arn = policy.policy.and_then(|p| p.arn).expect("policy arn");
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn(policy_arn)
        .send()
        .await
        .expect("attach-group-policy");
    iam.create_role()
        .role_name("lambda-ex")
        .assume_role_policy_document(TRUST_LAMBDA)
        .send()
        .await
        .expect("create-role");
    iam.attach_role_policy()
        .role_name("lambda-ex")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach-role-policy");
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .send()
        .await
        .expect("update-account-password-policy");
}

/// Creates the S3 bucket a trail writes to, in the account of `conf`.
async fn create_bucket(conf: &SdkConfig, bucket: &str) {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&in_region(conf, "us-east-1"))
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("create bucket");
}

/// A multi-Region trail homed in us-east-1, logging.
async fn seed_trail(conf: &SdkConfig, account: &str) {
    let bucket = format!("trail-logs-{account}");
    create_bucket(conf, &bucket).await;
    let ct = aws_sdk_cloudtrail::Client::new(&in_region(conf, "us-east-1"));
    ct.create_trail()
        .name("main-trail")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("create-trail");
    ct.start_logging()
        .name("main-trail")
        .send()
        .await
        .expect("start-logging");
}

async fn seed_services(conf: &SdkConfig, account: &str) {
    let conf = in_region(conf, "us-east-1");
    aws_sdk_guardduty::Client::new(&conf)
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("guardduty create-detector");

    use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};
    aws_sdk_config::Client::new(&conf)
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{account}:role/config-role"))
                .recording_group(
                    RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("config put-configuration-recorder");
}

/// The smallest valid zip archive (an end-of-central-directory record and nothing else):
/// moto stores the code without running it.
fn empty_zip() -> Vec<u8> {
    let mut z = b"PK\x05\x06".to_vec();
    z.extend([0u8; 18]);
    z
}

async fn seed_workloads(conf: &SdkConfig, account: &str) {
    let conf = in_region(conf, "us-east-1");
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
    let lambda = aws_sdk_lambda::Client::new(&conf);
    lambda
        .create_function()
        .function_name("kw-fn")
        .runtime(Runtime::Python312)
        .handler("index.handler")
        .role(format!("arn:aws:iam::{account}:role/lambda-ex"))
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(empty_zip()))
                .build(),
        )
        .environment(
            Environment::builder()
                .variables("DB_HOST", "db.internal")
                .variables("STAGE", "prod")
                .build(),
        )
        .send()
        .await
        .expect("lambda create-function");
    lambda
        .add_permission()
        .function_name("kw-fn")
        .statement_id("public-invoke")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await
        .expect("lambda add-permission");

    use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair};
    aws_sdk_ecs::Client::new(&conf)
        .register_task_definition()
        .family("kw-web")
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image("nginx:1.27")
                .memory(256)
                .privileged(true)
                .environment(
                    KeyValuePair::builder()
                        .name("LOG_LEVEL")
                        .value("debug")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("ecs register-task-definition");

    aws_sdk_ssm::Client::new(&conf)
        .put_parameter()
        .name("/kw/db/url")
        .value("postgres://db.internal:5432/app")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .expect("ssm put-parameter");
}

// --- tests ----------------------------------------------------------------------------

#[tokio::test]
async fn collects_what_was_seeded() {
    let Some(endpoint) = moto() else { return };
    let (conf, account) = fresh_account(&endpoint).await;
    seed_iam(&conf).await;
    seed_trail(&conf, &account).await;
    seed_services(&conf, &account).await;
    seed_workloads(&conf, &account).await;

    let (snap, labels) = collect(&conf, &["us-east-1", "eu-west-1"]).await;

    assert!(
        labels.iter().any(|l| l == "sts get-caller-identity"),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l == "us-east-1 lambda get-policy"),
        "{labels:?}"
    );
    let caller = snap.caller.ok().expect("caller identity");
    assert_eq!(caller.account.as_deref(), Some(account.as_str()));
    assert_eq!(snap.account_id().as_deref(), Some(account.as_str()));

    // Credential report: the user, her password and her key.
    let rows = snap.credential_report.ok().expect("credential report");
    let alice = rows
        .iter()
        .find(|r| r.user == "alice")
        .expect("alice in the report");
    assert_eq!(alice.password_enabled, "true");
    assert_eq!(alice.access_key_1_active, "true");

    // Authorization details: users, groups, roles and policies, with readable documents.
    let auth = snap.authorization.ok().expect("authorization details");
    let user = auth
        .user_detail_list
        .iter()
        .find(|u| u.user_name == "alice")
        .expect("alice");
    assert_eq!(user.group_list, vec!["devs".to_string()]);
    let group = auth
        .group_detail_list
        .iter()
        .find(|g| g.group_name == "devs")
        .expect("devs");
    assert_eq!(group.group_policy_list.len(), 1);
    assert_eq!(group.group_policy_list[0].policy_name, "read-reports");
    assert!(!group.group_policy_list[0]
        .policy_document
        .grants("s3:GetObject", "arn:aws:s3:::reports/q1.csv")
        .is_empty());
    assert!(group
        .attached_managed_policies
        .iter()
        .any(|p| p.policy_name == "allow-all"));
    let role = auth
        .role_detail_list
        .iter()
        .find(|r| r.role_name == "lambda-ex")
        .expect("lambda-ex");
    assert!(role
        .attached_managed_policies
        .iter()
        .any(|p| p.policy_arn == "arn:aws:iam::aws:policy/AdministratorAccess"));
    let trust = role
        .assume_role_policy_document
        .as_ref()
        .expect("trust policy");
    assert_eq!(
        trust.raw()["Statement"][0]["Principal"]["Service"],
        "lambda.amazonaws.com"
    );
    assert!(role
        .create_date
        .as_deref()
        .is_some_and(|d| d.ends_with('Z')));
    let allow_all = auth
        .policies
        .iter()
        .find(|p| p.policy_name == "allow-all")
        .expect("customer managed policy");
    assert!(!allow_all.is_aws_managed());
    let doc = allow_all.default_document().expect("default version");
    assert_eq!(doc.full_admin_statements().len(), 1);
    let admin = auth
        .policies
        .iter()
        .find(|p| p.arn == "arn:aws:iam::aws:policy/AdministratorAccess")
        .expect("AdministratorAccess, attached to lambda-ex");
    assert!(admin
        .default_document()
        .is_some_and(|d| !d.full_admin_statements().is_empty()));

    let pp = snap.password_policy.ok().expect("password policy");
    assert_eq!(pp.password_policy.minimum_password_length, Some(14));
    assert_eq!(pp.password_policy.require_symbols, Some(true));
    let summary = snap.account_summary.ok().expect("account summary");
    assert!(summary.summary_map.get("Users").is_some_and(|n| *n >= 1));
    assert!(summary.summary_map.contains_key("AccountMFAEnabled"));

    // A fresh account belongs to no organization.
    assert_eq!(
        snap.organization.code(),
        Some("AWSOrganizationsNotInUseException")
    );
    assert!(snap.service_control_policies.is_empty());

    let regions: BTreeSet<&str> = snap.regions.keys().map(String::as_str).collect();
    assert_eq!(regions, BTreeSet::from(["eu-west-1", "us-east-1"]));
    let us = &snap.regions["us-east-1"];
    let eu = &snap.regions["eu-west-1"];

    // CloudTrail: the trail is seen in both regions, and asked about in its home only.
    let trail = us.trails.ok().expect("us-east-1 trails");
    assert!(trail
        .trail_list
        .iter()
        .any(|t| t.name == "main-trail" && t.is_multi_region_trail == Some(true)));
    assert_eq!(
        us.trail_status["main-trail"]
            .ok()
            .and_then(|s| s.is_logging),
        Some(true)
    );
    assert!(us.event_selectors["main-trail"].ok().is_some());
    let shadow = eu.trails.ok().expect("eu-west-1 trails");
    assert!(shadow
        .trail_list
        .iter()
        .any(|t| t.name == "main-trail" && t.home_region.as_deref() == Some("us-east-1")));
    assert!(eu.trail_status.is_empty());

    // Config, GuardDuty.
    let recorders = us.config_recorders.ok().expect("config recorders");
    let rec = &recorders.configuration_recorders;
    assert!(rec.iter().any(|r| r.name == "default"
        && r.recording_group.as_ref().and_then(|g| g.all_supported) == Some(true)));
    let status = us.config_recorder_status.ok().expect("recorder status");
    assert!(status
        .configuration_recorders_status
        .iter()
        .any(|s| s.name == "default"));
    assert_eq!(
        eu.config_recorders
            .ok()
            .map(|r| r.configuration_recorders.len()),
        Some(0)
    );
    let detectors = us.guardduty_detectors.ok().expect("guardduty detectors");
    assert_eq!(detectors.detector_ids.len(), 1);
    let detector = &us.guardduty_detector[&detectors.detector_ids[0]];
    assert_eq!(
        detector.ok().and_then(|d| d.status.as_deref()),
        Some("ENABLED")
    );
    assert_eq!(
        eu.guardduty_detectors.ok().map(|d| d.detector_ids.len()),
        Some(0)
    );

    // moto serves neither Security Hub's GetEnabledStandards nor Access Analyzer: failed
    // answers, with a code, not empty lists that would read as "nothing enabled".
    for reg in [us, eu] {
        assert!(
            matches!(&reg.securityhub_standards, Answer::Failed(e) if !e.code.is_empty()),
            "{:?}",
            reg.securityhub_standards
        );
        assert!(
            matches!(&reg.analyzers, Answer::Failed(e) if !e.code.is_empty()),
            "{:?}",
            reg.analyzers
        );
        assert_eq!(reg.security_groups, Answer::Missing);
    }

    // Lambda: environment variables and the resource policy.
    let functions = us.lambda_functions.ok().expect("lambda functions");
    let f = functions
        .functions
        .iter()
        .find(|f| f.function_name == "kw-fn")
        .expect("kw-fn");
    let env = &f.environment.as_ref().expect("environment").variables;
    assert_eq!(env.get("DB_HOST").map(String::as_str), Some("db.internal"));
    assert_eq!(f.runtime.as_deref(), Some("python3.12"));
    let policy = us.lambda_policies["kw-fn"].ok().expect("kw-fn policy");
    assert!(policy
        .policy
        .as_deref()
        .is_some_and(|p| p.contains("public-invoke")));
    assert_eq!(eu.lambda_functions.ok().map(|f| f.functions.len()), Some(0));

    // ECS: the task definition, keyed as its file is named.
    let list = us
        .ecs_task_definition_list
        .ok()
        .expect("task definition list");
    assert_eq!(list.task_definition_arns.len(), 1);
    let td = us.ecs_task_definitions["kw-web_1"].ok().expect("kw-web:1");
    let web = &td.task_definition.container_definitions[0];
    assert_eq!(web.privileged, Some(true));
    assert_eq!(web.environment[0].name.as_deref(), Some("LOG_LEVEL"));
    assert_eq!(td.task_definition.revision, Some(1));

    // SSM.
    let params = us.ssm_parameters.ok().expect("ssm parameters");
    let p = params
        .parameters
        .iter()
        .find(|p| p.name == "/kw/db/url")
        .expect("/kw/db/url");
    assert_eq!(p.kind.as_deref(), Some("String"));
    assert_eq!(p.value.as_deref(), Some("postgres://db.internal:5432/app"));

    assert_round_trips(&snap);
}

/// An account with nothing set up: the "not set" answers AWS gives as errors stay errors,
/// with the codes the checks read.
#[tokio::test]
async fn an_empty_account_keeps_aws_error_codes() {
    let Some(endpoint) = moto() else { return };
    let (conf, _) = fresh_account(&endpoint).await;
    let (snap, _) = collect(&conf, &["us-west-2"]).await;
    assert_eq!(snap.password_policy.code(), Some("NoSuchEntity"));
    assert_eq!(
        snap.organization.code(),
        Some("AWSOrganizationsNotInUseException")
    );
    let west = &snap.regions["us-west-2"];
    assert_eq!(west.trails.ok().map(|t| t.trail_list.len()), Some(0));
    assert_eq!(
        west.lambda_functions.ok().map(|f| f.functions.len()),
        Some(0)
    );
    assert!(west.lambda_policies.is_empty());
    assert_eq!(
        west.ecs_task_definition_list
            .ok()
            .map(|l| l.task_definition_arns.len()),
        Some(0)
    );
    assert_round_trips(&snap);
}

/// In an organization's management account, every service control policy is described.
#[tokio::test]
async fn organization_policies_are_described() {
    let Some(endpoint) = moto() else { return };
    let (conf, account) = fresh_account(&endpoint).await;
    let org = aws_sdk_organizations::Client::new(&conf);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create-organization");
    let created = org
        .create_policy()
        .name("require-owner-tag")
        .description("new users and roles carry an owner tag")
        .content(SCP_TAGS)
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("create-policy");
    let id = created
        .policy
        .and_then(|p| p.policy_summary)
        .and_then(|s| s.id)
        .expect("policy id");

    let (snap, _) = collect(&conf, &[]).await;
    let described = snap.organization.ok().expect("organization");
    assert_eq!(
        described.organization.master_account_id.as_deref(),
        Some(account.as_str())
    );
    assert_eq!(described.organization.feature_set.as_deref(), Some("ALL"));
    assert!(snap.regions.is_empty());
    let scp = snap.service_control_policies[&id].ok().expect("the SCP");
    assert_eq!(
        scp.policy.policy_summary.name.as_deref(),
        Some("require-owner-tag")
    );
    assert_eq!(
        scp.policy.policy_summary.kind.as_deref(),
        Some("SERVICE_CONTROL_POLICY")
    );
    let content = scp.policy.content.as_deref().expect("content");
    assert!(keyward_core::PolicyDocument::parse(content).is_ok());
    // AWS attaches FullAWSAccess to every organization; it is listed too.
    assert!(snap.service_control_policies.len() >= 2);
    assert_round_trips(&snap);
}

/// The CLI may spawn the collection on a multi-threaded runtime.
#[test]
fn the_collection_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let conf = SdkConfig::builder().build();
    let opts = CollectOptions {
        regions: vec![],
        concurrency: 1,
    };
    let progress = |_: &str| {};
    let fut = collect_snapshot(&conf, &opts, &progress);
    assert_send(&fut);
}
