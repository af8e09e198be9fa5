//! Reads an AWS account into a [`keyward_audit::Snapshot`] for `keyward audit`.
//!
//! Every call is read-only (List, Get, Describe, and GenerateCredentialReport, which only
//! builds the report that GetCredentialReport reads). The collector never fails as a whole:
//! each call's outcome lands in its own [`Answer`], so a missing permission or a service that
//! is off in one region shows up as that one gap in the audit, with AWS's error code and
//! message, and every other answer is still there.
//!
//! Calls run concurrently (the global ones, every region, and the per-resource calls within a
//! region), with at most [`CollectOptions::concurrency`] requests in flight at once. The SDK
//! retries throttling with backoff (adaptive mode, see [`tune`]), so a large account slows down
//! instead of filling the snapshot with `Throttling` errors.
//!
//! S3 buckets are read with their Block Public Access settings, policies and ACLs, and the
//! account-wide Block Public Access setting (S3 Control) that overrides them.
//!
//! EC2 security groups are not collected: the EC2 SDK crate alone takes longer to compile than
//! the rest of Keyward, so [`RegionSnapshot::security_groups`] stays [`Answer::Missing`] and the
//! security-group checks report "not collected" (a folder saved with the AWS CLI still feeds
//! them).

mod convert;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_iam::types::{EntityType, ReportStateType};
use aws_sdk_sts::config::Region;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use futures_util::future::join_all;
use keyward_audit::model::*;
use keyward_audit::snapshot::{file_key, Answer, ApiError, RegionSnapshot, Snapshot};
use tokio::sync::Semaphore;

pub use convert::UNREADABLE;

/// What to collect and how hard to push.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Regions whose regional services (CloudTrail, Config, GuardDuty...) are read. Global
    /// services (IAM, Organizations) are read once whatever this holds; an empty list reads
    /// no region.
    pub regions: Vec<String>,
    /// The most AWS requests in flight at once (0 counts as 1).
    pub concurrency: usize,
}

