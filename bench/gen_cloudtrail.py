#!/usr/bin/env python3
"""Generate a CloudTrail log tree for bench/detect.sh, laid out as CloudTrail writes it to S3.

  gen_cloudtrail.py --out DIR --events N [--seed S] [--jobs J] [--manifest FILE]

writes DIR/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 alphanumerics>.json.gz, each file a gzip
(level 6) of one compact {"Records":[...]} document whose records are in time order: 400 records a
file on average (85 to 900 in the default tree; us-east-1 files are bigger), ~1.29 KB a record, the
real CloudTrail field set, nested requestParameters/responseElements, ~80 eventNames over 24
services, 70% of identities assumed roles; 3 accounts, 7 regions, each account and region delivering
a file every 15 minutes (the default tree spans about a week from 2024-05-01).

Detection content: the background mix contains no event that any of the 13 rules in
bench/rules13 fires on, only near misses (ConsoleLogin with MFA, by a role or failed;
AttachUserPolicy of AdministratorAccess-Amplify; StartLogging; UpdateDetector; a password policy of
length 14; ingress from private ranges; snapshot permissions removed; failed CreateAccessKey and
CreateUser; ...).  On top of it max(52, N/2000) events are planted, one rule each, in turn, so
every rule fires on a known number of records; the manifest lists them ("planted").  The other
events still fire some of the broader rules of keyward's bundled pack.

Deterministic: the same --events and --seed give byte-identical files whatever --jobs is (each
file has its own random generator, seeded from the seed and the file's number, and the gzip
header carries no time stamp).  Standard library only.
"""

import argparse
import datetime
import gzip
import json
import multiprocessing
import os
import random
import shutil
import sys
import time

GENERATOR_VERSION = 1
EVENTS_PER_FILE = 400

ACCOUNTS = [("123456789012", 3), ("210987654321", 2), ("555566667777", 1)]
REGIONS = [("us-east-1", 4), ("us-west-2", 2), ("eu-west-1", 2), ("eu-central-1", 1),
           ("ap-southeast-2", 1), ("ap-northeast-1", 1), ("sa-east-1", 0.5)]
START = datetime.datetime(2024, 5, 1, 0, 0, 0)
SLOT = 15 * 60      # seconds between two files of one account and region
WINDOW = 5 * 60     # a file holds the records of the 5 minutes before its delivery

USERS = ["alice", "bob", "carol", "deploy-bot", "ci-runner", "terraform", "dave", "erin"]
ROLES = ["OrgAdmin", "ReadOnly", "LambdaExecRole", "ecsTaskRole", "EKSNodeRole",
         "AWSReservedSSO_Admin_1a2b", "aws:ec2-instance"]
UAS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython "
    "cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.6",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0",
    "console.amazonaws.com",
    "AWS Internal",
    "aws-sdk-java/1.12.680 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS java/17.0.10 vendor/Amazon.com_Inc. "
    "exec-env/AWS_ECS_FARGATE",
    "S3 Browser 11.5.7 https://s3browser.com",
    "TruffleHog",
]
BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
IPS = ["198.51.100.23", "203.0.113.77", "192.0.2.10", "10.0.4.17", "AWS Internal", "ec2.amazonaws.com",
       "cloudformation.amazonaws.com", "185.220.101.4", "52.95.110.1"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HEX = "0123456789abcdef"

rnd = random.Random(0)   # replaced for every file (see gen_file)
ACCT = ACCOUNTS[0][0]    # the account and region of the file being written
REGION = REGIONS[0][0]


def rid(n, alphabet=B32):
    return "".join(rnd.choices(alphabet, k=n))


def hexid(n):
    return "".join(rnd.choices(HEX, k=n))


def uuid4():
    h = "%032x" % rnd.getrandbits(128)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])


def pick(xs):
    return xs[int(rnd.random() * len(xs))]


# ---------------------------------------------------------------- identities --

def assumed_role(role=None, mfa=None):
    role = role or pick(ROLES)
    sess = pick(USERS) if not role.startswith("aws:") else "i-" + hexid(17)
    return {
        "type": "AssumedRole",
        "principalId": "AROA" + rid(17) + ":" + sess,
        "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, role, sess),
        "accountId": ACCT,
        "accessKeyId": "ASIA" + rid(16),
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROA" + rid(17),
                              "arn": "arn:aws:iam::%s:role/%s" % (ACCT, role), "accountId": ACCT, "userName": role},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2024-05-01T10:00:00Z",
                           "mfaAuthenticated": mfa or pick(["false", "true"])},
            **({"ec2RoleDelivery": "2.0"} if role.startswith("aws:") else {}),
        },
    }


