//! Checks that a regex cannot express: entropy, placeholders, and the structure of AWS
//! credentials (key id alphabet, the account id encoded in a key id, secret key shape).

use serde::Deserialize;

/// A named check a rule can ask for in its data file (`validator = "aws-key-id"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// An AWS access key id: known prefix, 16 base32 characters.
    AwsKeyId,
    /// A 40-character AWS secret access key: random-looking, mixed case.
    AwsSecretKey,
}

impl Validator {
    pub fn accepts(self, secret: &str) -> bool {
        match self {
            Validator::AwsKeyId => is_aws_key_id(secret),
            Validator::AwsSecretKey => is_aws_secret_key(secret),
        }
    }
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Why a matched value is not reported as a leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotALeak {
    /// A documented example value, such as AWS's `AKIAIOSFODNN7EXAMPLE`.
    Example,
    /// A template or a stand-in: `${VAR}`, `<token>`, `xxxx`, `changeme`.
    Placeholder,
}

/// `iosfodnn7` is the core of AWS's documented example key id; test suites vary its last
/// characters (`AKIAIOSFODNN7EXAMPLF`) and those are examples too.
const EXAMPLE_WORDS: &[&str] = &["example", "sample", "dummy", "iosfodnn7"];
const PLACEHOLDER_WORDS: &[&str] = &[
    "placeholder",
    "changeme",
    "change_me",
    "your_",
    "your-",
    "insert",
    "redacted",
];

/// Classifies values that match a rule's shape but are not credentials.
pub fn not_a_leak(secret: &str) -> Option<NotALeak> {
    let lower = secret.to_ascii_lowercase();
    if EXAMPLE_WORDS.iter().any(|w| lower.contains(w)) {
        return Some(NotALeak::Example);
    }
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
        || secret.contains("${")
        || secret.contains("{{")
        || secret.contains("%(")
        || (secret.contains('<') && secret.contains('>'))
        || lower.contains("xxxx")
        || secret.contains("****")
        || secret.contains("....")
    {
        return Some(NotALeak::Placeholder);
    }
    let mut bytes = secret.bytes();
    if let Some(first) = bytes.next() {
        if secret.len() >= 4 && bytes.all(|b| b == first) {
            return Some(NotALeak::Placeholder);
        }
    }
    None
}

/// `8-4-4-4-12` hexadecimal: an identifier far more often than a credential. Generic rules
/// (`token = ...`) do not report it; provider rules whose tokens are UUIDs match them by context.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Prefixes of AWS access key ids that are credentials (not merely unique ids of users or
/// roles). `A3T` is the pre-2012 form, still seen in old repositories.
pub const AWS_KEY_PREFIXES: &[&str] = &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"];

fn is_base32(b: u8) -> bool {
    b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)
}

pub fn is_aws_key_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && AWS_KEY_PREFIXES.iter().any(|p| s.starts_with(p))
        && b[4..].iter().all(|&c| is_base32(c))
}

/// The account an access key id belongs to, for keys issued since about 2019: base32-decode the
/// 16 characters after the 4-character prefix, take the first 6 bytes big-endian, mask with
/// 0x7fffffffff80, shift right by 7. Older keys (the first character after the prefix is below
/// `Q`, i.e. the top bit is clear) do not encode the account and yield `None`.
pub fn aws_account_id(key_id: &str) -> Option<String> {
    if !is_aws_key_id(key_id) || key_id.starts_with("A3T") {
        return None;
    }
    let decoded = data_encoding::BASE32_NOPAD
        .decode(key_id.get(4..)?.as_bytes())
        .ok()?;
    if decoded.len() < 6 || decoded[0] & 0x80 == 0 {
        return None;
    }
    let mut x: u64 = 0;
    for &byte in &decoded[..6] {
        x = (x << 8) | u64::from(byte);
    }
    let account = (x & 0x7fff_ffff_ff80) >> 7;
    (account <= 999_999_999_999).then(|| format!("{account:012}"))
}

/// What kind of credential a key id is, from its prefix.
pub fn aws_key_kind(key_id: &str) -> &'static str {
    match key_id.get(..4) {
        Some("AKIA") => "long-term access key (IAM user or root)",
        Some("ASIA") => "temporary access key (STS session)",
        Some("ABIA") => "STS service bearer token",
        Some("ACCA") => "context-specific credential",
        _ => "access key (legacy format)",
    }
}

/// A 40-character secret access key: base64 alphabet, mixed case, and the entropy of random
/// text (which a 40-character hex digest, at most 4 bits per byte, cannot reach).
pub fn is_aws_secret_key(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 40
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'/' || c == b'+')
        && b.iter().any(|c| c.is_ascii_uppercase())
        && b.iter().any(|c| c.is_ascii_lowercase())
        && entropy(b) >= 4.2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a key id the way AWS does since 2019, to test decoding without a real key.
    fn key_for(account: u64) -> String {
        let x = (1u64 << 47) | (account << 7) | 0x35;
        let mut bytes = x.to_be_bytes()[2..].to_vec();
        bytes.extend_from_slice(&[0x12, 0x34, 0x56, 0x78]);
        format!("AKIA{}", data_encoding::BASE32_NOPAD.encode(&bytes))
    }

    #[test]
    fn account_id_is_decoded_from_modern_key_ids() {
        for account in [123_456_789_012u64, 1, 999_999_999_999] {
            let key = key_for(account);
            assert!(is_aws_key_id(&key), "{key}");
            assert_eq!(aws_account_id(&key), Some(format!("{account:012}")));
        }
    }

    #[test]
    fn legacy_key_ids_have_no_account() {
        assert_eq!(aws_account_id("AKIAIOSFODNN7EXAMPLE"), None);
        assert!(is_aws_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_aws_key_id("AKIAIOSFODNN7EXAMPL1")); // '1' is not base32
        assert!(!is_aws_key_id("AIDAIOSFODNN7EXAMPLE")); // a user id, not a key
    }

    #[test]
    fn secret_keys_need_randomness() {
        assert!(is_aws_secret_key(
            "q8Vh3Lw0NzR+e7TbKc2yUd/Xf5JmPa9GsHiEoB1t"
        ));
        assert!(!is_aws_secret_key(
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        )); // sha1 hex
        assert!(!is_aws_secret_key(
            "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ"
        ));
    }

    #[test]
    fn examples_and_placeholders_are_not_leaks() {
        assert_eq!(
            not_a_leak("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            Some(NotALeak::Example)
        );
        assert_eq!(not_a_leak("${AWS_SECRET}"), Some(NotALeak::Placeholder));
        assert_eq!(not_a_leak("<your-token>"), Some(NotALeak::Placeholder));
        assert_eq!(not_a_leak("aaaaaaaa"), Some(NotALeak::Placeholder));
        assert_eq!(not_a_leak("q8Vh3Lw0NzR+e7TbKc2y"), None);
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("e31060a7-21fc-e277-6240-25983c6c4592"));
        assert!(!is_uuid("T-68618f31-0c9e-4e57-aa44-5306a2cf10e3"));
        assert_eq!(not_a_leak("AKIAIOSFODNN7EXAMPLF"), Some(NotALeak::Example));
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
