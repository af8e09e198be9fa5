//! `keyward.toml`: settings a team commits beside its code. Errors name the file, line and key.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use keyward_core::Severity;
use serde::Deserialize;
use toml::Spanned;

pub const DEFAULT_FILE: &str = "keyward.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub rotate: RotateConfig,
    /// The file it came from, for error messages.
    #[serde(skip)]
    pub source: Option<(PathBuf, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanConfig {
    /// Globs of paths never scanned (relative to the scanned directory or repository). A glob
    /// without `/` matches a file or directory name anywhere, as in .gitignore.
    #[serde(default)]
    pub exclude_paths: Vec<Spanned<String>>,
    /// Rule ids to turn off.
    #[serde(default)]
    pub exclude_rules: Vec<Spanned<String>>,
    pub max_file_size: Option<Spanned<SizeValue>>,
    pub fail_on: Option<Severity>,
}

/// `[rotate]`: the lifecycle and where keys go. Flags override each value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RotateConfig {
    /// Ages such as "90d" (or a number of days).
    pub create_after: Option<DaysValue>,
    pub deactivate_after: Option<DaysValue>,
    pub delete_after: Option<DaysValue>,
    pub exempt_group: Option<String>,
    pub exempt_tag: Option<String>,
    #[serde(default)]
    pub deactivate_in_use: bool,
    /// Secret name template with {account} and {user}.
    pub secret_name: Option<String>,
    /// Principals (ARNs) besides the user allowed to read each user's secret.
    #[serde(default)]
    pub readers: Vec<String>,
    pub kms_key_id: Option<String>,
    pub email_tag: Option<String>,
    pub email_from: Option<String>,
    pub sns_topic: Option<String>,
    pub state: Option<PathBuf>,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DaysValue {
    Days(i64),
    Text(String),
}

impl DaysValue {
    pub fn days(&self) -> Result<i64> {
        match self {
            DaysValue::Days(n) => Ok(*n),
            DaysValue::Text(t) => crate::cli::parse_days(t).map_err(|e| anyhow::anyhow!(e)),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

impl Config {
    /// Loads `explicit`, else `./keyward.toml` if it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        config.source = Some((path, text));
        Ok(config)
    }

    /// "file:line:column" for a value in the config file.
    pub fn at(&self, span: std::ops::Range<usize>) -> String {
        match &self.source {
            Some((path, text)) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{}:{line}:{col}", path.display())
            }
            None => "command line".to_string(),
        }
    }

    pub fn max_file_size(&self) -> Result<Option<u64>> {
        let Some(v) = &self.scan.max_file_size else {
            return Ok(None);
        };
        match v.get_ref() {
            SizeValue::Bytes(n) => Ok(Some(*n)),
            SizeValue::Text(t) => crate::cli::parse_size(t)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("{}: scan.max-file-size: {e}", self.at(v.span()))),
        }
    }

    pub fn exclude_globs(&self) -> Result<Option<GlobSet>> {
        if self.scan.exclude_paths.is_empty() {
            return Ok(None);
        }
        let mut b = GlobSetBuilder::new();
        for g in &self.scan.exclude_paths {
            let pat = g.get_ref().trim_end_matches('/');
            let mut add = |p: &str| -> Result<()> {
                let glob = GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        anyhow::anyhow!("{}: scan.exclude-paths: {e}", self.at(g.span()))
                    })?;
                b.add(glob);
                Ok(())
            };
            add(pat)?;
            if !pat.contains('/') {
                add(&format!("**/{pat}"))?;
            }
        }
        Ok(Some(b.build()?))
    }

    /// Checks that every excluded rule exists, so a typo does not silently keep a rule on.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<()> {
        for r in &self.scan.exclude_rules {
            if !known.contains(&r.get_ref().as_str()) {
                bail!(
                    "{}: scan.exclude-rules: unknown rule id {:?} (see `keyward rules list`)",
                    self.at(r.span()),
                    r.get_ref()
                );
            }
        }
        Ok(())
    }
}