def iam_user(user=None):
    u = user or pick(USERS)
    return {"type": "IAMUser", "principalId": "AIDA" + rid(17), "arn": "arn:aws:iam::%s:user/%s" % (ACCT, u),
            "accountId": ACCT, "accessKeyId": "AKIA" + rid(16), "userName": u}


def root_user():
    return {"type": "Root", "principalId": ACCT, "arn": "arn:aws:iam::%s:root" % ACCT, "accountId": ACCT,
            "accessKeyId": "ASIA" + rid(16)}


def federated_user():
    u = pick(USERS)
    return {"type": "FederatedUser", "principalId": "%s:%s" % (ACCT, u),
            "arn": "arn:aws:sts::%s:federated-user/%s" % (ACCT, u), "accountId": ACCT,
            "accessKeyId": "ASIA" + rid(16),
            "sessionContext": {"attributes": {"creationDate": "2024-05-01T10:00:00Z", "mfaAuthenticated": "false"}}}


def aws_service():
    return {"type": "AWSService", "invokedBy": pick(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com",
                                                     "config.amazonaws.com"])}


def identity():
    x = rnd.random()
    if x < 0.70:
        return assumed_role()
    if x < 0.91:
        return iam_user()
    if x < 0.94:
        return federated_user()
    return aws_service()


def human():
    """Who makes a planted (suspicious) call: never the root user."""
    return iam_user() if rnd.random() < 0.6 else assumed_role()


# ------------------------------------------------------------------- helpers --

def bucket():
    return pick(["prod-logs", "data-lake-raw", "tf-state-main", "web-assets", "backup-2024"]) + "-" + hexid(6)


def inst():
    return "i-" + hexid(17)


def none():
    return None


def ip_perm(cidr=None, cidr6=None, group=None, port=None):
    port = port or pick([22, 443, 3389, 5432, 6379])
    p = {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {}, "ipRanges": {}, "ipv6Ranges": {},
         "prefixListIds": {}}
    if cidr:
        p["ipRanges"] = {"items": [{"cidrIp": c, "description": "bench"} for c in cidr]}
    if cidr6:
        p["ipv6Ranges"] = {"items": [{"cidrIpv6": c} for c in cidr6]}
    if group:
        p["groups"] = {"items": [{"groupId": "sg-" + hexid(17)}]}
    return p


def sg_ingress(perms):
    return {"groupId": "sg-" + hexid(17), "ipPermissions": {"items": perms}}


def sg_ingress_private():
    return sg_ingress([pick([ip_perm(cidr=[pick(["10.0.0.0/16", "172.16.0.0/12", "192.168.10.0/24"])]),
                             ip_perm(group=True),
                             ip_perm(cidr6=["2001:db8:1234::/48"]),
                             ip_perm(cidr=["10.20.0.0/16", "203.0.113.0/24"])])])


def sg_ingress_open():
    if rnd.random() < 0.5:
        # the open range is not the first one, nor in the first permission
        return sg_ingress([ip_perm(cidr=["10.0.0.0/8"], port=443), ip_perm(cidr=["192.168.0.0/16", "0.0.0.0/0"])])
    return sg_ingress([ip_perm(cidr6=["::/0"])])


def sg_response():
    return {"requestId": uuid4(), "_return": True,
            "securityGroupRuleSet": {"items": [{"groupRuleId": "sgr-" + hexid(17)}]}}


def password_policy(length):
    return {"minimumPasswordLength": length, "requireSymbols": True, "requireNumbers": True,
            "requireUppercaseCharacters": True, "requireLowercaseCharacters": True,
            "allowUsersToChangePassword": True, "maxPasswordAge": 90, "passwordReusePrevention": 24}


def snapshot_perm(op, item):
    return {"snapshotId": "snap-" + hexid(17), "createVolumePermission": {op: {"items": [item]}},
            "attributeType": "CREATE_VOLUME_PERMISSION"}


def access_key_response():
    return {"accessKey": {"userName": pick(USERS), "accessKeyId": "AKIA" + rid(16), "status": "Active",
                          "createDate": "May 1, 2024 10:00:00 AM"}}


def user_response():
    u = "svc-" + hexid(4)
    return {"user": {"path": "/", "userName": u, "userId": "AIDA" + rid(17),
                     "arn": "arn:aws:iam::%s:user/%s" % (ACCT, u), "createDate": "May 1, 2024 10:00:00 AM"}}


