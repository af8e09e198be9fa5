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
    after_help = "Exit codes: 0 nothing found; 1 findings at or above --fail-on; 2 usage or configuration error; 3 some input could not be read."
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
    /// Evaluate Sigma rules over CloudTrail logs (files, S3-layout trees, JSON Lines, exports).
    Detect(Box<DetectArgs>),
    /// Check an account's IAM and security posture (live through the SDK, or --from a saved folder).
    Audit(Box<AuditArgs>),
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
    /// `-` reads stdin.
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
