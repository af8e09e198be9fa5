-- The 13 rules of bench/rules13 as one DuckDB query over a declared record type, for
-- bench/detect.sh (peer "duckdb-typed").  Same query and semantics as bench/rules13.sql (see there),
-- but read_json is given the record type instead of detecting one: the struct names only the fields
-- the rules read, so no sample decides what exists.  DuckDB 2.0 reads this 4-10x slower than with its
-- own detected schema (14-21 MB/s on the default tree, measured 2026-11-23, close to the issue's
-- "DuckDB managed about 20 MB/s here"; the detected-schema form made 82-139 MB/s).
COPY (
  WITH ev AS (
    SELECT unnest(Records) AS r
    FROM read_json('{glob}', format = 'auto', maximum_object_size = 268435456, columns = {
      'Records': 'STRUCT(
        eventTime VARCHAR, eventID VARCHAR, eventSource VARCHAR, eventName VARCHAR, eventType VARCHAR,
        errorCode VARCHAR,
        userIdentity STRUCT("type" VARCHAR),
        additionalEventData STRUCT(MFAUsed VARCHAR),
        responseElements STRUCT(ConsoleLogin VARCHAR),
        requestParameters STRUCT(
          policyArn VARCHAR,
          minimumPasswordLength DOUBLE,
          attributeType VARCHAR,
          ipPermissions STRUCT(items STRUCT(
            ipRanges STRUCT(items STRUCT(cidrIp VARCHAR)[]),
            ipv6Ranges STRUCT(items STRUCT(cidrIpv6 VARCHAR)[]))[]),
          createVolumePermission STRUCT("add" STRUCT(items STRUCT(userId VARCHAR, "group" VARCHAR)[]))))[]'
    })
  ),
  hits AS (
    SELECT r.eventID AS eventID, r.eventTime AS eventTime, r.eventName AS eventName, list_filter([

-- rule: console-login-without-mfa
CASE WHEN lower(r.eventSource) = 'signin.amazonaws.com' AND lower(r.eventName) = 'consolelogin'
      AND lower(r.userIdentity."type") = 'iamuser' AND lower(r.additionalEventData.MFAUsed) = 'no'
      AND lower(r.responseElements.ConsoleLogin) = 'success'
     THEN 'console-login-without-mfa' END,

-- rule: iam-attach-admin-policy-user
CASE WHEN lower(r.eventSource) = 'iam.amazonaws.com' AND lower(r.eventName) = 'attachuserpolicy'
      AND ends_with(lower(r.requestParameters.policyArn), ':policy/administratoraccess')
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
      AND r.requestParameters.minimumPasswordLength < 14
     THEN 'iam-weak-password-policy' END,

-- rule: ec2-security-group-open-to-world
CASE WHEN lower(r.eventSource) = 'ec2.amazonaws.com' AND lower(r.eventName) = 'authorizesecuritygroupingress'
      AND (list_contains(flatten(list_transform(r.requestParameters.ipPermissions.items,
                                                lambda p: list_transform(p.ipRanges.items, lambda x: lower(x.cidrIp)))),
                         '0.0.0.0/0')
        OR list_contains(flatten(list_transform(r.requestParameters.ipPermissions.items,
                                                lambda p: list_transform(p.ipv6Ranges.items, lambda x: lower(x.cidrIpv6)))),
                         '::/0'))
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
      AND lower(r.requestParameters.attributeType) = 'create_volume_permission'
      AND (list_bool_or(list_transform(r.requestParameters.createVolumePermission."add".items,
                                       lambda x: x.userId IS NOT NULL))
        OR list_contains(list_transform(r.requestParameters.createVolumePermission."add".items,
                                        lambda x: lower(x."group")), 'all'))
     THEN 'ec2-snapshot-shared' END

    ], lambda x: x IS NOT NULL) AS rules
    FROM ev
  )
  SELECT * FROM hits WHERE len(rules) > 0
) TO '{out}' (FORMAT json);