/// Regions enabled by default in every commercial account (documented list, used by --all-regions).
///
/// AWS Account Management: "Regions launched before March 20, 2019 are enabled by default";
/// later ones are opt-in and answer only once enabled, so they are not asked unless named.
pub fn default_regions() -> Vec<String> {
    [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Collects everything the audit checks read. Never fails as a whole: each failed call becomes
/// Answer::Failed(ApiError{code, message}) in the snapshot. `progress` is called once per finished call with a short label.
pub async fn collect_snapshot(
    conf: &SdkConfig,
    opts: &CollectOptions,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Snapshot {
    let conf = tune(conf);
    let c = Collector {
        permits: Semaphore::new(opts.concurrency.max(1)),
        progress,
    };
    let iam = aws_sdk_iam::Client::new(&conf);
    let regions: BTreeSet<&String> = opts.regions.iter().collect();
    let (
        caller,
        credential_report,
        authorization,
        password_policy,
        account_summary,
        (organization, service_control_policies),
        regions,
        s3,
    ) = tokio::join!(
        c.caller(&conf),
        c.credential_report(&iam),
        c.authorization(&iam),
        c.password_policy(&iam),
        c.account_summary(&iam),
        c.organization(&conf),
        join_all(regions.into_iter().map(|r| {
            let (c, conf) = (&c, &conf);
            async move { (r.clone(), c.region(conf, r).await) }
        })),
        c.s3(&conf),
    );
    let s3_account_public_access_block = c.s3_account_block(&conf, &caller).await;
    Snapshot {
        caller,
        credential_report,
        authorization,
        password_policy,
        account_summary,
        organization,
        service_control_policies,
        regions: regions.into_iter().collect(),
        s3_buckets: s3.buckets,
        s3_account_public_access_block,
        s3_public_access_blocks: s3.public_access_blocks,
        s3_bucket_policies: s3.policies,
        s3_bucket_acls: s3.acls,
        // What is not collected live stays Missing: the checks report it as not collected.
        ..Snapshot::default()
    }
}

/// S3 Control puts the account id in the host name (`123456789012.s3-control...`), which an
/// emulator on loopback cannot serve: with `--endpoint-url` the URL is used as given.
#[derive(Debug)]
struct AsGiven(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

/// What `s3` collects.
#[derive(Default)]
struct S3Answers {
    buckets: Answer<ListBuckets>,
    public_access_blocks: BTreeMap<String, Answer<PublicAccessBlock>>,
    policies: BTreeMap<String, Answer<BucketPolicy>>,
    acls: BTreeMap<String, Answer<BucketAcl>>,
}

/// How long one attempt at one request may take. Generous: a page of
/// GetAccountAuthorizationDetails in a large account takes seconds; this only stops a
/// connection that hangs from stalling the whole audit.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The fewest attempts per request. An audit sends hundreds of requests in a burst; AWS
/// throttles bursts, and three attempts (the SDK default) give up too soon.
const MIN_ATTEMPTS: u32 = 6;

/// The caller's configuration with retries and timeouts fit for a burst of read calls.
///
/// Adaptive mode adds a client-side rate limiter that slows down when AWS answers with
/// throttling errors, on top of standard mode's exponential backoff. Attempts and timeouts the
/// user configured (AWS_MAX_ATTEMPTS, the profile) are kept when larger or set.
pub(crate) fn tune(conf: &SdkConfig) -> SdkConfig {
    let attempts = conf
        .retry_config()
        .map_or(MIN_ATTEMPTS, |r| r.max_attempts().max(MIN_ATTEMPTS));
    let timeouts = conf
        .timeout_config()
        .map_or_else(TimeoutConfig::builder, TimeoutConfig::to_builder)
        .take_unset_from(TimeoutConfig::builder().operation_attempt_timeout(ATTEMPT_TIMEOUT))
        .build();
    conf.to_builder()
        .retry_config(RetryConfig::adaptive().with_max_attempts(attempts))
        .timeout_config(timeouts)
        .build()
}

/// An AWS error as the snapshot keeps it. Errors AWS sent carry its code and message; errors
/// that never reached an answer (no network, timeout) get a code naming the kind of failure
/// and the whole cause chain as message, since their top-level text ("dispatch failure") says
/// nothing on its own. (The chain of Display texts, not `DisplayErrorContext`, whose Debug
/// dump of the raw response is no message to show a user.)
pub(crate) fn api_error<E>(err: &SdkError<E>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let chain = || crate::aws_smithy_error_chain(err);
    let (code, message) = match err {
        SdkError::ServiceError(se) => match err.code() {
            Some(code) => (
                code.to_string(),
                err.message().map_or_else(chain, str::to_string),
            ),
            // An answer without an error code (an HTTP 404 page from a proxy or an emulator
            // that does not serve the API): the status is the best code there is.
            None => {
                let status = se.raw().status().as_u16();
                (
                    format!("Http{status}"),
                    format!(
                        "HTTP {status} without an AWS error in the answer: {}",
                        chain()
                    ),
                )
            }
        },
        SdkError::TimeoutError(_) => ("Timeout".into(), chain()),
        SdkError::DispatchFailure(_) => ("DispatchFailure".into(), chain()),
        SdkError::ResponseError(_) => ("ResponseError".into(), chain()),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".into(), chain()),
        _ => ("SdkError".into(), chain()),
    };
    ApiError { code, message }
}

/// An AWS error as one line for a person: "operation: Code: message".
pub(crate) fn call_error<E>(op: &str, err: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let e = api_error(err);
    format!("{op}: {}: {}", e.code, e.message)
}

fn answer<T>(r: Result<T, ApiError>) -> Answer<T> {
    match r {
        Ok(t) => Answer::Ok(t),
        Err(e) => Answer::Failed(e),
    }
}

/// An answer that arrived but could not be read.
fn unreadable(message: String) -> ApiError {
    ApiError {
        code: UNREADABLE.into(),
        message,
    }
}

/// The credential report is built asynchronously; how long to wait for it, and how often to ask.
const REPORT_WAIT: Duration = Duration::from_secs(30);
const REPORT_POLL: Duration = Duration::from_secs(2);

struct Collector<'a> {
    /// Bounds the requests in flight. Held only around one request (or one paginated listing),
    /// never across nested calls, so that fan-out cannot deadlock on it.
    permits: Semaphore,
    progress: &'a (dyn Fn(&str) + Send + Sync),
}

impl Collector<'_> {
    /// Sends one request (any future that ends in an SDK result, such as a whole paginated
    /// listing) under a permit, reports it, and maps its error.
    async fn call<T, E>(
        &self,
        label: impl AsRef<str>,
        request: impl Future<Output = Result<T, SdkError<E>>>,
    ) -> Result<T, ApiError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        // The semaphore is never closed, so acquiring cannot fail; if it ever did, running
        // unbounded is better than losing the answer.
        let permit = self.permits.acquire().await.ok();
        let result = request.await;
        drop(permit);
        (self.progress)(label.as_ref());
        result.map_err(|e| api_error(&e))
    }

    async fn caller(&self, conf: &SdkConfig) -> Answer<CallerIdentity> {
        let sts = aws_sdk_sts::Client::new(conf);
        answer(
            self.call("sts get-caller-identity", sts.get_caller_identity().send())
                .await
                .map(convert::caller),
        )
    }

    /// GenerateCredentialReport until it says COMPLETE, then GetCredentialReport, within
    /// [`REPORT_WAIT`].
    async fn credential_report(&self, iam: &aws_sdk_iam::Client) -> Answer<Vec<CredentialRow>> {
        let deadline = Instant::now() + REPORT_WAIT;
        // A caller allowed only GetCredentialReport can still read a report someone else
        // generated, so a failed Generate does not end the attempt; it is the better error to
        // show if there is no report either.
        let mut generate_error = None;
        loop {
            match self
                .call(
                    "iam generate-credential-report",
                    iam.generate_credential_report().send(),
                )
                .await
            {
                Ok(o) if o.state == Some(ReportStateType::Complete) => break,
                Ok(_) => {}
                Err(e) => {
                    generate_error = Some(e);
                    break;
                }
            }
            if Instant::now() + REPORT_POLL > deadline {
                break;
            }
            tokio::time::sleep(REPORT_POLL).await;
        }
        loop {
            let err = match self
                .call(
                    "iam get-credential-report",
                    iam.get_credential_report().send(),
                )
                .await
            {
                Ok(o) => return answer(convert::credential_report(o).map_err(unreadable)),
                Err(e) => e,
            };
            let not_ready = matches!(err.code.as_str(), "ReportInProgress" | "ReportNotPresent");
            if not_ready && generate_error.is_none() && Instant::now() + REPORT_POLL <= deadline {
                tokio::time::sleep(REPORT_POLL).await;
                continue;
            }
            return Answer::Failed(match generate_error {
                Some(g) if err.code == "ReportNotPresent" => g,
                _ => err,
            });
        }
    }

    async fn authorization(&self, iam: &aws_sdk_iam::Client) -> Answer<AuthorizationDetails> {
        // Every entity type, named: the CLI's default, and what the privilege checks need
        // (AWS managed policies carry the documents of AdministratorAccess and the like).
        let filter = vec![
            EntityType::User,
            EntityType::Group,
            EntityType::Role,
            EntityType::LocalManagedPolicy,
            EntityType::AwsManagedPolicy,
        ];
        let pages = self
            .call(
                "iam get-account-authorization-details",
                iam.get_account_authorization_details()
                    .set_filter(Some(filter))
                    .into_paginator()
                    .send()
                    .try_collect(),
            )
            .await;
        answer(pages.and_then(|p| convert::authorization(p).map_err(unreadable)))
    }

    /// `NoSuchEntity` (no policy set) stays a failed answer: the checks read it as "none".
    async fn password_policy(&self, iam: &aws_sdk_iam::Client) -> Answer<GetPasswordPolicy> {
        answer(
            self.call(
                "iam get-account-password-policy",
                iam.get_account_password_policy().send(),
            )
            .await
            .map(convert::password_policy),
        )
    }

    async fn account_summary(&self, iam: &aws_sdk_iam::Client) -> Answer<AccountSummary> {
        answer(
            self.call("iam get-account-summary", iam.get_account_summary().send())
                .await
                .map(convert::account_summary),
        )
    }

    /// The organization and, when there is one, its service control policies.
    ///
    /// The snapshot has no place for a failed ListPolicies (only member accounts' or a
    /// billing-only organization's usual AccessDenied/PolicyTypeNotEnabled): it is kept under
    /// the key [`LIST_POLICIES`] so that the SCP check reports the gap instead of reading an
    /// empty map as "no SCP".
    async fn organization(
        &self,
        conf: &SdkConfig,
    ) -> (
        Answer<DescribeOrganization>,
        BTreeMap<String, Answer<DescribePolicy>>,
    ) {
        let org = aws_sdk_organizations::Client::new(conf);
        let described = self
            .call(
                "organizations describe-organization",
                org.describe_organization().send(),
            )
            .await
            .map(convert::organization);
        if described.is_err() {
            // AWSOrganizationsNotInUseException (no organization) lands here too: no SCPs.
            return (answer(described), BTreeMap::new());
        }
        let listed = self
            .call(
                "organizations list-policies",
                org.list_policies()
                    .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                    .into_paginator()
                    .send()
                    .try_collect(),
            )
            .await;
        let ids: Vec<String> = match listed {
            Ok(pages) => pages
                .into_iter()
                .flat_map(|p| p.policies.unwrap_or_default())
                .filter_map(|p| p.id)
                .collect(),
            Err(e) => {
                let failed = BTreeMap::from([(LIST_POLICIES.to_string(), Answer::Failed(e))]);
                return (answer(described), failed);
            }
        };
        let org = &org;
        let scps = join_all(ids.iter().map(|id| async move {
            let a = self
                .call(
                    "organizations describe-policy",
                    org.describe_policy().policy_id(id).send(),
                )
                .await
                .map(convert::org_policy);
            (file_key(id), answer(a))
        }))
        .await;
        (answer(described), scps.into_iter().collect())
    }

    async fn region(&self, conf: &SdkConfig, region: &str) -> RegionSnapshot {
        let conf = conf
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        let (
            (trails, trail_status, event_selectors),
            (config_recorders, config_recorder_status),
            (guardduty_detectors, guardduty_detector),
            securityhub_standards,
            analyzers,
            (lambda_functions, lambda_policies),
            (ecs_task_definition_list, ecs_task_definitions),
            ssm_parameters,
        ) = tokio::join!(
            self.cloudtrail(&conf, region),
            self.config(&conf, region),
            self.guardduty(&conf, region),
            self.securityhub(&conf, region),
            self.access_analyzer(&conf, region),
            self.lambda(&conf, region),
            self.ecs(&conf, region),
            self.ssm(&conf, region),
        );
        RegionSnapshot {
            trails,
            trail_status,
            event_selectors,
            config_recorders,
            config_recorder_status,
            guardduty_detectors,
            guardduty_detector,
            securityhub_standards,
            analyzers,
            lambda_functions,
            lambda_policies,
            ecs_task_definition_list,
            ecs_task_definitions,
            ssm_parameters,
            // Not collected (security groups: see the module documentation) stays Missing.
            ..RegionSnapshot::default()
        }
    }

    /// The trails this region sees (shadow copies of other regions' multi-Region trails
    /// included), and status and selectors of those that live here: a trail is asked about
    /// once, in its home region, where the checks look for them.
    async fn cloudtrail(
        &self,
        conf: &SdkConfig,
        region: &str,
    ) -> (
        Answer<DescribeTrails>,
        BTreeMap<String, Answer<TrailStatus>>,
        BTreeMap<String, Answer<EventSelectors>>,
    ) {
        let ct = aws_sdk_cloudtrail::Client::new(conf);
        let trails = self
            .call(
                format!("{region} cloudtrail describe-trails"),
                ct.describe_trails().include_shadow_trails(true).send(),
            )
            .await
            .map(convert::trails);
        let Ok(list) = &trails else {
            return (answer(trails), BTreeMap::new(), BTreeMap::new());
        };
        let home = list
            .trail_list
            .iter()
            .filter(|t| t.home_region.as_deref() == Some(region) && !t.name.is_empty());
        let ct = &ct;
        let per_trail = join_all(home.map(|t| async move {
            // The ARN, not the name: an organization trail seen from a member account is only
            // found by its ARN.
            let id = t.trail_arn.as_deref().unwrap_or(&t.name);
            let (status, selectors) = tokio::join!(
                self.call(
                    format!("{region} cloudtrail get-trail-status"),
                    ct.get_trail_status().name(id).send(),
                ),
                self.call(
                    format!("{region} cloudtrail get-event-selectors"),
                    ct.get_event_selectors().trail_name(id).send(),
                ),
            );
            (
                t.name.clone(),
                answer(status.map(convert::trail_status)),
                answer(selectors.map(convert::event_selectors)),
            )
        }))
        .await;
        let mut status = BTreeMap::new();
        let mut selectors = BTreeMap::new();
        for (name, s, e) in per_trail {
            status.insert(name.clone(), s);
            selectors.insert(name, e);
        }
        (answer(trails), status, selectors)
    }

    async fn config(
        &self,
        conf: &SdkConfig,
        region: &str,
    ) -> (
        Answer<ConfigurationRecorders>,
        Answer<ConfigurationRecordersStatus>,
    ) {
        let cfg = aws_sdk_config::Client::new(conf);
        let (recorders, status) = tokio::join!(
            self.call(
                format!("{region} configservice describe-configuration-recorders"),
                cfg.describe_configuration_recorders().send(),
            ),
            self.call(
                format!("{region} configservice describe-configuration-recorder-status"),
                cfg.describe_configuration_recorder_status().send(),
            ),
        );
        (
            answer(recorders.map(convert::config_recorders)),
            answer(status.map(convert::config_recorder_status)),
        )
    }

    async fn guardduty(
        &self,
        conf: &SdkConfig,
        region: &str,
    ) -> (Answer<ListDetectors>, BTreeMap<String, Answer<Detector>>) {
        let gd = aws_sdk_guardduty::Client::new(conf);
        let ids = self
            .call(
                format!("{region} guardduty list-detectors"),
                gd.list_detectors()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
            )
            .await;
        let ids = match ids {
            Ok(ids) => ids,
            Err(e) => return (Answer::Failed(e), BTreeMap::new()),
        };
        let gd = &gd;
        let detectors = join_all(ids.iter().map(|id| async move {
            let d = self
                .call(
                    format!("{region} guardduty get-detector"),
                    gd.get_detector().detector_id(id).send(),
                )
                .await
                .map(convert::detector);
            (file_key(id), answer(d))
        }))
        .await;
        (
            Answer::Ok(ListDetectors { detector_ids: ids }),
            detectors.into_iter().collect(),
        )
    }

    /// `InvalidAccessException` means Security Hub is off in this region; the check reads it.
    async fn securityhub(&self, conf: &SdkConfig, region: &str) -> Answer<EnabledStandards> {
        let sh = aws_sdk_securityhub::Client::new(conf);
        answer(
            self.call(
                format!("{region} securityhub get-enabled-standards"),
                sh.get_enabled_standards()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
            )
            .await
            .map(convert::standards),
        )
    }

    async fn access_analyzer(&self, conf: &SdkConfig, region: &str) -> Answer<ListAnalyzers> {
        let aa = aws_sdk_accessanalyzer::Client::new(conf);
        answer(
            self.call(
                format!("{region} accessanalyzer list-analyzers"),
                aa.list_analyzers()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
            )
            .await
            .map(convert::analyzers),
        )
    }

    /// Functions (with their environment variables, which the secret checks read) and each
    /// one's resource policy (`ResourceNotFoundException`: none).
    async fn lambda(
        &self,
        conf: &SdkConfig,
        region: &str,
    ) -> (
        Answer<ListFunctions>,
        BTreeMap<String, Answer<FunctionPolicy>>,
    ) {
        let lambda = aws_sdk_lambda::Client::new(conf);
        let functions = self
            .call(
                format!("{region} lambda list-functions"),
                lambda
                    .list_functions()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
            )
            .await
            .map(convert::functions);
        let Ok(list) = &functions else {
            return (answer(functions), BTreeMap::new());
        };
        let lambda = &lambda;
        let policies = join_all(list.functions.iter().map(|f| async move {
            let p = self
                .call(
                    format!("{region} lambda get-policy"),
                    lambda.get_policy().function_name(&f.function_name).send(),
                )
                .await
                .map(convert::function_policy);
            (file_key(&f.function_name), answer(p))
        }))
        .await;
        (answer(functions), policies.into_iter().collect())
    }

    /// Buckets, and each bucket's Block Public Access settings, policy and ACL, asked in the
    /// bucket's own region (S3 answers a request in another region with a redirect).
    /// `NoSuchBucketPolicy` and `NoSuchPublicAccessBlockConfiguration` are kept as answers:
    /// the checks read them as "none".
    async fn s3(&self, conf: &SdkConfig) -> S3Answers {
        let client = |region: Option<&str>| {
            let mut b = aws_sdk_s3::config::Builder::from(conf);
            if conf.endpoint_url().is_some() {
                b = b.force_path_style(true);
            }
            if let Some(r) = region {
                b = b.region(Region::new(r.to_string()));
            }
            aws_sdk_s3::Client::from_conf(b.build())
        };
        let s3 = client(None);
        let list = self
            .call("s3api list-buckets", s3.list_buckets().send())
            .await
            .map(convert::buckets);
        let mut out = S3Answers::default();
        let Ok(l) = &list else {
            out.buckets = answer(list);
            return out;
        };
        let s3 = &s3;
        let per_bucket = join_all(l.buckets.iter().map(|b| async move {
            let region = match &b.bucket_region {
                Some(r) => Some(r.clone()),
                None => self
                    .call(
                        "s3api get-bucket-location",
                        s3.get_bucket_location().bucket(&b.name).send(),
                    )
                    .await
                    .ok()
                    .map(
                        |o| match o.location_constraint.map(|c| c.as_str().to_string()) {
                            None => "us-east-1".to_string(),
                            Some(c) if c.is_empty() => "us-east-1".to_string(),
                            Some(c) if c == "EU" => "eu-west-1".to_string(),
                            Some(c) => c,
                        },
                    ),
            };
            let c = client(region.as_deref());
            let name = &b.name;
            let (pab, policy, acl) = tokio::join!(
                self.call(
                    "s3api get-public-access-block",
                    c.get_public_access_block().bucket(name).send()
                ),
                self.call(
                    "s3api get-bucket-policy",
                    c.get_bucket_policy().bucket(name).send()
                ),
                self.call(
                    "s3api get-bucket-acl",
                    c.get_bucket_acl().bucket(name).send()
                ),
            );
            (
                file_key(name),
                answer(pab.map(convert::public_access_block)),
                answer(policy.map(convert::bucket_policy)),
                answer(acl.map(convert::bucket_acl)),
            )
        }))
        .await;
        for (key, pab, policy, acl) in per_bucket {
            out.public_access_blocks.insert(key.clone(), pab);
            out.policies.insert(key.clone(), policy);
            out.acls.insert(key, acl);
        }
        out.buckets = answer(list);
        out
    }

    /// The account-wide Block Public Access setting (`NoSuchPublicAccessBlockConfiguration`:
    /// none), which overrides every bucket's own.
    async fn s3_account_block(
        &self,
        conf: &SdkConfig,
        caller: &Answer<CallerIdentity>,
    ) -> Answer<PublicAccessBlock> {
        let Answer::Ok(CallerIdentity {
            account: Some(account),
            ..
        }) = caller
        else {
            return Answer::Missing;
        };
        let mut b = aws_sdk_s3control::config::Builder::from(conf);
        if let Some(url) = conf.endpoint_url() {
            b = b.endpoint_resolver(AsGiven(url.to_string()));
        }
        let control = aws_sdk_s3control::Client::from_conf(b.build());
        answer(
            self.call(
                "s3control get-public-access-block",
                control.get_public_access_block().account_id(account).send(),
            )
            .await
            .map(convert::account_public_access_block),
        )
    }

    /// Active task definitions, each described, keyed `family_revision` (the file-name form of
    /// `family:revision`, so that a saved snapshot reads back with the same keys).
    async fn ecs(
        &self,
        conf: &SdkConfig,
        region: &str,
    ) -> (
        Answer<ListTaskDefinitions>,
        BTreeMap<String, Answer<DescribeTaskDefinition>>,
    ) {
        let ecs = aws_sdk_ecs::Client::new(conf);
        let arns = self
            .call(
                format!("{region} ecs list-task-definitions"),
                ecs.list_task_definitions()
                    .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
            )
            .await;
        let arns = match arns {
            Ok(arns) => arns,
            Err(e) => return (Answer::Failed(e), BTreeMap::new()),
        };
        let ecs = &ecs;
        let described = join_all(arns.iter().map(|arn| async move {
            let d = self
                .call(
                    format!("{region} ecs describe-task-definition"),
                    ecs.describe_task_definition().task_definition(arn).send(),
                )
                .await
                .map(convert::task_definition);
            (task_definition_key(arn), answer(d))
        }))
        .await;
        (
            Answer::Ok(ListTaskDefinitions {
                task_definition_arns: arns,
            }),
            described.into_iter().collect(),
        )
    }

    /// Every parameter's value, without decryption: SecureString values stay ciphertext, and
    /// Keyward never asks for them in clear.
    async fn ssm(&self, conf: &SdkConfig, region: &str) -> Answer<Parameters> {
        let ssm = aws_sdk_ssm::Client::new(conf);
        let pages = self
            .call(
                format!("{region} ssm get-parameters-by-path"),
                ssm.get_parameters_by_path()
                    .path("/")
                    .recursive(true)
                    .with_decryption(false)
                    .into_paginator()
                    .send()
                    .try_collect(),
            )
            .await;
        answer(pages.map(|pages| {
            convert::parameters(
                pages
                    .into_iter()
                    .flat_map(|p| p.parameters.unwrap_or_default())
                    .collect(),
            )
        }))
    }
}

/// The key under which a failed `organizations list-policies` is kept in
/// [`Snapshot::service_control_policies`] (policy ids start with `p-`, so it cannot clash).
pub const LIST_POLICIES: &str = "list-policies";

/// `arn:aws:ecs:us-east-1:123456789012:task-definition/web:3` → `web_3`.
fn task_definition_key(arn: &str) -> String {
    let family_revision = arn.rsplit_once('/').map_or(arn, |(_, fr)| fr);
    file_key(family_revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_definition_keys_are_file_names() {
        assert_eq!(
            task_definition_key("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"),
            "web_3"
        );
        assert_eq!(task_definition_key("web:3"), "web_3");
    }

    #[test]
    fn errors_without_an_aws_answer_are_named_by_kind() {
        use aws_sdk_sts::error::ConnectorError;
        use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
        let refused =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e: SdkError<GetCallerIdentityError> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(refused)));
        let a = api_error(&e);
        assert_eq!(a.code, "DispatchFailure");
        // The cause, not only "dispatch failure".
        assert!(a.message.contains("connection refused"), "{}", a.message);
        let t: SdkError<GetCallerIdentityError> = SdkError::timeout_error("took too long");
        assert_eq!(api_error(&t).code, "Timeout");
    }

    #[test]
    fn default_regions_are_regions() {
        let r = default_regions();
        assert_eq!(r.len(), 17);
        assert!(r.iter().all(|r| keyward_audit::snapshot::is_region(r)));
    }
}
