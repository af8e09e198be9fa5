//! Rule metadata: the one description of a rule or check that docs, listings and reports share.

use serde::{Deserialize, Serialize};

use crate::Severity;

/// Output language for human-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

/// A text in English and Japanese. Both are required: our users read either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// What every rule, check and detection carries, whatever capability it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    /// Stable kebab-case id; never renamed, since baselines and suppressions refer to it.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub rationale: Text,
    pub remediation: Text,
    pub references: Vec<String>,
}
