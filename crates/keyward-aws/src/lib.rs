//! The one Keyward crate that talks to AWS, always through the official SDK.
//!
//! Other crates describe what to ask and what the answers mean; this one asks. Everything here
//! honours `--profile`, `--region` and `--endpoint-url` the way the AWS CLI does, so the same
//! code runs against an account, a LocalStack or a moto server.
//!
//! [`verify_key`] asks whether a found key works; [`collect_snapshot`] reads a whole account
//! for `keyward audit`; [`rotate`] plans and carries out access-key rotation.

pub mod collect;
pub mod notify;
pub mod org;
pub mod rotate;
pub mod s3;

pub use aws_config::SdkConfig;
pub use collect::{collect_snapshot, default_regions, CollectOptions};

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sts::config::Region;
use aws_sdk_sts::error::ProvideErrorMetadata;

/// Where to reach AWS, as the user chose on the command line.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// The region used when neither the flag, the environment nor the profile names one. STS is a
/// global service; its us-east-1 endpoint answers for every account.
const FALLBACK_REGION: &str = "us-east-1";

/// Loads the standard credential chain (environment, profiles, SSO, web identity, IMDS...).
pub async fn load_config(ep: &Endpoint) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &ep.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &ep.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &ep.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return config
            .into_builder()
            .region(Region::new(FALLBACK_REGION))
            .build();
    }
    config
}

/// Whether a found key pair works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// AWS accepted it: the key is live. The ARN names its owner.
    Live { arn: String, account: String },
    /// AWS rejected it (deleted, deactivated, wrong secret, expired).
    Rejected { code: String, message: String },
    /// No answer (network, timeout, throttling): unknown, not dead.
    Unknown { reason: String },
}

/// Calls `sts:GetCallerIdentity` signed with the found credentials. The call needs no
/// permission and changes nothing, but it does appear in the key owner's CloudTrail.
pub async fn verify_key(
    ep: &Endpoint,
    key_id: &str,
    secret: &str,
    session_token: Option<&str>,
) -> Liveness {
    let region = ep
        .region
        .clone()
        .unwrap_or_else(|| FALLBACK_REGION.to_string());
    let creds = Credentials::new(
        key_id,
        secret,
        session_token.map(str::to_string),
        None,
        "keyward-verify",
    );
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_timeout(Duration::from_secs(15))
        .build();
    let mut conf = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(creds)
        .timeout_config(timeouts);
    if let Some(u) = &ep.endpoint_url {
        conf = conf.endpoint_url(u);
    }
    let client = aws_sdk_sts::Client::from_conf(conf.build());
    match client.get_caller_identity().send().await {
        Ok(out) => Liveness::Live {
            arn: out.arn().unwrap_or_default().to_string(),
            account: out.account().unwrap_or_default().to_string(),
        },
        Err(err) => match err.code() {
            Some(code) => Liveness::Rejected {
                code: code.to_string(),
                message: err.message().unwrap_or_default().to_string(),
            },
            None => Liveness::Unknown {
                reason: aws_smithy_error_chain(&err),
            },
        },
    }
}

/// The full cause chain of an SDK error, whose top-level Display is often just "dispatch failure".
pub(crate) fn aws_smithy_error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}
