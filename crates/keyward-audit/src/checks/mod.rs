//! Every check, registered once: id → function. Metadata for each id is in `checks/*.yml`.

mod fsbp;
mod iam;
mod privilege;
mod resources;
mod services;

pub use privilege::{principals, ESCALATION_METHODS};

use crate::check::CheckFn;

macro_rules! checks {
    ($($id:literal => $f:path,)*) => {
        /// All checks, in report order.
        pub const CHECKS: &[CheckFn] = &[$(CheckFn { id: $id, run: $f },)*];
    };
}

checks! {
    "iam-root-access-key" => iam::root_access_key,
    "iam-root-mfa" => iam::root_mfa,
    "iam-root-recent-use" => iam::root_recent_use,
    "iam-user-console-without-mfa" => iam::console_without_mfa,
    "iam-access-key-rotation" => iam::access_key_rotation,
    "iam-unused-credentials" => iam::unused_credentials,
    "iam-user-two-active-keys" => iam::two_active_keys,
    "iam-user-direct-policies" => iam::user_direct_policies,
    "iam-user-inline-policies" => iam::user_inline_policies,
    "iam-password-policy-length" => iam::password_length_cis,
    "iam-password-policy-length-nisc" => iam::password_length_nisc,
    "iam-password-policy-reuse" => iam::password_reuse,
    "iam-password-policy-expiry" => iam::password_expiry,
    "iam-password-policy-character-classes" => iam::password_character_classes,
    "iam-admin-principal" => privilege::admin_principals,
    "iam-privilege-escalation" => privilege::privilege_escalation,
    "iam-policy-full-admin" => privilege::policy_full_admin,
    "iam-policy-service-wildcard" => privilege::policy_service_wildcard,
    "iam-policy-iam-write" => privilege::policy_iam_write,
    "iam-role-trust-anyone" => privilege::role_trust_anyone,
    "iam-role-trust-oidc-unscoped" => privilege::role_trust_oidc_unscoped,
    "iam-role-unused" => privilege::role_unused,
    "cloudtrail-multi-region-logging" => services::cloudtrail_multi_region,
    "cloudtrail-log-file-validation" => services::cloudtrail_log_file_validation,
    "config-recorder-on" => services::config_recorder,
    "guardduty-enabled" => services::guardduty,
    "securityhub-fsbp-enabled" => services::securityhub_fsbp,
    "access-analyzer-enabled" => services::access_analyzer,
    "organizations-tag-scp" => services::scp_tag_enforcement,
    "lambda-env-plaintext-secret" => resources::lambda_env_secrets,
    "ecs-env-plaintext-secret" => resources::ecs_env_secrets,
    "ssm-plaintext-secret" => resources::ssm_plaintext_secrets,
    "lambda-public-invoke" => resources::lambda_public,
    "lambda-runtime-supported" => resources::lambda_runtime,
    "ecs-container-privileged" => resources::ecs_privileged,
    "ecs-task-host-pid" => resources::ecs_host_pid,
    "ecs-host-network-root" => resources::ecs_host_network_root,
    "ec2-default-security-group-closed" => resources::default_sg_closed,
    "ec2-security-group-high-risk-ports" => resources::sg_high_risk_ports,
    "ec2-security-group-unauthorized-ports" => resources::sg_unauthorized_ports,
    "s3-bucket-public-read" => fsbp::s3_public_read,
    "s3-bucket-public-write" => fsbp::s3_public_write,
    "s3-bucket-block-public-access" => fsbp::s3_block_public_access,
    "s3-bucket-policy-cross-account" => fsbp::s3_policy_cross_account,
    "ec2-snapshot-public" => fsbp::ec2_snapshot_public,
    "rds-snapshot-public" => fsbp::rds_snapshot_public,
    "ssm-document-public" => fsbp::ssm_document_public,
    "rds-instance-public" => fsbp::rds_instance_public,
    "redshift-cluster-public" => fsbp::redshift_cluster_public,
    "ecs-service-public-ip" => fsbp::ecs_service_public_ip,
    "rds-instance-in-vpc" => fsbp::rds_instance_in_vpc,
    "redshift-enhanced-vpc-routing" => fsbp::redshift_enhanced_vpc_routing,
    "ec2-unused-network-acl" => fsbp::ec2_unused_network_acl,
    "cloudfront-default-root-object" => fsbp::cloudfront_default_root_object,
    "codebuild-bitbucket-url-credentials" => fsbp::codebuild_url_credentials,
    "codebuild-env-plaintext-credentials" => fsbp::codebuild_env_credentials,
    "elasticbeanstalk-managed-updates" => fsbp::beanstalk_managed_updates,
}
