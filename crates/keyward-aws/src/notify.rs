//! Notices to people, through SNS (a topic) and SES (an owner's e-mail address).

use aws_config::SdkConfig;
use aws_sdk_sts::config::Region;

use crate::collect::tune;

/// SNS subjects are at most 100 characters.
fn subject_fit(subject: &str) -> String {
    subject.chars().take(100).collect()
}

/// Publishes to a topic, in the topic's own region (from its ARN).
pub async fn publish_sns(
    conf: &SdkConfig,
    topic_arn: &str,
    subject: &str,
    text: &str,
) -> Result<String, String> {
    let mut builder = tune(conf).to_builder();
    if let Some(region) = topic_arn.split(':').nth(3).filter(|r| !r.is_empty()) {
        builder = builder.region(Region::new(region.to_string()));
    }
    let sns = aws_sdk_sns::Client::new(&builder.build());
    sns.publish()
        .topic_arn(topic_arn)
        .subject(subject_fit(subject))
        .message(text)
        .send()
        .await
        .map(|o| o.message_id().unwrap_or_default().to_string())
        .map_err(|e| crate::collect::call_error(&format!("sns:Publish to {topic_arn}"), &e))
}

/// Sends a plain-text e-mail through SES from a verified identity.
pub async fn send_email(
    conf: &SdkConfig,
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
) -> Result<String, String> {
    use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
    let content = |s: &str| {
        Content::builder()
            .data(s)
            .charset("UTF-8")
            .build()
            .map_err(|e| e.to_string())
    };
    let message = Message::builder()
        .subject(content(subject)?)
        .body(Body::builder().text(content(text)?).build())
        .build();
    let ses = aws_sdk_sesv2::Client::new(&tune(conf));
    ses.send_email()
        .from_email_address(from)
        .destination(Destination::builder().to_addresses(to).build())
        .content(EmailContent::builder().simple(message).build())
        .send()
        .await
        .map(|o| o.message_id().unwrap_or_default().to_string())
        .map_err(|e| crate::collect::call_error(&format!("ses:SendEmail to {to}"), &e))
}
