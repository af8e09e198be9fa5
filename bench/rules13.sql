-- The 13 rules of bench/rules13 as one DuckDB query, for bench/detect.sh (peer "duckdb").
--
-- One pass over the gzip tree: read_json reads each {"Records":[...]} file with the schema it
-- detects itself (format='auto'), unnest() turns each file into one row per record, every rule is a
-- CASE over that row, and the records that at least one rule fires on are written out as JSON Lines
-- with the names of the rules that fired.  bench/detectbench.py fills in {glob} and {out} and
-- counts alerts per rule from the output.  This is the fastest way found to run these rules in
-- DuckDB; bench/rules13-typed.sql (peer "duckdb-typed") is the same query over a declared schema.
--
-- Sigma semantics, kept by hand:
--   * values compare case-insensitively: lower(field) = 'lower-case literal';
--   * a missing field matches nothing (a NULL condition is not true), except that
--     `field: null` matches a missing field or JSON null (IS NULL), and `not selection` is true
--     when the selection's field is missing (coalesce(..., false));
--   * a dotted path through a list matches when any element does (JSONPath [*]).
-- The detected type of the nested objects depends on the sample DuckDB looks at (for these files:
-- requestParameters a MAP of JSON, responseElements and additionalEventData STRUCTs), so fields
-- below them are read through to_json(...), which works for any of those types.  A key that the
-- sampled files lack would read as NULL; the per-rule table of bench/detect.sh shows that at once
-- (planted counts, other tools).
COPY (
  WITH ev AS (
    SELECT unnest(Records) AS r
    FROM read_json('{glob}', format = 'auto', maximum_object_size = 268435456)
  ),
  hits AS (
    SELECT r.eventID AS eventID, r.eventTime AS eventTime, r.eventName AS eventName, list_filter([

-- rule: console-login-without-mfa
CASE WHEN lower(r.eventSource) = 'signin.amazonaws.com' AND lower(r.eventName) = 'consolelogin'
      AND lower(r.userIdentity."type") = 'iamuser'
      AND lower(to_json(r.additionalEventData) ->> 'MFAUsed') = 'no'
      AND lower(to_json(r.responseElements) ->> 'ConsoleLogin') = 'success'
     THEN 'console-login-without-mfa' END,

-- rule: iam-attach-admin-policy-user
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'attachuserpolicy'
      AND ends_with(lower(to_json(r.requestParameters) ->> 'policyArn'), ':policy/administratoraccess')
     THEN 'iam-attach-admin-policy-user' END,

-- rule: cloudtrail-stop-logging
CASE WHEN lower(r.eventSource) = 'cloudtrail.amazonaws.com' AND lower(r.eventName) = 'stoplogging'
     THEN 'cloudtrail-stop-logging' END,

-- rule: cloudtrail-delete-trail
CASE WHEN lower(r.eventSource) = 'cloudtrail.amazonaws.com' AND lower(r.eventName) = 'deletetrail'
     THEN 'cloudtrail-delete-trail' END,

-- rule: guardduty-delete-detector
CASE WHEN lower(r.eventSource) = 'guardduty.amazonaws.com' AND lower(r.eventName) = 'deletedetector'
     THEN 'guardduty-delete-detector' END,

-- rule: iam-create-access-key
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'createaccesskey'
      AND r.errorCode IS NULL
     THEN 'iam-create-access-key' END,

-- rule: iam-create-user
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'createuser'
      AND r.errorCode IS NULL
     THEN 'iam-create-user' END,

-- rule: root-account-usage
CASE WHEN lower(r.userIdentity."type") = 'root'
      AND NOT coalesce(lower(r.eventType) = 'awsserviceevent', false)
     THEN 'root-account-usage' END,

-- rule: iam-weak-password-policy
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'updateaccountpasswordpolicy'
      AND TRY_CAST(to_json(r.requestParameters) ->> 'minimumPasswordLength' AS DOUBLE) < 14
     THEN 'iam-weak-password-policy' END,

-- rule: ec2-security-group-open-to-world
CASE WHEN lower(r.eventSource) = 'ec2.amazonaws.com' AND lower(r.eventName) = 'authorizesecuritygroupingress'
      AND (list_contains(list_transform(json_extract_string(to_json(r.requestParameters),
                           '$.ipPermissions.items[*].ipRanges.items[*].cidrIp'), lambda x: lower(x)), '0.0.0.0/0')
        OR list_contains(list_transform(json_extract_string(to_json(r.requestParameters),
                           '$.ipPermissions.items[*].ipv6Ranges.items[*].cidrIpv6'), lambda x: lower(x)), '::/0'))
     THEN 'ec2-security-group-open-to-world' END,

-- rule: iam-deactivate-mfa
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com'
      AND lower(r.eventName) IN ('deactivatemfadevice', 'deletevirtualmfadevice')
     THEN 'iam-deactivate-mfa' END,

-- rule: iam-create-login-profile
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'createloginprofile'
     THEN 'iam-create-login-profile' END,

-- rule: ec2-snapshot-shared
CASE WHEN lower(r.eventSource) = 'ec2.amazonaws.com' AND lower(r.eventName) = 'modifysnapshotattribute'
      AND lower(to_json(r.requestParameters) ->> 'attributeType') = 'create_volume_permission'
      AND (len(list_filter(json_extract_string(to_json(r.requestParameters),
                             '$.createVolumePermission.add.items[*].userId'), lambda x: x IS NOT NULL)) > 0
        OR list_contains(list_transform(json_extract_string(to_json(r.requestParameters),
                           '$.createVolumePermission.add.items[*].group'), lambda x: lower(x)), 'all'))
     THEN 'ec2-snapshot-shared' END

    ], lambda x: x IS NOT NULL) AS rules
    FROM ev
  )
  SELECT * FROM hits WHERE len(rules) > 0
) TO '{out}' (FORMAT json);
