//! The SDK's typed answers, rewritten into the snapshot's CLI-shaped model.
//!
//! The SDK types have no serde form, so each field a check reads is copied by hand. Enums are
//! kept as AWS spells them (`as_str`), dates as RFC 3339 text, and absent lists as empty
//! lists, the way the CLI prints them.

use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};
use keyward_audit::model::*;
use keyward_core::PolicyDocument;

/// The error code of an answer that came back but could not be read (a policy document that
/// is not JSON, a credential report that is not CSV).
pub const UNREADABLE: &str = "UnreadableResponse";

fn date(d: Option<DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(DateTimeFormat::DateTime).ok())
}

/// A policy document as IAM returns it (URL-encoded JSON). `what` names it in the error.
fn document(text: Option<String>, what: &str) -> Result<PolicyDocument, String> {
    let text = text.ok_or_else(|| format!("{what}: no policy document"))?;
    PolicyDocument::parse(&text).map_err(|e| format!("{what}: {e}"))
}

pub fn caller(
    o: aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput,
) -> CallerIdentity {
    CallerIdentity {
        user_id: o.user_id,
        account: o.account,
        arn: o.arn,
    }
}

fn inline_policies(
    list: Option<Vec<aws_sdk_iam::types::PolicyDetail>>,
    owner: &str,
) -> Result<Vec<InlinePolicy>, String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|p| {
            let name = p.policy_name.unwrap_or_default();
            let doc = document(
                p.policy_document,
                &format!("inline policy {name} of {owner}"),
            )?;
            Ok(InlinePolicy {
                policy_name: name,
                policy_document: doc,
            })
        })
        .collect()
}

fn attached(list: Option<Vec<aws_sdk_iam::types::AttachedPolicy>>) -> Vec<AttachedPolicy> {
    list.unwrap_or_default()
        .into_iter()
        .map(|p| AttachedPolicy {
            policy_name: p.policy_name.unwrap_or_default(),
            policy_arn: p.policy_arn.unwrap_or_default(),
        })
        .collect()
}

fn boundary(
    b: Option<aws_sdk_iam::types::AttachedPermissionsBoundary>,
) -> Option<PermissionsBoundary> {
    b.map(|b| PermissionsBoundary {
        permissions_boundary_type: b.permissions_boundary_type.map(|t| t.as_str().to_string()),
        permissions_boundary_arn: b.permissions_boundary_arn,
    })
}

