//! AWS's own answers, in the shape the AWS CLI prints them.
//!
//! Each type is the output of one CLI command (`aws iam get-account-authorization-details`
//! prints an [`AuthorizationDetails`]), with the member names AWS's API models use: PascalCase
//! for IAM, EC2, Lambda, Security Hub; camelCase for Config, ECS and Access Analyzer. Every field
//! the checks do not need is left out (and ignored when present), and every field is optional or
//! defaulted, so that a folder made by hand with the CLI, or by an older CLI, still loads.

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
