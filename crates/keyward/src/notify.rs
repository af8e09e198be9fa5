//! Owners' notices after `keyward rotate apply`: to an SNS topic, a Slack incoming webhook, and
//! the e-mail address in the user's tag (SES). Each notice names keys by id, never a secret.

use keyward_aws::SdkConfig;
use keyward_rotate::report::{notice, AccountReport};
use serde::Serialize;

pub struct Channels {
    pub sns: Option<String>,
    pub slack: Option<String>,
    pub email_from: Option<String>,
}

/// One notice delivered (or not) on one channel.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub account: String,
    pub user: String,
    pub channel: String,
    pub ok: bool,
    /// The message id, or why it was not sent.
    pub detail: String,
}

impl Channels {
    pub async fn send_all(&self, conf: &SdkConfig, reports: &[AccountReport]) -> Vec<Sent> {
        let mut out = Vec::new();
        for a in reports {
            for u in &a.users {
                let Some(n) = notice(&a.account, u) else {
                    continue;
                };
                let mut record = |channel: &str, r: Result<String, String>| {
                    let ok = r.is_ok();
                    out.push(Sent {
                        account: a.account.clone(),
                        user: u.plan.user.clone(),
                        channel: channel.to_string(),
                        ok,
                        detail: r.unwrap_or_else(|e| e),
                    });
                };
                if let Some(topic) = &self.sns {
                    let r =
                        keyward_aws::notify::publish_sns(conf, topic, &n.subject, &n.text).await;
                    record("sns", r);
                }
                if let Some(url) = &self.slack {
                    let text = format!("*{}*\n{}", n.subject, n.text);
                    let url = url.clone();
                    // ureq blocks; keep it off the async workers.
                    let r = tokio::task::spawn_blocking(move || slack(&url, &text))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                    record("slack", r);
                }
                if let (Some(from), Some(to)) = (&self.email_from, &u.owner_email) {
                    let r =
                        keyward_aws::notify::send_email(conf, from, to, &n.subject, &n.text).await;
                    record("email", r);
                }
            }
        }
        out
    }
}

/// Posts to a Slack incoming webhook. The URL is a credential: errors never show it.
fn slack(url: &str, text: &str) -> Result<String, String> {
    let body = serde_json::json!({ "text": text });
    match ureq::post(url).send_json(&body) {
        Ok(_) => Ok("posted".into()),
        Err(ureq::Error::StatusCode(code)) => {
            Err(format!("the Slack webhook answered HTTP {code}"))
        }
        Err(ureq::Error::BadUri(_)) => Err("the Slack webhook is not a URL".into()),
        Err(e) => Err(format!("the Slack webhook could not be reached: {e}")),
    }
}
