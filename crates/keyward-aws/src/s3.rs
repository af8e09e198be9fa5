//! CloudTrail log files where CloudTrail writes them: an S3 bucket, read object by object.
//!
//! Objects are listed under a prefix (paginated) and fetched concurrently; the caller receives
//! each object's bytes as it arrives, so evaluation overlaps the downloads and, with a bounded
//! channel on the caller's side, memory stays bounded whatever the bucket holds.

use aws_config::SdkConfig;
use aws_sdk_sts::config::Region;
use futures_util::StreamExt;

use crate::collect::{call_error, tune};

/// `s3://bucket/prefix` split into bucket and prefix.
pub fn parse_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then(|| (bucket.to_string(), prefix.to_string()))
}

fn err<E>(op: &str, what: &str, e: &aws_sdk_s3::error::SdkError<E>) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    call_error(&format!("{op} {what}"), e)
}

/// A client for the bucket: in the bucket's own region (from `HeadBucket`), and path-style when
/// an endpoint is given (emulators on loopback have no per-bucket host names).
pub async fn client(conf: &SdkConfig, bucket: &str) -> aws_sdk_s3::Client {
    let conf = tune(conf);
    let build = |region: Option<String>| {
        let mut b = aws_sdk_s3::config::Builder::from(&conf);
        if conf.endpoint_url().is_some() {
            b = b.force_path_style(true);
        }
        if let Some(r) = region {
            b = b.region(Region::new(r));
        }
        aws_sdk_s3::Client::from_conf(b.build())
    };
    let first = build(None);
    let region = first
        .head_bucket()
        .bucket(bucket)
        .send()
        .await
        .ok()
        .and_then(|h| h.bucket_region().map(str::to_string));
    match region {
        Some(r) if Some(r.as_str()) != conf.region().map(|x| x.as_ref()) => build(Some(r)),
        _ => first,
    }
}

/// Every object key under `prefix`, in key order (time order in CloudTrail's layout).
pub async fn list(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| err("s3:ListObjectsV2", &format!("s3://{bucket}/{prefix}"), &e))?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
    }
    Ok(keys)
}

/// Fetches `keys` with `concurrency` requests in flight and hands each result to `each`, in
/// the order they finish. `each` may block (a full channel): fetching then waits.
pub async fn fetch_each(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    keys: Vec<String>,
    concurrency: usize,
    each: &mut (dyn FnMut(String, Result<Vec<u8>, String>) + Send),
) {
    let mut results = futures_util::stream::iter(keys)
        .map(|key| async move {
            let url = format!("s3://{bucket}/{key}");
            let got = match s3.get_object().bucket(bucket).key(&key).send().await {
                Ok(o) => o
                    .body
                    .collect()
                    .await
                    .map(|b| b.into_bytes().to_vec())
                    .map_err(|e| format!("reading the object failed: {e}")),
                Err(e) => Err(err("s3:GetObject", &url, &e)),
            };
            (url, got)
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((url, got)) = results.next().await {
        each(url, got);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("s3://trail-logs/AWSLogs/123456789012/"),
            Some(("trail-logs".into(), "AWSLogs/123456789012/".into()))
        );
        assert_eq!(
            parse_url("s3://trail-logs"),
            Some(("trail-logs".into(), String::new()))
        );
        assert_eq!(parse_url("s3:///x"), None);
        assert_eq!(parse_url("/tmp/x"), None);
    }
}