fn tags(list: Option<Vec<aws_sdk_iam::types::Tag>>) -> Vec<Tag> {
    list.unwrap_or_default()
        .into_iter()
        .map(|t| Tag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

/// Every page of GetAccountAuthorizationDetails, as one answer.
///
/// A document that cannot be read fails the whole answer rather than being dropped: a missing
/// inline policy could hide exactly the grant a check looks for, and a pass built on it would
/// be false.
pub fn authorization(
    pages: Vec<aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput>,
) -> Result<AuthorizationDetails, String> {
    let mut out = AuthorizationDetails::default();
    for page in pages {
        for u in page.user_detail_list.unwrap_or_default() {
            let name = u.user_name.unwrap_or_default();
            out.user_detail_list.push(UserDetail {
                user_policy_list: inline_policies(u.user_policy_list, &format!("user {name}"))?,
                user_name: name,
                path: u.path,
                user_id: u.user_id,
                arn: u.arn.unwrap_or_default(),
                create_date: date(u.create_date),
                group_list: u.group_list.unwrap_or_default(),
                attached_managed_policies: attached(u.attached_managed_policies),
                permissions_boundary: boundary(u.permissions_boundary),
                tags: tags(u.tags),
            });
        }
        for g in page.group_detail_list.unwrap_or_default() {
            let name = g.group_name.unwrap_or_default();
            out.group_detail_list.push(GroupDetail {
                group_policy_list: inline_policies(g.group_policy_list, &format!("group {name}"))?,
                group_name: name,
                path: g.path,
                group_id: g.group_id,
                arn: g.arn.unwrap_or_default(),
                create_date: date(g.create_date),
                attached_managed_policies: attached(g.attached_managed_policies),
            });
        }
        for r in page.role_detail_list.unwrap_or_default() {
            let name = r.role_name.unwrap_or_default();
            let trust = match r.assume_role_policy_document {
                Some(text) => Some(document(
                    Some(text),
                    &format!("trust policy of role {name}"),
                )?),
                None => None,
            };
            out.role_detail_list.push(RoleDetail {
                role_policy_list: inline_policies(r.role_policy_list, &format!("role {name}"))?,
                role_name: name,
                path: r.path,
                role_id: r.role_id,
                arn: r.arn.unwrap_or_default(),
                create_date: date(r.create_date),
                assume_role_policy_document: trust,
                attached_managed_policies: attached(r.attached_managed_policies),
                permissions_boundary: boundary(r.permissions_boundary),
                tags: tags(r.tags),
                role_last_used: r.role_last_used.map(|l| RoleLastUsed {
                    last_used_date: date(l.last_used_date),
                    region: l.region,
                }),
            });
        }
        for p in page.policies.unwrap_or_default() {
            // The name is the ARN's last segment (`arn:aws:iam::aws:policy/path/Name`); taken
            // from there when the answer leaves it out, as moto does.
            let name = p.policy_name.unwrap_or_else(|| {
                let arn = p.arn.as_deref().unwrap_or_default();
                arn.rsplit('/').next().unwrap_or_default().to_string()
            });
            let mut versions = Vec::new();
            for v in p.policy_version_list.unwrap_or_default() {
                let what = format!(
                    "policy {name} version {}",
                    v.version_id.as_deref().unwrap_or("?")
                );
                versions.push(PolicyVersion {
                    document: Some(document(v.document, &what)?),
                    version_id: v.version_id,
                    is_default_version: v.is_default_version,
                    create_date: date(v.create_date),
                });
            }
            out.policies.push(ManagedPolicyDetail {
                policy_name: name,
                policy_id: p.policy_id,
                arn: p.arn.unwrap_or_default(),
                path: p.path,
                default_version_id: p.default_version_id,
                attachment_count: p.attachment_count.map(i64::from),
                is_attachable: Some(p.is_attachable),
                create_date: date(p.create_date),
                update_date: date(p.update_date),
                policy_version_list: versions,
            });
        }
    }
    Ok(out)
}

pub fn password_policy(
    o: aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyOutput,
) -> GetPasswordPolicy {
    let Some(p) = o.password_policy else {
        return GetPasswordPolicy::default();
    };
    GetPasswordPolicy {
        password_policy: PasswordPolicy {
            minimum_password_length: p.minimum_password_length.map(i64::from),
            require_symbols: Some(p.require_symbols),
            require_numbers: Some(p.require_numbers),
            require_uppercase_characters: Some(p.require_uppercase_characters),
            require_lowercase_characters: Some(p.require_lowercase_characters),
            allow_users_to_change_password: Some(p.allow_users_to_change_password),
            expire_passwords: Some(p.expire_passwords),
            max_password_age: p.max_password_age.map(i64::from),
            password_reuse_prevention: p.password_reuse_prevention.map(i64::from),
            hard_expiry: p.hard_expiry,
        },
    }
}

pub fn account_summary(
    o: aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput,
) -> AccountSummary {
    AccountSummary {
        summary_map: o
            .summary_map
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.as_str().to_string(), i64::from(v)))
            .collect(),
    }
}

pub fn organization(
    o: aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput,
) -> DescribeOrganization {
    let org = o
        .organization
        .unwrap_or_else(|| aws_sdk_organizations::types::Organization::builder().build());
    DescribeOrganization {
        organization: Organization {
            id: org.id,
            arn: org.arn,
            master_account_id: org.master_account_id,
            feature_set: org.feature_set.map(|f| f.as_str().to_string()),
        },
    }
}

pub fn org_policy(
    o: aws_sdk_organizations::operation::describe_policy::DescribePolicyOutput,
) -> DescribePolicy {
    let Some(p) = o.policy else {
        return DescribePolicy::default();
    };
    let summary = p.policy_summary.map(|s| OrgPolicySummary {
        id: s.id,
        arn: s.arn,
        name: s.name,
        kind: s.r#type.map(|t| t.as_str().to_string()),
    });
    DescribePolicy {
        policy: OrgPolicy {
            policy_summary: summary.unwrap_or_default(),
            content: p.content,
        },
    }
}

pub fn trails(
    o: aws_sdk_cloudtrail::operation::describe_trails::DescribeTrailsOutput,
) -> DescribeTrails {
    DescribeTrails {
        trail_list: o
            .trail_list
            .unwrap_or_default()
            .into_iter()
            .map(|t| Trail {
                name: t.name.unwrap_or_default(),
                trail_arn: t.trail_arn,
                home_region: t.home_region,
                is_multi_region_trail: t.is_multi_region_trail,
                is_organization_trail: t.is_organization_trail,
                log_file_validation_enabled: t.log_file_validation_enabled,
                s3_bucket_name: t.s3_bucket_name,
                kms_key_id: t.kms_key_id,
                has_custom_event_selectors: t.has_custom_event_selectors,
            })
            .collect(),
    }
}

