//! A fresh moto account per test, for the tests that talk to moto through the SDK (included
//! with `#[path]` by those tests only, so that the others do not compile SDK calls).

#![allow(dead_code, clippy::unwrap_used)]

/// Credentials of a fresh, empty moto account (moto keys all state by the account an assumed
/// role names), so that other tests sharing the server do not show up here.
pub async fn fresh_account(endpoint: &str) -> (aws_config::SdkConfig, String, [String; 3]) {
    use aws_sdk_iam::config::Credentials;
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    // Tests of one binary run at once in threads: the counter keeps their accounts apart.
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let account = format!(
        "{:012}",
        400_000_000_000u64 + u64::from(nanos / 1000) * 100 + n % 100
    );
    let c = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/keyward-test"))
        .role_session_name("keyward-test")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let env = [
        c.access_key_id.clone(),
        c.secret_access_key.clone(),
        c.session_token.clone(),
    ];
    let conf = base
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                c.access_key_id,
                c.secret_access_key,
                Some(c.session_token),
                None,
                "moto",
            )),
        )
        .build();
    (conf, account, env)
}

/// An organization managed from `conf`'s account, with one member account per name: their ids.
pub async fn organization(conf: &aws_config::SdkConfig, members: &[&str]) -> Vec<String> {
    let org = aws_sdk_organizations::Client::new(conf);
    org.create_organization().send().await.unwrap();
    let mut ids = Vec::new();
    for name in members {
        let status = org
            .create_account()
            .account_name(*name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap()
            .create_account_status
            .unwrap();
        ids.push(status.account_id.unwrap());
    }
    ids
}

/// `conf` with the credentials of `role` assumed in `account` (moto makes any role assumable).
pub async fn assumed(
    conf: &aws_config::SdkConfig,
    account: &str,
    role: &str,
) -> aws_config::SdkConfig {
    let c = aws_sdk_sts::Client::new(conf)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
        .role_session_name("seed")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    conf.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    c.access_key_id,
                    c.secret_access_key,
                    Some(c.session_token),
                    None,
                    "seed",
                ),
            ),
        )
        .build()
}

/// A new IAM user with one access key: (key id, secret).
pub async fn user_with_key(iam: &aws_sdk_iam::Client, name: &str) -> (String, String) {
    iam.create_user().user_name(name).send().await.unwrap();
    let k = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    (k.access_key_id, k.secret_access_key)
}

/// The flags every `keyward rotate` run in the tests takes: moto, a state file, a short proof
/// timeout, JSON out.
pub fn rotate_flags<'a>(endpoint: &'a str, state: &'a str) -> [&'a str; 10] {
    [
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--state",
        state,
        "--proof-timeout",
        "10",
        "-f",
        "json",
    ]
}
