//! AWS's own answers, in the shape the AWS CLI prints them.
//!
//! Each type is the output of one CLI command (`aws iam get-account-authorization-details`
//! prints an [`AuthorizationDetails`]), with the member names AWS's API models use: PascalCase
//! for IAM, EC2, Lambda, Security Hub, S3, CloudFront, SSM, RDS, Redshift and Elastic Beanstalk;
//! camelCase for Config, ECS, CodeBuild and Access Analyzer. Every field the checks do not need
//! is left out (and ignored when present), and every field is optional or defaulted, so that a
//! folder made by hand with the CLI, or by an older CLI, still loads.

use std::collections::BTreeMap;

use keyward_core::PolicyDocument;
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// `aws sts get-caller-identity`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CallerIdentity {
    pub user_id: Option<String>,
    pub account: Option<String>,
    pub arn: Option<String>,
}

/// One row of the IAM credential report (`aws iam generate-credential-report`, then
/// `get-credential-report`; the CSV is base64 in the CLI's output). Values are kept as AWS
/// writes them: `true`/`false`, `N/A`, `no_information`, `not_supported`, or ISO 8601 times.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: String,
    pub password_enabled: String,
    pub password_last_used: String,
    pub password_last_changed: String,
    pub password_next_rotation: String,
    pub mfa_active: String,
    pub access_key_1_active: String,
    pub access_key_1_last_rotated: String,
    pub access_key_1_last_used_date: String,
    pub access_key_1_last_used_region: String,
    pub access_key_1_last_used_service: String,
    pub access_key_2_active: String,
    pub access_key_2_last_rotated: String,
    pub access_key_2_last_used_date: String,
    pub access_key_2_last_used_region: String,
    pub access_key_2_last_used_service: String,
    pub cert_1_active: String,
    pub cert_1_last_rotated: String,
    pub cert_2_active: String,
    pub cert_2_last_rotated: String,
}

/// The credential report's user name for the root user.
pub const ROOT_USER: &str = "<root_account>";

/// `aws iam get-credential-report`: the CSV, base64-encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetCredentialReport {
    pub content: String,
    pub report_format: Option<String>,
    pub generated_time: Option<String>,
}

