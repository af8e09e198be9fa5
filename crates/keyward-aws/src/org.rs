//! Organizations: the accounts to visit, and a role assumed in each (`--org --role NAME`).

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::collect::{call_error as err_text, tune};

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Every active account of the organization the caller's account manages: (id, name).
pub async fn org_accounts(conf: &SdkConfig) -> Result<Vec<(String, String)>, String> {
    let org = aws_sdk_organizations::Client::new(&tune(conf));
    let mut out = Vec::new();
    let mut pages = org.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| err_text("organizations:ListAccounts", &e))?;
        for a in page.accounts() {
            // `State` replaced `Status` in 2026; older servers (and emulators) send only `Status`.
            let active = match (a.state(), a.status()) {
                (Some(s), _) => *s == aws_sdk_organizations::types::AccountState::Active,
                (None, Some(s)) => *s == aws_sdk_organizations::types::AccountStatus::Active,
                (None, None) => true,
            };
            if let (Some(id), true) = (a.id(), active) {
                out.push((id.to_string(), a.name().unwrap_or_default().to_string()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The caller's account id and ARN.
pub async fn caller(conf: &SdkConfig) -> Result<(String, String), String> {
    let out = aws_sdk_sts::Client::new(&tune(conf))
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| err_text("sts:GetCallerIdentity", &e))?;
    Ok((
        out.account().unwrap_or_default().to_string(),
        out.arn().unwrap_or_default().to_string(),
    ))
}

/// The configuration of a role assumed in another account. One `AssumeRole` is made here so
/// that a refusal is reported with AWS's code; the provider then fetches and refreshes the
/// credentials the run uses.
pub async fn assume_role(
    conf: &SdkConfig,
    partition: &str,
    account: &str,
    role: &str,
) -> Result<SdkConfig, String> {
    let arn = format!("arn:{partition}:iam::{account}:role/{role}");
    aws_sdk_sts::Client::new(&tune(conf))
        .assume_role()
        .role_arn(&arn)
        .role_session_name("keyward-rotate")
        .send()
        .await
        .map_err(|e| err_text(&format!("sts:AssumeRole {arn}"), &e))?;
    let provider = aws_config::sts::AssumeRoleProvider::builder(arn)
        .session_name("keyward-rotate")
        .configure(conf)
        .build()
        .await;
    Ok(conf
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}
