//! Command-line flags, as parsed. Validation and defaults from the config file are resolved in
//! each command, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyward_core::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "keyward",
    version,
    about = "Protects AWS accounts from leaked access keys and IAM misconfiguration",
    after_help = "Exit codes: 0 nothing found; 1 findings at or above --fail-on (rotate: an action or a notice failed); 2 usage or configuration error; 3 some input could not be read."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// More log output on stderr (-v info, -vv debug); KEYWARD_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour in tables: auto (when stdout is a terminal), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Language of explanations: en or ja.
    #[arg(long, global = true, value_enum, default_value_t = LangChoice::En)]
    pub lang: LangChoice,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangChoice {
    En,
    Ja,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find AWS keys and other secrets in files, stdin, git history or staged changes.
    Scan(Box<ScanArgs>),
    /// Evaluate Sigma rules over CloudTrail logs (files, S3-layout trees, s3:// buckets, JSON Lines, exports).
    Detect(Box<DetectArgs>),
    /// Check an account's IAM and security posture (live through the SDK, or --from a saved folder).
    Audit(Box<AuditArgs>),
    /// Rotate IAM users' access keys on a lifecycle (plan, or apply with the new key stored in Secrets Manager).
    #[command(subcommand)]
    Rotate(RotateCmd),
    /// List the bundled rules (secret rules, audit checks, detection rules), or explain one.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Install the pre-commit hook that runs `keyward scan --staged`.
    #[command(subcommand)]
    Hook(HookCmd),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Jsonl,
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads stdin. With --git or --staged: repositories.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Scan the whole history of all refs (each blob once) instead of the working tree.
    #[arg(long, conflicts_with = "staged")]
    pub git: bool,
    /// With --git: only what is not reachable from REV (e.g. origin/main, a tag).
    #[arg(long, value_name = "REV", requires = "git")]
    pub since: Option<String>,
    /// Scan only what is staged for the next commit (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in full. Without it every output shows a short prefix and the length.
    #[arg(long)]
    pub show_secrets: bool,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_name = "SEVERITY", default_value = "info", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings as a baseline to FILE (and exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Configuration file [default: ./keyward.toml if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip files larger than this (bytes, or with a unit: 500KB, 10MB, 1GB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Follow symbolic links (broken links and loops are then reported).
    #[arg(long)]
    pub follow: bool,
    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Check whether each found AWS key pair is live by calling sts:GetCallerIdentity with it.
    /// The call changes nothing, but it appears in the key owner's CloudTrail.
    #[arg(long)]
    pub verify: bool,
    /// AWS profile for --verify's endpoint settings.
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region for --verify.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send AWS calls to this endpoint (a moto or LocalStack server).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// CloudTrail files or folders (the S3 layout `AWSLogs/<account>/CloudTrail/...`, plain or
    /// gzip, `{"Records":[...]}`, JSON Lines, `lookup-events` or CloudTrail Lake output);
    /// `s3://bucket/prefix` reads the trail's bucket; `-` reads stdin.
    pub paths: Vec<PathBuf>,
    /// More Sigma rules: a folder of `.yml` files (e.g. SigmaHQ's rules/cloud/aws) or one file.
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the bundled rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Only events at or after this time: 2026-11-01, 2026-11-01T09:00:00Z, or an age (24h, 7d).
    #[arg(long, value_name = "TIME", value_parser = crate::detect::parse_when)]
    pub since: Option<i64>,
    /// Only events before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = crate::detect::parse_when)]
    pub until: Option<i64>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Put each matched event's JSON in its alert (json, jsonl and sarif formats).
    #[arg(long)]
    pub include_events: bool,
    /// Exit 1 when an alert is at least this severe.
    #[arg(long, value_name = "SEVERITY", default_value = "info", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// AWS profile for s3:// inputs (the standard credential chain otherwise).
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Region for s3:// inputs (the bucket's own region is found by itself).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send S3 calls to this endpoint (a moto or LocalStack server).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Objects fetched from S3 at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub s3_concurrency: usize,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Table,
    Json,
    Jsonl,
    Sarif,
    /// AWS Security Finding Format (what Security Hub imports).
    Asff,
    /// OCSF 1.1 Compliance Finding (class 2003), as Security Lake stores it.
    Ocsf,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit a snapshot folder (written by --save, or made with the AWS CLI) instead of an account.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["profile", "endpoint_url", "all_regions"])]
    pub from: Option<PathBuf>,
    /// Save what was collected to DIR, in AWS CLI output formats, for a later --from.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Measure ages (keys, passwords, last use) at this date instead of now: 2026-11-01 or RFC 3339.
    #[arg(long, value_name = "DATE", value_parser = crate::audit::parse_date)]
    pub as_of: Option<jiff::Timestamp>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Exit 1 when a failed check is at least this severe.
    #[arg(long, value_name = "SEVERITY", default_value = "info", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Run only these checks (ids, or prefixes ending in `*` such as `iam-*`); repeatable.
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,
    /// AWS profile (the standard credential chain otherwise: env, SSO, web identity, IMDS).
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Region to audit (the profile's or AWS_REGION otherwise); repeatable.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// Audit every region enabled by default in commercial accounts.
    #[arg(long)]
    pub all_regions: bool,
    /// Audit every account of the organization, through --role in each (management included).
    #[arg(long, requires = "role", conflicts_with = "from")]
    pub org: bool,
    /// The role to assume in each account (with --org), e.g. a read-only audit role.
    #[arg(long, value_name = "NAME", requires = "org")]
    pub role: Option<String>,
    /// Send AWS calls to this endpoint (a moto or LocalStack server).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Concurrent AWS calls.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum RotateCmd {
    /// Show what is due for every IAM user today (or --as-of a date); changes nothing.
    Plan(Box<RotateArgs>),
    /// Carry the plan out: create, store and prove new keys, deactivate and delete old ones.
    Apply(Box<RotateArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RotateFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Make a new key when the newest is this old: 90d (the [rotate] section of keyward.toml otherwise).
    #[arg(long, value_name = "AGE", value_parser = parse_days)]
    pub create_after: Option<i64>,
    /// Deactivate the old key at this age (default 100d), once its successor is stored and proven.
    #[arg(long, value_name = "AGE", value_parser = parse_days)]
    pub deactivate_after: Option<i64>,
    /// Delete an inactive key at this age (default 110d).
    #[arg(long, value_name = "AGE", value_parser = parse_days)]
    pub delete_after: Option<i64>,
    /// Deactivate an old key even if it was used after its successor was made.
    #[arg(long)]
    pub deactivate_in_use: bool,
    /// Plan for this date instead of now: 2026-11-01 or RFC 3339.
    #[arg(long, value_name = "DATE", value_parser = crate::audit::parse_date)]
    pub as_of: Option<jiff::Timestamp>,
    /// Skip members of this group (default IAMKeyRotationExemptionGroup).
    #[arg(long, value_name = "NAME")]
    pub exempt_group: Option<String>,
    /// Skip users with this tag (any value).
    #[arg(long, value_name = "KEY")]
    pub exempt_tag: Option<String>,
    /// Secret name template (default Account_{account}_User_{user}_AccessKey).
    #[arg(long, value_name = "TEMPLATE")]
    pub secret_name: Option<String>,
    /// A principal (ARN) allowed to read the user's secret besides the user; repeatable.
    #[arg(long = "reader", value_name = "ARN")]
    pub readers: Vec<String>,
    /// KMS key for the secrets this run creates.
    #[arg(long, value_name = "KEY")]
    pub kms_key_id: Option<String>,
    /// Rotate in every account of the organization, through this role in each.
    #[arg(long, requires = "role")]
    pub org: bool,
    /// The role to assume in each member account (with --org).
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// The state file that journals every step (default $XDG_STATE_HOME/keyward/rotate-state.json).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Publish each owner's notice to this SNS topic.
    #[arg(long, value_name = "ARN")]
    pub notify_sns: Option<String>,
    /// Post each owner's notice to this Slack incoming webhook.
    #[arg(
        long,
        value_name = "URL",
        env = "KEYWARD_SLACK_WEBHOOK",
        hide_env_values = true
    )]
    pub notify_slack: Option<String>,
    /// Send each owner's notice by e-mail (SES) from this verified address, to the address in the user's e-mail tag.
    #[arg(long, value_name = "ADDRESS")]
    pub notify_email_from: Option<String>,
    /// The user tag that holds the owner's e-mail address (default email).
    #[arg(long, value_name = "KEY")]
    pub email_tag: Option<String>,
    /// How long a new key may take to start working, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub proof_timeout: u64,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RotateFormat::Table)]
    pub format: RotateFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file (default ./keyward.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// AWS profile (the standard credential chain otherwise: env, SSO, web identity, IMDS).
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Region for IAM, STS and Secrets Manager calls (the profile's or AWS_REGION otherwise).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send AWS calls to this endpoint (a moto or LocalStack server).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Users worked on at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `90d`, `90` (days), or `12w`.
pub fn parse_days(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (num, mult) = match t.as_bytes().last() {
        Some(b'd') => (&t[..t.len() - 1], 1),
        Some(b'w') => (&t[..t.len() - 1], 7),
        _ => (t, 1),
    };
    match num.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n * mult),
        _ => Err(format!("{s:?} is not an age: use 90d, 12w or 90")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleKind {
    Secret,
    Audit,
    Detect,
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// One line per rule.
    List {
        #[arg(short, long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// Which rules: the secret rules of `scan`, the checks of `audit`, or the detection
        /// rules of `detect`.
        #[arg(long, value_enum, default_value_t = RuleKind::Secret)]
        kind: RuleKind,
    },
    /// Everything about one rule: rationale, remediation, references, examples.
    Explain { id: String },
}

#[derive(Debug, Subcommand)]
pub enum HookCmd {
    /// Install a git pre-commit hook running `keyward scan --staged`.
    Install {
        /// Repository [default: the current one].
        #[arg(default_value = ".")]
        repo: PathBuf,
        /// Replace an existing pre-commit hook that Keyward did not write.
        #[arg(long)]
        force: bool,
    },
}

/// The language chosen with `--lang`.
pub fn lang(global: &Global) -> keyward_core::Lang {
    match global.lang {
        LangChoice::En => keyward_core::Lang::En,
        LangChoice::Ja => keyward_core::Lang::Ja,
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: keyward_core::ParseSeverityError| e.to_string())
}

/// Parses `1048576`, `500KB`, `10MB`, `1GB` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (num, mult) = [
        ("GB", 1u64 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suf, m)| t.strip_suffix(suf).map(|n| (n.trim(), *m)))
    .unwrap_or((t.as_str(), 1));
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("invalid size {s:?} (examples: 1048576, 500KB, 10MB)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MB"), Ok(10 << 20));
        assert_eq!(parse_size("500kb"), Ok(500 << 10));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