/// `aws iam get-account-authorization-details`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AuthorizationDetails {
    pub user_detail_list: Vec<UserDetail>,
    pub group_detail_list: Vec<GroupDetail>,
    pub role_detail_list: Vec<RoleDetail>,
    pub policies: Vec<ManagedPolicyDetail>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserDetail {
    pub path: Option<String>,
    pub user_name: String,
    pub user_id: Option<String>,
    pub arn: String,
    pub create_date: Option<String>,
    pub user_policy_list: Vec<InlinePolicy>,
    pub group_list: Vec<String>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GroupDetail {
    pub path: Option<String>,
    pub group_name: String,
    pub group_id: Option<String>,
    pub arn: String,
    pub create_date: Option<String>,
    pub group_policy_list: Vec<InlinePolicy>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoleDetail {
    pub path: Option<String>,
    pub role_name: String,
    pub role_id: Option<String>,
    pub arn: String,
    pub create_date: Option<String>,
    pub assume_role_policy_document: Option<PolicyDocument>,
    pub role_policy_list: Vec<InlinePolicy>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Vec<Tag>,
    pub role_last_used: Option<RoleLastUsed>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoleLastUsed {
    pub last_used_date: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PermissionsBoundary {
    pub permissions_boundary_type: Option<String>,
    pub permissions_boundary_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ManagedPolicyDetail {
    pub policy_name: String,
    pub policy_id: Option<String>,
    pub arn: String,
    pub path: Option<String>,
    pub default_version_id: Option<String>,
    pub attachment_count: Option<i64>,
    pub is_attachable: Option<bool>,
    pub create_date: Option<String>,
    pub update_date: Option<String>,
    pub policy_version_list: Vec<PolicyVersion>,
}

impl ManagedPolicyDetail {
    /// The version in force.
    pub fn default_document(&self) -> Option<&PolicyDocument> {
        self.policy_version_list
            .iter()
            .find(|v| v.is_default_version)
            .or_else(|| {
                self.policy_version_list
                    .iter()
                    .find(|v| v.version_id.is_some() && v.version_id == self.default_version_id)
            })
            .and_then(|v| v.document.as_ref())
    }

    /// AWS managed policies live under `arn:aws:iam::aws:policy/`.
    pub fn is_aws_managed(&self) -> bool {
        self.arn.contains(":iam::aws:policy/")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PolicyVersion {
    pub document: Option<PolicyDocument>,
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub is_default_version: bool,
    pub create_date: Option<String>,
}

/// `aws iam get-account-password-policy` (the error `NoSuchEntity` means: none set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetPasswordPolicy {
    pub password_policy: PasswordPolicy,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<i64>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    pub expire_passwords: Option<bool>,
    pub max_password_age: Option<i64>,
    pub password_reuse_prevention: Option<i64>,
    pub hard_expiry: Option<bool>,
}

/// `aws iam get-account-summary`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AccountSummary {
    pub summary_map: BTreeMap<String, i64>,
}

/// `aws organizations describe-organization` (`AWSOrganizationsNotInUseException` means: no
/// organization).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeOrganization {
    pub organization: Organization,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Organization {
    pub id: Option<String>,
    pub arn: Option<String>,
    pub master_account_id: Option<String>,
    pub feature_set: Option<String>,
}

/// `aws organizations describe-policy --policy-id ID` (service control policies).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribePolicy {
    pub policy: OrgPolicy,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrgPolicy {
    pub policy_summary: OrgPolicySummary,
    /// The policy document as JSON text.
    pub content: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrgPolicySummary {
    pub id: Option<String>,
    pub arn: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
}

/// `aws cloudtrail describe-trails` (with shadow trails: the default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DescribeTrails {
    #[serde(rename = "trailList")]
    pub trail_list: Vec<Trail>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Trail {
    pub name: String,
    #[serde(rename = "TrailARN")]
    pub trail_arn: Option<String>,
    pub home_region: Option<String>,
    pub is_multi_region_trail: Option<bool>,
    pub is_organization_trail: Option<bool>,
    pub log_file_validation_enabled: Option<bool>,
    pub s3_bucket_name: Option<String>,
    pub kms_key_id: Option<String>,
    pub has_custom_event_selectors: Option<bool>,
}

/// `aws cloudtrail get-trail-status --name NAME`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TrailStatus {
    pub is_logging: Option<bool>,
    pub latest_delivery_time: Option<serde_json::Value>,
}

/// `aws cloudtrail get-event-selectors --trail-name NAME`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventSelectors {
    #[serde(rename = "TrailARN")]
    pub trail_arn: Option<String>,
    pub event_selectors: Vec<EventSelector>,
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventSelector {
    pub read_write_type: Option<String>,
    pub include_management_events: Option<bool>,
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FieldSelector {
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
}

/// `aws configservice describe-configuration-recorders`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfigurationRecorders {
    pub configuration_recorders: Vec<ConfigurationRecorder>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigurationRecorder {
    pub name: String,
    #[serde(rename = "roleARN")]
    pub role_arn: Option<String>,
    pub recording_group: Option<RecordingGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordingGroup {
    pub all_supported: Option<bool>,
    pub include_global_resource_types: Option<bool>,
}

/// `aws configservice describe-configuration-recorder-status`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfigurationRecordersStatus {
    pub configuration_recorders_status: Vec<RecorderStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecorderStatus {
    pub name: String,
    pub recording: Option<bool>,
    pub last_status: Option<String>,
}

/// `aws guardduty list-detectors`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListDetectors {
    pub detector_ids: Vec<String>,
}

/// `aws guardduty get-detector --detector-id ID`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Detector {
    pub status: Option<String>,
    pub finding_publishing_frequency: Option<String>,
}

/// `aws securityhub get-enabled-standards` (`InvalidAccessException`: Security Hub is off).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EnabledStandards {
    pub standards_subscriptions: Vec<StandardsSubscription>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StandardsSubscription {
    pub standards_subscription_arn: Option<String>,
    pub standards_arn: String,
    pub standards_status: Option<String>,
}

/// `aws accessanalyzer list-analyzers`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListAnalyzers {
    pub analyzers: Vec<Analyzer>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Analyzer {
    pub arn: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// `aws lambda list-functions`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListFunctions {
    pub functions: Vec<Function>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Function {
    pub function_name: String,
    pub function_arn: Option<String>,
    pub runtime: Option<String>,
    pub role: Option<String>,
    pub package_type: Option<String>,
    pub environment: Option<FunctionEnvironment>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FunctionEnvironment {
    pub variables: BTreeMap<String, String>,
}

/// `aws lambda get-policy --function-name NAME` (`ResourceNotFoundException`: no policy).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FunctionPolicy {
    /// The resource policy as JSON text.
    pub policy: Option<String>,
}

/// `aws ecs describe-task-definition --task-definition FAMILY:REVISION`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeTaskDefinition {
    pub task_definition: TaskDefinition,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskDefinition {
    pub task_definition_arn: Option<String>,
    pub family: String,
    pub revision: Option<i64>,
    pub network_mode: Option<String>,
    pub pid_mode: Option<String>,
    pub container_definitions: Vec<ContainerDefinition>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: Option<String>,
    pub privileged: Option<bool>,
    pub user: Option<String>,
    pub environment: Vec<KeyValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyValue {
    pub name: Option<String>,
    pub value: Option<String>,
}

/// `aws ecs list-task-definitions` (only the list; each one is described in its own file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListTaskDefinitions {
    pub task_definition_arns: Vec<String>,
}

/// `aws ssm get-parameters-by-path --path / --recursive` (without `--with-decryption`:
/// SecureString values stay ciphertext, and Keyward never asks for them in clear).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Parameters {
    pub parameters: Vec<Parameter>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "ARN")]
    pub arn: Option<String>,
}

/// `aws ec2 describe-security-groups`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecurityGroups {
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: Option<String>,
    pub vpc_id: Option<String>,
    pub owner_id: Option<String>,
    pub ip_permissions: Vec<IpPermission>,
    pub ip_permissions_egress: Vec<IpPermission>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpPermission {
    pub ip_protocol: Option<String>,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub ip_ranges: Vec<IpRange>,
    pub ipv6_ranges: Vec<Ipv6Range>,
    pub user_id_group_pairs: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpRange {
    pub cidr_ip: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
}

/// `aws s3api list-buckets` (global).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListBuckets {
    pub buckets: Vec<Bucket>,
    pub owner: Option<S3Owner>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Bucket {
    pub name: String,
    pub creation_date: Option<String>,
    /// Printed by AWS CLI versions from 2024 on.
    pub bucket_region: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3Owner {
    pub display_name: Option<String>,
    #[serde(rename = "ID")]
    pub id: Option<String>,
}

/// `aws s3api get-public-access-block --bucket BUCKET` (per bucket) and `aws s3control
/// get-public-access-block --account-id ACCOUNT` (the account's); the error
/// `NoSuchPublicAccessBlockConfiguration` means: none set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublicAccessBlock {
    pub public_access_block_configuration: PublicAccessBlockConfiguration,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublicAccessBlockConfiguration {
    pub block_public_acls: Option<bool>,
    pub ignore_public_acls: Option<bool>,
    pub block_public_policy: Option<bool>,
    pub restrict_public_buckets: Option<bool>,
}

/// `aws s3api get-bucket-policy --bucket BUCKET` (`NoSuchBucketPolicy`: no policy).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BucketPolicy {
    /// The bucket policy as JSON text.
    pub policy: Option<String>,
}

/// `aws s3api get-bucket-acl --bucket BUCKET`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BucketAcl {
    pub owner: Option<S3Owner>,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Grant {
    pub grantee: Grantee,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`.
    pub permission: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Grantee {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// For groups: `http://acs.amazonaws.com/groups/global/AllUsers`...
    #[serde(rename = "URI")]
    pub uri: Option<String>,
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub display_name: Option<String>,
}

/// `aws cloudfront list-distributions` (global).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListDistributions {
    pub distribution_list: DistributionList,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DistributionList {
    /// Absent when there is no distribution.
    pub items: Vec<DistributionSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DistributionSummary {
    pub id: String,
    #[serde(rename = "ARN")]
    pub arn: Option<String>,
    pub domain_name: Option<String>,
    pub enabled: Option<bool>,
    /// Not in ListDistributions' summaries as the API defines them; read when a tool puts it
    /// there, else the distribution's config file says.
    pub default_root_object: Option<String>,
}

/// `aws cloudfront get-distribution-config --id ID`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetDistributionConfig {
    #[serde(rename = "ETag")]
    pub etag: Option<String>,
    pub distribution_config: DistributionConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DistributionConfig {
    pub comment: Option<String>,
    /// `""` when none is set.
    pub default_root_object: Option<String>,
    pub enabled: Option<bool>,
}

/// `aws ec2 describe-snapshots --owner-ids self`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeSnapshots {
    pub snapshots: Vec<EbsSnapshot>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EbsSnapshot {
    pub snapshot_id: String,
    pub volume_id: Option<String>,
    pub owner_id: Option<String>,
    pub state: Option<String>,
    pub encrypted: Option<bool>,
    pub start_time: Option<String>,
}

/// `aws ec2 describe-snapshot-attribute --snapshot-id ID --attribute createVolumePermission`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SnapshotAttribute {
    pub snapshot_id: Option<String>,
    pub create_volume_permissions: Vec<CreateVolumePermission>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateVolumePermission {
    /// `all`: anyone.
    pub group: Option<String>,
    pub user_id: Option<String>,
}

/// `aws ec2 describe-network-acls`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkAcls {
    pub network_acls: Vec<NetworkAcl>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkAcl {
    pub network_acl_id: String,
    pub vpc_id: Option<String>,
    pub owner_id: Option<String>,
    pub is_default: Option<bool>,
    pub associations: Vec<NetworkAclAssociation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkAclAssociation {
    pub network_acl_association_id: Option<String>,
    pub subnet_id: Option<String>,
}

/// `aws ecs list-clusters`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListClusters {
    pub cluster_arns: Vec<String>,
}

/// `aws ecs describe-services --cluster CLUSTER --services ARN...` with every service of the
/// cluster (`aws ecs list-services --cluster CLUSTER`; at most 10 per call, so join the
/// `services` of several calls). A cluster without services: `{"services": []}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeServices {
    pub services: Vec<EcsService>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EcsService {
    pub service_arn: Option<String>,
    pub service_name: String,
    pub cluster_arn: Option<String>,
    /// `ACTIVE`, `DRAINING` or `INACTIVE` (deleted).
    pub status: Option<String>,
    pub launch_type: Option<String>,
    pub network_configuration: Option<EcsNetworkConfiguration>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EcsNetworkConfiguration {
    pub awsvpc_configuration: Option<AwsVpcConfiguration>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AwsVpcConfiguration {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: Option<String>,
}

/// `aws ssm list-documents --filters Key=Owner,Values=Self`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListDocuments {
    pub document_identifiers: Vec<DocumentIdentifier>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DocumentIdentifier {
    pub name: String,
    /// An account id, or `Amazon` for AWS's own documents.
    pub owner: Option<String>,
    pub document_type: Option<String>,
}

/// `aws ssm describe-document-permission --name NAME --permission-type Share`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DocumentPermission {
    /// Accounts the document is shared with; `all` when it is public.
    pub account_ids: Vec<String>,
    pub account_sharing_info_list: Vec<AccountSharingInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AccountSharingInfo {
    pub account_id: Option<String>,
    pub shared_document_version: Option<String>,
}

/// `aws rds describe-db-instances`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DbInstances {
    #[serde(rename = "DBInstances")]
    pub db_instances: Vec<DbInstance>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance_identifier: String,
    #[serde(rename = "DBInstanceArn")]
    pub db_instance_arn: Option<String>,
    pub engine: Option<String>,
    #[serde(rename = "DBInstanceStatus")]
    pub db_instance_status: Option<String>,
    pub publicly_accessible: Option<bool>,
    #[serde(rename = "DBSubnetGroup")]
    pub db_subnet_group: Option<DbSubnetGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DbSubnetGroup {
    #[serde(rename = "DBSubnetGroupName")]
    pub db_subnet_group_name: Option<String>,
    pub vpc_id: Option<String>,
}

/// `aws rds describe-db-snapshots --snapshot-type manual` (automated snapshots, if listed, are
/// skipped: they cannot be shared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DbSnapshots {
    #[serde(rename = "DBSnapshots")]
    pub db_snapshots: Vec<DbSnapshot>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DbSnapshot {
    #[serde(rename = "DBSnapshotIdentifier")]
    pub db_snapshot_identifier: String,
    #[serde(rename = "DBSnapshotArn")]
    pub db_snapshot_arn: Option<String>,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance_identifier: Option<String>,
    /// `manual`, `automated`, `awsbackup`...
    pub snapshot_type: Option<String>,
}

/// `aws rds describe-db-snapshot-attributes --db-snapshot-identifier ID`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DbSnapshotAttributes {
    #[serde(rename = "DBSnapshotAttributesResult")]
    pub result: DbSnapshotAttributesResult,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DbSnapshotAttributesResult {
    #[serde(rename = "DBSnapshotIdentifier")]
    pub db_snapshot_identifier: Option<String>,
    #[serde(rename = "DBSnapshotAttributes")]
    pub attributes: Vec<DbSnapshotAttribute>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DbSnapshotAttribute {
    /// `restore`: who may copy or restore the snapshot.
    pub attribute_name: String,
    /// Account ids, or `all` when anyone may.
    pub attribute_values: Vec<String>,
}

/// `aws redshift describe-clusters`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RedshiftClusters {
    pub clusters: Vec<RedshiftCluster>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RedshiftCluster {
    pub cluster_identifier: String,
    pub cluster_namespace_arn: Option<String>,
    pub vpc_id: Option<String>,
    pub publicly_accessible: Option<bool>,
    pub enhanced_vpc_routing: Option<bool>,
}

/// `aws codebuild batch-get-projects --names NAME...` with every project of the region (`aws
/// codebuild list-projects`; at most 100 per call, so join the `projects` of several calls).
/// A region without projects: `{"projects": []}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CodeBuildProjects {
    pub projects: Vec<CodeBuildProject>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CodeBuildProject {
    pub name: String,
    pub arn: Option<String>,
    pub source: Option<ProjectSource>,
    pub secondary_sources: Vec<ProjectSource>,
    pub environment: Option<ProjectEnvironment>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSource {
    /// `BITBUCKET`, `GITHUB`, `CODECOMMIT`, `S3`, `NO_SOURCE`...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub location: Option<String>,
    pub source_identifier: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectEnvironment {
    pub environment_variables: Vec<EnvironmentVariable>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentVariable {
    pub name: String,
    pub value: Option<String>,
    /// `PLAINTEXT` (the default), `PARAMETER_STORE` or `SECRETS_MANAGER`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `aws elasticbeanstalk describe-environments`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BeanstalkEnvironments {
    pub environments: Vec<BeanstalkEnvironment>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BeanstalkEnvironment {
    pub environment_name: String,
    pub environment_id: Option<String>,
    pub application_name: String,
    pub environment_arn: Option<String>,
    /// `Ready`, `Updating`, `Terminating`, `Terminated`...
    pub status: Option<String>,
}

/// `aws elasticbeanstalk describe-configuration-settings --application-name APP
/// --environment-name ENV`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfigurationSettings {
    pub configuration_settings: Vec<ConfigurationSetting>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfigurationSetting {
    pub application_name: Option<String>,
    pub environment_name: Option<String>,
    pub option_settings: Vec<OptionSetting>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OptionSetting {
    pub namespace: String,
    pub option_name: String,
    pub value: Option<String>,
}