# ---------------------------------------------------------------- background --
# (eventSource, eventName, weight, readOnly, managementEvent, requestParameters, responseElements)
# None of these fires a rule of bench/rules13; some are near misses of one.
E = [
    ("sts.amazonaws.com", "AssumeRole", 60, False, True,
     lambda: {"roleArn": "arn:aws:iam::%s:role/%s" % (pick(ACCOUNTS)[0], pick(ROLES)), "roleSessionName": pick(USERS),
              "durationSeconds": 3600},
     lambda: {"credentials": {"accessKeyId": "ASIA" + rid(16), "sessionToken": "IQoJb3JpZ2luX2VjE" + rid(60),  # keyward:allow synthetic STS token shape
                              "expiration": "May 1, 2024, 11:00:00 AM"},
              "assumedRoleUser": {"assumedRoleId": "AROA" + rid(17) + ":s",
                                  "arn": "arn:aws:sts::%s:assumed-role/R/s" % ACCT}}),
    ("sts.amazonaws.com", "GetCallerIdentity", 25, True, True, none, none),
    ("sts.amazonaws.com", "GetSessionToken", 3, True, True, lambda: {"durationSeconds": 43200}, none),
    ("sts.amazonaws.com", "AssumeRoleWithSAML", 2, False, True,
     lambda: {"roleArn": "arn:aws:iam::%s:role/SAMLAdmin" % ACCT,
              "principalArn": "arn:aws:iam::%s:saml-provider/Okta" % ACCT}, none),
    ("s3.amazonaws.com", "GetObject", 80, True, False,
     lambda: {"bucketName": bucket(), "Host": "s3.amazonaws.com", "key": "logs/2024/05/%s.json.gz" % hexid(8)}, none),
    ("s3.amazonaws.com", "PutObject", 40, False, False,
     lambda: {"bucketName": bucket(), "Host": "s3.amazonaws.com", "key": "uploads/" + hexid(12)}, none),
    ("s3.amazonaws.com", "ListBuckets", 5, True, True, lambda: {"Host": "s3.amazonaws.com"}, none),
    ("s3.amazonaws.com", "GetBucketLocation", 8, True, True, lambda: {"bucketName": bucket(), "location": ""}, none),
    ("s3.amazonaws.com", "PutBucketVersioning", 1, False, True,
     lambda: {"bucketName": bucket(), "VersioningConfiguration": {"Status": pick(["Enabled", "Suspended"]),
                                                                  "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"},
              "versioning": ""}, none),
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock", 1, False, True,
     lambda: {"bucketName": bucket(), "PublicAccessBlockConfiguration": {
         "RestrictPublicBuckets": pick([True, False]), "BlockPublicAcls": True, "BlockPublicPolicy": True,
         "IgnorePublicAcls": True}}, none),
    ("s3.amazonaws.com", "DeleteBucket", 1, False, True, lambda: {"bucketName": bucket()}, none),
    ("ec2.amazonaws.com", "DescribeInstances", 50, True, True,
     lambda: {"instancesSet": {"items": [{"instanceId": inst()} for _ in range(rnd.randint(1, 3))]}, "filterSet": {}},
     none),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", 15, True, True,
     lambda: {"securityGroupSet": {}, "securityGroupIdSet": {}}, none),
    ("ec2.amazonaws.com", "DescribeVolumes", 12, True, True, lambda: {"volumeSet": {}, "filterSet": {}}, none),
    ("ec2.amazonaws.com", "DescribeSnapshots", 6, True, True,
     lambda: {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}}, none),
    ("ec2.amazonaws.com", "RunInstances", 4, False, True,
     lambda: {"instancesSet": {"items": [{"imageId": "ami-" + hexid(17), "minCount": 1, "maxCount": 1}]},
              "instanceType": "t3.micro", "blockDeviceMapping": {}, "monitoring": {"enabled": False},
              "disableApiTermination": False},
     lambda: {"requestId": uuid4(), "reservationId": "r-" + hexid(17), "ownerId": ACCT,
              "instancesSet": {"items": [{"instanceId": inst(), "imageId": "ami-" + hexid(17),
                                          "instanceState": {"code": 0, "name": "pending"}}]}}),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", 2, False, True, sg_ingress_private, sg_response),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupEgress", 1, False, True,
     lambda: sg_ingress([ip_perm(cidr=["0.0.0.0/0"], port=443)]), sg_response),
    ("ec2.amazonaws.com", "ModifyInstanceAttribute", 1, False, True,
     lambda: {"instanceId": inst(), "attribute": pick(["userData", "instanceType", "disableApiTermination"])},
     lambda: {"_return": True}),
    ("ec2.amazonaws.com", "CreateRoute", 1, False, True,
     lambda: {"routeTableId": "rtb-" + hexid(17), "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-" + hexid(17)},
     lambda: {"_return": True}),
    ("ec2.amazonaws.com", "DeleteFlowLogs", 1, False, True,
     lambda: {"DeleteFlowLogsRequest": {"FlowLogId": {"tag": 1, "content": "fl-" + hexid(17)}}}, none),
    ("ec2.amazonaws.com", "ModifySnapshotAttribute", 1, False, True,
     lambda: snapshot_perm("remove", pick([{"userId": "999988887777"}, {"group": "all"}])), lambda: {"_return": True}),
    ("iam.amazonaws.com", "GetUser", 8, True, True, lambda: {"userName": pick(USERS)}, none),
    ("iam.amazonaws.com", "ListRoles", 6, True, True, none, none),
    ("iam.amazonaws.com", "ListUsers", 3, True, True, none, none),
    ("iam.amazonaws.com", "ListAccessKeys", 3, True, True, lambda: {"userName": pick(USERS)}, none),
    ("iam.amazonaws.com", "ListMFADevices", 2, True, True, lambda: {"userName": pick(USERS)}, none),
    ("iam.amazonaws.com", "GetAccountPasswordPolicy", 1, True, True, none, none),
    ("iam.amazonaws.com", "GetLoginProfile", 1, True, True, lambda: {"userName": pick(USERS)}, none),
    ("iam.amazonaws.com", "UpdateAccessKey", 1, False, True,
     lambda: {"userName": pick(USERS), "accessKeyId": "AKIA" + rid(16), "status": "Inactive"}, none),
    ("iam.amazonaws.com", "EnableMFADevice", 1, False, True,
     lambda: {"userName": pick(USERS), "serialNumber": "arn:aws:iam::%s:mfa/%s" % (ACCT, pick(USERS))}, none),
    ("iam.amazonaws.com", "CreateVirtualMFADevice", 1, False, True,
     lambda: {"virtualMFADeviceName": pick(USERS), "path": "/"}, none),
    ("iam.amazonaws.com", "AttachRolePolicy", 1, False, True,
     lambda: {"roleName": pick(ROLES), "policyArn": pick(["arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                          "arn:aws:iam::aws:policy/AdministratorAccess",
                                                          "arn:aws:iam::%s:policy/custom" % ACCT])}, none),
    ("iam.amazonaws.com", "AttachUserPolicy", 1, False, True,
     lambda: {"userName": pick(USERS), "policyArn": pick(["arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                          "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
                                                          "arn:aws:iam::%s:policy/AdministratorAccessReview" % ACCT])},
     none),
    ("iam.amazonaws.com", "PutUserPolicy", 1, False, True,
     lambda: {"userName": pick(USERS), "policyName": "inline",
              "policyDocument": pick(['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
                                      '"Resource": "*"}]}',
                                      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
                                      '"s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}'])}, none),
    ("iam.amazonaws.com", "UpdateLoginProfile", 1, False, True,
     lambda: {"userName": pick(USERS), "passwordResetRequired": False}, none),
    ("iam.amazonaws.com", "UpdateAccountPasswordPolicy", 1, False, True,
     lambda: password_policy(pick([14, 16, 20])), none),
    # Failed calls only (errorCode set): the rules want successful ones.
    ("iam.amazonaws.com", "CreateAccessKey", 1, False, True, lambda: {"userName": pick(USERS)}, "error"),
    ("iam.amazonaws.com", "CreateUser", 1, False, True, lambda: {"userName": "svc-" + hexid(4)}, "error"),
    ("kms.amazonaws.com", "Decrypt", 70, True, True,
     lambda: {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
              "encryptionContext": {"aws:lambda:FunctionArn": "arn:aws:lambda:%s:%s:function:fn-%s"
                                    % (REGION, ACCT, hexid(6))}}, none),
    ("kms.amazonaws.com", "GenerateDataKey", 25, True, True,
     lambda: {"keyId": "alias/aws/s3", "keySpec": "AES_256", "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::" + bucket()}},
     none),
    ("lambda.amazonaws.com", "Invoke", 20, False, False,
     lambda: {"functionName": "arn:aws:lambda:%s:%s:function:fn-%s" % (REGION, ACCT, hexid(6))}, none),
    ("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", 1, False, True,
     lambda: {"functionName": "fn-" + hexid(6), "layers": ["arn:aws:lambda:%s:999988887777:layer:x:1" % REGION]}, none),
    ("lambda.amazonaws.com", "ListFunctions20150331", 4, True, True, none, none),
    ("logs.amazonaws.com", "CreateLogStream", 15, False, True,
     lambda: {"logGroupName": "/aws/lambda/fn-" + hexid(6), "logStreamName": "2024/05/01/[$LATEST]" + hexid(32)}, none),
    ("logs.amazonaws.com", "DescribeLogGroups", 5, True, True, lambda: {"limit": 50}, none),
    ("dynamodb.amazonaws.com", "DescribeTable", 15, True, True, lambda: {"tableName": "orders-" + hexid(4)}, none),
    ("dynamodb.amazonaws.com", "DeleteTable", 1, False, True, lambda: {"tableName": "orders-" + hexid(4)}, none),
    ("secretsmanager.amazonaws.com", "GetSecretValue", 12, True, True, lambda: {"secretId": "prod/db/" + hexid(6)}, none),
    ("ssm.amazonaws.com", "GetParameter", 12, True, True,
     lambda: {"name": "/app/config/" + hexid(6), "withDecryption": True}, none),
    ("ssm.amazonaws.com", "SendCommand", 1, False, True,
     lambda: {"documentName": "AWS-RunShellScript", "instanceIds": [inst()], "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"},
     lambda: {"command": {"commandId": uuid4(), "status": pick(["Success", "Pending"]),
                          "documentName": "AWS-RunShellScript"}}),
    ("cloudtrail.amazonaws.com", "LookupEvents", 3, True, True, lambda: {"maxResults": 50}, none),
    ("cloudtrail.amazonaws.com", "DescribeTrails", 2, True, True, lambda: {"includeShadowTrails": True}, none),
    ("cloudtrail.amazonaws.com", "GetTrailStatus", 2, True, True,
     lambda: {"name": "arn:aws:cloudtrail:us-east-1:%s:trail/main" % ACCT}, none),
    ("cloudtrail.amazonaws.com", "StartLogging", 1, False, True,
     lambda: {"name": "arn:aws:cloudtrail:us-east-1:%s:trail/main" % ACCT}, none),
    ("guardduty.amazonaws.com", "ListFindings", 3, True, True, lambda: {"detectorId": hexid(32), "maxResults": 50}, none),
    ("guardduty.amazonaws.com", "GetDetector", 1, True, True, lambda: {"detectorId": hexid(32)}, none),
    ("guardduty.amazonaws.com", "UpdateDetector", 1, False, True,
     lambda: {"detectorId": hexid(32), "enable": pick([True, False])}, none),
    ("ecs.amazonaws.com", "DescribeTasks", 10, True, True,
     lambda: {"cluster": "prod", "tasks": ["arn:aws:ecs:%s:%s:task/prod/%s" % (REGION, ACCT, hexid(32))]}, none),
    ("ecs.amazonaws.com", "RegisterTaskDefinition", 1, False, True,
     lambda: {"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "command": pick([
         ["nginx", "-g", "daemon off;"], ["sh", "-c", "curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]])}]},
     none),
    ("eks.amazonaws.com", "DescribeCluster", 6, True, True, lambda: {"name": "prod-eks"}, none),
    ("rds.amazonaws.com", "DescribeDBInstances", 6, True, True, none, none),
    ("rds.amazonaws.com", "ModifyDBInstance", 1, False, True,
     lambda: {"dBInstanceIdentifier": "db-" + hexid(4), "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
     lambda: {"dBInstanceIdentifier": "db-x", "pendingModifiedValues": {"masterUserPassword": "****"}}),
    ("signin.amazonaws.com", "ConsoleLogin", 3, False, True, none, "console"),
    ("config.amazonaws.com", "PutEvaluations", 8, False, True, lambda: {"resultToken": "eyJ" + rid(80), "testMode": False},
     none),
    ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", 5, True, True, none, none),
    ("route53.amazonaws.com", "ListHostedZones", 3, True, True, none, none),
    ("bedrock.amazonaws.com", "ListFoundationModels", 2, True, True, none, none),
    ("bedrock-runtime.amazonaws.com", "InvokeModel", 2, True, False,
     lambda: {"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}, none),
    ("sso.amazonaws.com", "ListAccountAssignments", 2, True, True,
     lambda: {"instanceArn": "arn:aws:sso:::instance/ssoins-" + hexid(16)}, none),
    ("organizations.amazonaws.com", "DescribeOrganization", 2, True, True, none, none),
    # the root user's name on an event AWS made on its behalf: excepted by root-account-usage
    ("health.amazonaws.com", "RootServiceEvent", 0.2, True, True, none, none),
]
CUM = []
_t = 0.0
for _e in E:
    _t += _e[2]
    CUM.append(_t)
TOTAL_WEIGHT = _t

ERRORS = ["AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException", "ValidationException"]


def pick_event():
    x = rnd.random() * TOTAL_WEIGHT
    lo, hi = 0, len(CUM) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if CUM[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return E[lo]


def envelope(ui, src, name, when, ua=None, ip=None):
    return {
        "eventVersion": "1.09",
        "userIdentity": ui,
        "eventTime": when,
        "eventSource": src,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": ip or pick(IPS),
        "userAgent": ua or pick(UAS),
    }


def finish(r, ui, src, ro, mgmt, event_type=None):
    r["requestID"] = uuid4()
    r["eventID"] = uuid4()
    r["readOnly"] = ro
    if src == "kms.amazonaws.com":
        r["resources"] = [{"accountId": ACCT, "type": "AWS::KMS::Key",
                           "ARN": "arn:aws:kms:%s:%s:key/%s" % (REGION, ACCT, uuid4())}]
    if event_type is None:
        event_type = "AwsApiCall" if ui.get("type") != "AWSService" or rnd.random() < 0.5 else "AwsServiceEvent"
    r["eventType"] = event_type
    r["managementEvent"] = mgmt
    r["recipientAccountId"] = ACCT
    if event_type == "AwsServiceEvent":
        r["sharedEventID"] = uuid4()
    r["eventCategory"] = "Management" if mgmt else "Data"
    if ui.get("type") not in ("AWSService",) and event_type == "AwsApiCall":
        r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": src.replace("amazonaws.com", REGION + ".amazonaws.com")}
    return r


def console_login(when, ui, success, mfa):
    r = envelope(ui, "signin.amazonaws.com", "ConsoleLogin", when, ua=BROWSER_UA,
                 ip=pick(["198.51.100.23", "203.0.113.77", "185.220.101.4"]))
    if not success:
        r["errorMessage"] = "Failed authentication"
    r["requestParameters"] = None
    r["responseElements"] = {"ConsoleLogin": "Success" if success else "Failure"}
    extra = {"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
             "MobileVersion": "No"}
    if mfa == "Yes":
        extra["MFAIdentifier"] = "arn:aws:iam::%s:mfa/dev" % ACCT
    extra["MFAUsed"] = mfa
    r["additionalEventData"] = extra
    return finish(r, ui, "signin.amazonaws.com", False, True, "AwsConsoleSignIn")


def background(when):
    src, name, _, ro, mgmt, req, resp = pick_event()
    if name == "ConsoleLogin":
        # near misses of console-login-without-mfa: MFA used, an SSO role, or a failed login
        x = rnd.random()
        if x < 0.6:
            return console_login(when, iam_user(), True, "Yes")
        if x < 0.85:
            return console_login(when, assumed_role("AWSReservedSSO_Admin_1a2b"), True, "No")
        return console_login(when, iam_user(), False, "No")
    if name == "RootServiceEvent":
        ui = root_user()
        r = envelope(ui, src, "AWSHealthEvent", when, ua="health.amazonaws.com", ip="health.amazonaws.com")
        r["requestParameters"] = None
        r["responseElements"] = None
        r["serviceEventDetails"] = {"eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE", "service": "EC2"}
        return finish(r, ui, src, ro, mgmt, "AwsServiceEvent")
    ui = identity()
    r = envelope(ui, src, name, when)
    err = resp == "error" or rnd.random() < 0.04
    if err:
        r["errorCode"] = "EntityAlreadyExists" if resp == "error" and rnd.random() < 0.5 else pick(ERRORS)
        r["errorMessage"] = "User: %s is not authorized to perform: %s:%s" % (
            ui.get("arn", "svc"), src.split(".")[0], name)
    r["requestParameters"] = req()
    r["responseElements"] = None if err or resp in ("error",) else resp()
    if src == "s3.amazonaws.com" and not mgmt:
        r["additionalEventData"] = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                    "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                    "x-amz-id-2": rid(60, "abcdefghijklmnopqrstuvwxyz0123456789+/"),
                                    "bytesTransferredOut": rnd.randint(100, 10**7)}
    return finish(r, ui, src, ro, mgmt)


# ------------------------------------------------------------------- planted --
# One per rule of bench/rules13, in the same order as the manifest's "planted" keys.
# Each fires exactly that rule (and no other of the 13).

def call(when, ui, src, name, req, resp=None, ro=False, ua=None):
    r = envelope(ui, src, name, when, ua=ua)
    r["requestParameters"] = req
    r["responseElements"] = resp
    return finish(r, ui, src, ro, True)


def p_console(when):
    return console_login(when, iam_user(), True, "No")


def p_attach_admin(when):
    return call(when, human(), "iam.amazonaws.com", "AttachUserPolicy",
                {"userName": pick(USERS), "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})


def p_stop_logging(when):
    return call(when, human(), "cloudtrail.amazonaws.com", "StopLogging",
                {"name": "arn:aws:cloudtrail:us-east-1:%s:trail/main" % ACCT})


def p_delete_trail(when):
    return call(when, human(), "cloudtrail.amazonaws.com", "DeleteTrail",
                {"name": "arn:aws:cloudtrail:us-east-1:%s:trail/main" % ACCT})


def p_delete_detector(when):
    return call(when, human(), "guardduty.amazonaws.com", "DeleteDetector", {"detectorId": hexid(32)})


def p_create_key(when):
    return call(when, human(), "iam.amazonaws.com", "CreateAccessKey", {"userName": pick(USERS)}, access_key_response())


def p_create_user(when):
    return call(when, human(), "iam.amazonaws.com", "CreateUser", {"userName": "svc-" + hexid(4)}, user_response())


def p_root(when):
    ui = root_user()
    x = rnd.random()
    if x < 0.25:
        return console_login(when, ui, True, "Yes")
    name, src, req = pick([("ListBuckets", "s3.amazonaws.com", {"Host": "s3.amazonaws.com"}),
                           ("GetCallerIdentity", "sts.amazonaws.com", None),
                           ("DescribeInstances", "ec2.amazonaws.com", {"instancesSet": {}, "filterSet": {}}),
                           ("GetAccountSummary", "iam.amazonaws.com", None)])
    return call(when, ui, src, name, req, ro=True)


def p_weak_password(when):
    return call(when, human(), "iam.amazonaws.com", "UpdateAccountPasswordPolicy", password_policy(pick([6, 8, 13])))


def p_sg_open(when):
    return call(when, human(), "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", sg_ingress_open(), sg_response())


def p_deactivate_mfa(when):
    u = pick(USERS)
    if rnd.random() < 0.5:
        return call(when, human(), "iam.amazonaws.com", "DeactivateMFADevice",
                    {"userName": u, "serialNumber": "arn:aws:iam::%s:mfa/%s" % (ACCT, u)})
    return call(when, human(), "iam.amazonaws.com", "DeleteVirtualMFADevice",
                {"serialNumber": "arn:aws:iam::%s:mfa/%s" % (ACCT, u)})


def p_login_profile(when):
    u = pick(USERS)
    return call(when, human(), "iam.amazonaws.com", "CreateLoginProfile",
                {"userName": u, "passwordResetRequired": False},
                {"loginProfile": {"userName": u, "createDate": "May 1, 2024 10:00:00 AM", "passwordResetRequired": False}})


def p_snapshot(when):
    item = {"userId": "999988887777"} if rnd.random() < 0.7 else {"group": "all"}
    return call(when, human(), "ec2.amazonaws.com", "ModifySnapshotAttribute", snapshot_perm("add", item),
                {"requestId": uuid4(), "_return": True})


PLANTS = [
    ("console-login-without-mfa", p_console),
    ("iam-attach-admin-policy-user", p_attach_admin),
    ("cloudtrail-stop-logging", p_stop_logging),
    ("cloudtrail-delete-trail", p_delete_trail),
    ("guardduty-delete-detector", p_delete_detector),
    ("iam-create-access-key", p_create_key),
    ("iam-create-user", p_create_user),
    ("root-account-usage", p_root),
    ("iam-weak-password-policy", p_weak_password),
    ("ec2-security-group-open-to-world", p_sg_open),
    ("iam-deactivate-mfa", p_deactivate_mfa),
    ("iam-create-login-profile", p_login_profile),
    ("ec2-snapshot-shared", p_snapshot),
]


# ---------------------------------------------------------------------- files --

def gen_file(task):
    """Write one CloudTrail file; returns (relpath, records, uncompressed bytes, compressed bytes, planted)."""
    global rnd, ACCT, REGION
    out, idx, seed, acct, region, delivered, n, plants = task
    rnd = random.Random("%s:%d" % (seed, idx))
    ACCT, REGION = acct, region
    t_end = START + datetime.timedelta(seconds=delivered)
    suffix = rid(16, ALNUM)
    rel = os.path.join("AWSLogs", acct, "CloudTrail", region, t_end.strftime("%Y"), t_end.strftime("%m"),
                       t_end.strftime("%d"), "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region,
                                                                              t_end.strftime("%Y%m%dT%H%MZ"), suffix))
    base = delivered - WINDOW
    offsets = sorted(rnd.random() * WINDOW for _ in range(n))
    recs = []
    for pos, off in enumerate(offsets):
        when = (START + datetime.timedelta(seconds=int(base + off))).strftime("%Y-%m-%dT%H:%M:%SZ")
        k = plants.get(pos)
        recs.append(PLANTS[k][1](when) if k is not None else background(when))
    data = json.dumps({"Records": recs}, separators=(",", ":")).encode()
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    gz = gzip.compress(data, compresslevel=6, mtime=0)
    with open(path, "wb") as fh:
        fh.write(gz)
    return rel, n, len(data), len(gz), sorted(plants.values())


def plan(out, events, seed):
    """The list of files to write: who, where, when, how many records, which ones planted."""
    r = random.Random("plan:%s" % seed)
    nfiles = max(1, round(events / EVENTS_PER_FILE))
    streams = [(a, g, wa * wg) for a, wa in ACCOUNTS for g, wg in REGIONS]
    sw = [s[2] for s in streams]
    chosen = [r.choices(range(len(streams)), sw)[0] for _ in range(nfiles)]
    # busier regions also write bigger files
    weights = [r.uniform(0.25, 1.75) * (1.5 if streams[c][1] == "us-east-1" else 1.0) for c in chosen]
    total = sum(weights)
    counts = [max(1, int(events * w / total)) for w in weights]
    i = 0
    while sum(counts) < events:
        counts[i % nfiles] += 1
        i += 1
    while sum(counts) > events:
        j = max(range(nfiles), key=lambda k: counts[k])
        counts[j] -= 1
    # each (account, region) delivers a file every SLOT seconds, with some jitter
    next_slot = {}
    delivered = []
    for c in chosen:
        s = next_slot.get(c, 0)
        next_slot[c] = s + 1
        delivered.append(WINDOW + s * SLOT + r.randint(0, 120))
    # planted records: rule k of the 13 gets every 13th, at random places
    nplant = min(events, max(4 * len(PLANTS), events // 2000))
    where = r.sample(range(events), nplant)
    starts = []
    acc = 0
    for c in counts:
        starts.append(acc)
        acc += c
    plants = [dict() for _ in range(nfiles)]
    import bisect
    for j, g in enumerate(where):
        f = bisect.bisect_right(starts, g) - 1
        plants[f][g - starts[f]] = j % len(PLANTS)
    return [(out, i, seed, streams[chosen[i]][0], streams[chosen[i]][1], delivered[i], counts[i], plants[i])
            for i in range(nfiles)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="tree root (replaced)")
    ap.add_argument("--events", type=int, default=1_600_000)
    ap.add_argument("--seed", default="42")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--manifest", help="write the manifest (JSON) here; default OUT.json")
    a = ap.parse_args()
    manifest = a.manifest or a.out.rstrip("/") + ".json"
    if os.path.exists(manifest):
        os.remove(manifest)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    tasks = plan(a.out, a.events, a.seed)
    t0 = time.time()
    results = []
    if a.jobs > 1:
        with multiprocessing.Pool(a.jobs) as pool:
            for k, res in enumerate(pool.imap_unordered(gen_file, tasks, chunksize=8)):
                results.append(res)
                if (k + 1) % 500 == 0:
                    print("gen_cloudtrail: %d/%d files, %.0f s" % (k + 1, len(tasks), time.time() - t0),
                          file=sys.stderr)
    else:
        results = [gen_file(t) for t in tasks]
    results.sort()
    planted = {name: 0 for name, _ in PLANTS}
    for res in results:
        for k in res[4]:
            planted[PLANTS[k][0]] += 1
    info = {
        "generator_version": GENERATOR_VERSION,
        "events_requested": a.events,
        "seed": a.seed,
        "files": len(results),
        "events": sum(r[1] for r in results),
        "bytes_uncompressed": sum(r[2] for r in results),
        "bytes_compressed": sum(r[3] for r in results),
        "planted": planted,
        "generate_seconds": round(time.time() - t0, 1),
    }
    with open(manifest, "w") as fh:
        json.dump(info, fh, indent=1)
    print("gen_cloudtrail: %d files, %d events, %.1f MB uncompressed (%.1f MB gzip), %.0f B/event, %d planted, %.0f s"
          % (info["files"], info["events"], info["bytes_uncompressed"] / 1e6, info["bytes_compressed"] / 1e6,
             info["bytes_uncompressed"] / max(1, info["events"]), sum(planted.values()), info["generate_seconds"]),
          file=sys.stderr)


if __name__ == "__main__":
    main()