pub fn trail_status(
    o: aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput,
) -> TrailStatus {
    TrailStatus {
        is_logging: o.is_logging,
        latest_delivery_time: date(o.latest_delivery_time).map(serde_json::Value::String),
    }
}

pub fn event_selectors(
    o: aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> EventSelectors {
    EventSelectors {
        trail_arn: o.trail_arn,
        event_selectors: o
            .event_selectors
            .unwrap_or_default()
            .into_iter()
            .map(|s| EventSelector {
                read_write_type: s.read_write_type.map(|t| t.as_str().to_string()),
                include_management_events: s.include_management_events,
                exclude_management_event_sources: s
                    .exclude_management_event_sources
                    .unwrap_or_default(),
            })
            .collect(),
        advanced_event_selectors: o
            .advanced_event_selectors
            .unwrap_or_default()
            .into_iter()
            .map(|s| AdvancedEventSelector {
                name: s.name,
                field_selectors: s
                    .field_selectors
                    .into_iter()
                    .map(|f| FieldSelector {
                        field: f.field,
                        equals: f.equals.unwrap_or_default(),
                        not_equals: f.not_equals.unwrap_or_default(),
                        starts_with: f.starts_with.unwrap_or_default(),
                        not_starts_with: f.not_starts_with.unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn config_recorders(
    o: aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput,
) -> ConfigurationRecorders {
    ConfigurationRecorders {
        configuration_recorders: o
            .configuration_recorders
            .unwrap_or_default()
            .into_iter()
            .map(|r| ConfigurationRecorder {
                name: r.name.unwrap_or_default(),
                role_arn: r.role_arn,
                recording_group: r.recording_group.map(|g| RecordingGroup {
                    all_supported: Some(g.all_supported),
                    include_global_resource_types: Some(g.include_global_resource_types),
                }),
            })
            .collect(),
    }
}

pub fn config_recorder_status(
    o: aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput,
) -> ConfigurationRecordersStatus {
    ConfigurationRecordersStatus {
        configuration_recorders_status: o
            .configuration_recorders_status
            .unwrap_or_default()
            .into_iter()
            .map(|s| RecorderStatus {
                name: s.name.unwrap_or_default(),
                recording: Some(s.recording),
                last_status: s.last_status.map(|l| l.as_str().to_string()),
            })
            .collect(),
    }
}

pub fn detector(o: aws_sdk_guardduty::operation::get_detector::GetDetectorOutput) -> Detector {
    Detector {
        status: o.status.map(|s| s.as_str().to_string()),
        finding_publishing_frequency: o
            .finding_publishing_frequency
            .map(|f| f.as_str().to_string()),
    }
}

pub fn standards(list: Vec<aws_sdk_securityhub::types::StandardsSubscription>) -> EnabledStandards {
    EnabledStandards {
        standards_subscriptions: list
            .into_iter()
            .map(|s| StandardsSubscription {
                standards_subscription_arn: s.standards_subscription_arn,
                standards_arn: s.standards_arn.unwrap_or_default(),
                standards_status: s.standards_status.map(|st| st.as_str().to_string()),
            })
            .collect(),
    }
}

pub fn analyzers(list: Vec<aws_sdk_accessanalyzer::types::AnalyzerSummary>) -> ListAnalyzers {
    ListAnalyzers {
        analyzers: list
            .into_iter()
            .map(|a| Analyzer {
                arn: Some(a.arn),
                name: a.name,
                kind: Some(a.r#type.as_str().to_string()),
                status: Some(a.status.as_str().to_string()),
            })
            .collect(),
    }
}

pub fn functions(list: Vec<aws_sdk_lambda::types::FunctionConfiguration>) -> ListFunctions {
    ListFunctions {
        functions: list
            .into_iter()
            .map(|f| Function {
                function_name: f.function_name.unwrap_or_default(),
                function_arn: f.function_arn,
                runtime: f.runtime.map(|r| r.as_str().to_string()),
                role: f.role,
                package_type: f.package_type.map(|p| p.as_str().to_string()),
                environment: f.environment.map(|e| FunctionEnvironment {
                    variables: e.variables.unwrap_or_default().into_iter().collect(),
                }),
            })
            .collect(),
    }
}

pub fn function_policy(
    o: aws_sdk_lambda::operation::get_policy::GetPolicyOutput,
) -> FunctionPolicy {
    FunctionPolicy { policy: o.policy }
}

pub fn task_definition(
    o: aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput,
) -> DescribeTaskDefinition {
    let Some(td) = o.task_definition else {
        return DescribeTaskDefinition::default();
    };
    DescribeTaskDefinition {
        task_definition: TaskDefinition {
            task_definition_arn: td.task_definition_arn,
            family: td.family.unwrap_or_default(),
            revision: Some(i64::from(td.revision)),
            network_mode: td.network_mode.map(|m| m.as_str().to_string()),
            pid_mode: td.pid_mode.map(|m| m.as_str().to_string()),
            container_definitions: td
                .container_definitions
                .unwrap_or_default()
                .into_iter()
                .map(|c| ContainerDefinition {
                    name: c.name.unwrap_or_default(),
                    image: c.image,
                    privileged: c.privileged,
                    user: c.user,
                    environment: c
                        .environment
                        .unwrap_or_default()
                        .into_iter()
                        .map(|kv| KeyValue {
                            name: kv.name,
                            value: kv.value,
                        })
                        .collect(),
                })
                .collect(),
        },
    }
}

pub fn parameters(list: Vec<aws_sdk_ssm::types::Parameter>) -> Parameters {
    Parameters {
        parameters: list
            .into_iter()
            .map(|p| Parameter {
                name: p.name.unwrap_or_default(),
                kind: p.r#type.map(|t| t.as_str().to_string()),
                value: p.value,
                arn: p.arn,
            })
            .collect(),
    }
}

/// The credential report's CSV, as rows.
pub fn credential_report(
    o: aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput,
) -> Result<Vec<CredentialRow>, String> {
    let bytes = o.content.map(|b| b.into_inner()).unwrap_or_default();
    keyward_audit::snapshot::parse_credential_csv(&bytes)
}

fn s3_owner(o: Option<aws_sdk_s3::types::Owner>) -> Option<S3Owner> {
    o.map(|o| S3Owner {
        display_name: o.display_name,
        id: o.id,
    })
}

pub fn buckets(o: aws_sdk_s3::operation::list_buckets::ListBucketsOutput) -> ListBuckets {
    ListBuckets {
        buckets: o
            .buckets
            .unwrap_or_default()
            .into_iter()
            .map(|b| Bucket {
                name: b.name.unwrap_or_default(),
                creation_date: date(b.creation_date),
                bucket_region: b.bucket_region,
            })
            .collect(),
        owner: s3_owner(o.owner),
    }
}

/// The four flags of an S3 or an S3 Control configuration (two types of the same shape).
macro_rules! flags {
    ($c:expr) => {
        [
            $c.block_public_acls,
            $c.ignore_public_acls,
            $c.block_public_policy,
            $c.restrict_public_buckets,
        ]
    };
}

/// Block Public Access flags in the order S3 and S3 Control both use: BlockPublicAcls,
/// IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets.
fn block(flags: Option<[Option<bool>; 4]>) -> PublicAccessBlock {
    let [a, b, c, d] = flags.unwrap_or_default();
    PublicAccessBlock {
        public_access_block_configuration: PublicAccessBlockConfiguration {
            block_public_acls: a,
            ignore_public_acls: b,
            block_public_policy: c,
            restrict_public_buckets: d,
        },
    }
}

pub fn public_access_block(
    o: aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockOutput,
) -> PublicAccessBlock {
    block(o.public_access_block_configuration.map(|c| flags!(c)))
}

pub fn bucket_policy(
    o: aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyOutput,
) -> BucketPolicy {
    BucketPolicy { policy: o.policy }
}

pub fn bucket_acl(o: aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput) -> BucketAcl {
    BucketAcl {
        owner: s3_owner(o.owner),
        grants: o
            .grants
            .unwrap_or_default()
            .into_iter()
            .map(|g| Grant {
                grantee: g
                    .grantee
                    .map(|e| Grantee {
                        kind: Some(e.r#type.as_str().to_string()),
                        uri: e.uri,
                        id: e.id,
                        display_name: e.display_name,
                    })
                    .unwrap_or_default(),
                permission: g.permission.map(|p| p.as_str().to_string()),
            })
            .collect(),
    }
}

pub fn account_public_access_block(
    o: aws_sdk_s3control::operation::get_public_access_block::GetPublicAccessBlockOutput,
) -> PublicAccessBlock {
    block(o.public_access_block_configuration.map(|c| flags!(c)))
}
