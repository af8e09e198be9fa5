//! Secret values and their redaction.

use std::fmt;

use sha2::{Digest, Sha256};

/// A credential found in input. It redacts itself in `Debug` and `Display` and deliberately
/// does not implement `Serialize`: a renderer must call [`Secret::expose`], which it does only
/// when the user asked for `--show-secrets`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The full value. Call only on the path that honours `--show-secrets`, or to use the
    /// credential (verification), never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A short prefix and the length, e.g. `ghp_…[40]`. The prefix is at most 4 characters and
    /// never more than a fifth of the value, so short passwords show nothing of themselves.
    pub fn redacted(&self) -> String {
        let n = self.len();
        let shown = (n / 5).min(4);
        let prefix: String = self.0.chars().take(shown).collect();
        format!("{prefix}…[{n}]")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A stable identity for a finding that does not depend on line numbers (so editing other lines
/// does not break a baseline) and does not reveal the secret: SHA-256 over the parts, hex, 32
/// characters.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_a_short_prefix_and_the_length() {
        let s = Secret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789"); // keyward:allow
        assert_eq!(s.redacted(), "ghp_…[40]");
        assert_eq!(format!("{s}"), "ghp_…[40]");
        assert_eq!(format!("{s:?}"), "Secret(ghp_…[40])");
        assert_eq!(Secret::new("hunter2").redacted(), "h…[7]");
        assert_eq!(Secret::new("abc").redacted(), "…[3]");
    }

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(fingerprint(&["a", "bc"]), fingerprint(&["a", "bc"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["x"]).len(), 32);
    }
}
