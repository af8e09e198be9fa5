#!/usr/bin/env python3
"""Write an exported `keyward audit` snapshot folder of a large account, for the offline half of
the audit benchmark.

    python3 bench/gen_audit_folder.py --out bench/work/audit/folder-10000 --principals 10000 \
        --seed 42 --as-of 2026-11-23 --manifest bench/work/audit/folder-10000.json

The folder is laid out as `aws` CLI output files (the layout of
crates/keyward-audit/src/snapshot.rs): `iam-get-account-authorization-details.json` (printed as
the CLI prints it, 4-space indents, documents as JSON objects), a matching
`iam-credential-report.csv` (root row first), the password policy, the account summary, the
caller identity, and us-east-1's CloudTrail, Config, GuardDuty, Security Hub and Access Analyzer
answers. Cloudsplaining reads the same authorization details file.

What is in it (--principals P, default 10,000): 60% users and 40% roles (2% of them
service-linked), one group per 30 users, one customer managed policy per 7 principals (a quarter
with 2-3 versions), inline policies on a quarter of the users, half the roles and a third of the
groups, and the AWS managed policies they attach. Policy statements use real actions and
resource ARNs of 14 services, some with conditions. The misconfigurations come at rates seen in
real accounts: 1% of principals hold AdministratorAccess, 2% of customer policies allow "*" on
"*", 4% of them and 2% of inline policies carry a privilege-escalation method, 1% of roles trust
any principal, 3% trust GitHub's OIDC provider (half without a `sub` condition), 45% of users
have a console password (30% of those without MFA), 55% an access key (aged 1-900 days).

The AWS managed policies' documents are moto's copy of AWS's (moto.iam.aws_managed_policies,
when moto is importable: run it with the moto venv's python, as bench/audit.sh does); otherwise
small stand-ins with the same names (the manifest says which). Deterministic for a given seed,
principal count and --as-of.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import sys

GENERATOR_VERSION = 1
ACCOUNT = "210987654321"
REGION = "us-east-1"

# service -> (read/write actions, resource ARN template)
SERVICES = {
    "s3": (["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketLocation",
            "s3:GetObjectTagging", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
           ["arn:aws:s3:::{app}-{env}-data", "arn:aws:s3:::{app}-{env}-data/*"]),
    "dynamodb": (["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan",
                  "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                  "dynamodb:DescribeTable"],
                 ["arn:aws:dynamodb:{region}:{account}:table/{app}-{env}",
                  "arn:aws:dynamodb:{region}:{account}:table/{app}-{env}/index/*"]),
    "sqs": (["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
             "sqs:ChangeMessageVisibility"], ["arn:aws:sqs:{region}:{account}:{app}-{env}-jobs"]),
    "sns": (["sns:Publish", "sns:Subscribe", "sns:ListSubscriptionsByTopic"],
            ["arn:aws:sns:{region}:{account}:{app}-{env}-events"]),
    "logs": (["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
             ["arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{app}-{env}:*"]),
    "kms": (["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            ["arn:aws:kms:{region}:{account}:key/{uuid}"]),
    "ssm": (["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            ["arn:aws:ssm:{region}:{account}:parameter/{app}/{env}/*"]),
    "secretsmanager": (["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                       ["arn:aws:secretsmanager:{region}:{account}:secret:{app}/{env}/*"]),
    "lambda": (["lambda:InvokeFunction", "lambda:GetFunction", "lambda:UpdateFunctionConfiguration"],
               ["arn:aws:lambda:{region}:{account}:function:{app}-{env}-*"]),
    "ec2": (["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "ec2:CreateTags",
             "ec2:DescribeSecurityGroups"], ["*"]),
    "ecr": (["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
             "ecr:PutImage", "ecr:InitiateLayerUpload"], ["arn:aws:ecr:{region}:{account}:repository/{app}"]),
    "cloudwatch": (["cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], ["*"]),
    "states": (["states:StartExecution", "states:DescribeExecution"],
               ["arn:aws:states:{region}:{account}:stateMachine:{app}-{env}"]),
    "athena": (["athena:StartQueryExecution", "athena:GetQueryResults", "athena:GetQueryExecution"],
               ["arn:aws:athena:{region}:{account}:workgroup/{app}"]),
}
APPS = ["orders", "billing", "search", "catalog", "payments", "auth", "reports", "media", "ingest", "ml",
        "crm", "inventory", "shipping", "analytics", "notify", "gateway"]
ENVS = ["prod", "staging", "dev", "qa"]
# Each a known privilege-escalation method (Rhino Security Labs' list).
ESCALATIONS = [
    [{"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:ListPolicyVersions"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::{account}:role/*"},
     {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:AttachGroupPolicy"], "Resource": "*"}],
    [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::{account}:user/*"}],
    [{"Effect": "Allow", "Action": ["iam:PassRole", "cloudformation:CreateStack"], "Resource": "*"}],
]
# Attached by the generated principals; the documents come from moto when it is importable.
AWS_MANAGED = ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AWSLambdaBasicExecutionRole",
               "AmazonSSMManagedInstanceCore", "AmazonECSTaskExecutionRolePolicy", "CloudWatchAgentServerPolicy",
               "AmazonDynamoDBReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess", "AmazonEC2ReadOnlyAccess",
               "AWSLambdaVPCAccessExecutionRole", "AmazonSQSFullAccess"]
ADMIN = "AdministratorAccess"
SERVICE_PATHS = {"AWSLambdaBasicExecutionRole": "/service-role/", "AmazonECSTaskExecutionRolePolicy": "/service-role/",
                 "AWSLambdaVPCAccessExecutionRole": "/service-role/"}


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Gen:
    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.ids = set()

    def uid(self, prefix):
        while True:
            s = prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
            if s not in self.ids:
                self.ids.add(s)
                return s

    def ago(self, lo, hi):
        return self.now - dt.timedelta(days=self.rng.uniform(lo, hi))

    def fill(self, s, app, env):
        return (s.replace("{app}", app).replace("{env}", env).replace("{region}", REGION)
                .replace("{account}", ACCOUNT)
                .replace("{uuid}", "%08x-%04x-4%03x-8%03x-%012x" % tuple(
                    self.rng.getrandbits(b) for b in (32, 16, 12, 12, 48))))

    def statement(self, app=None, env=None):
        rng = self.rng
        app = app or rng.choice(APPS)
        env = env or rng.choice(ENVS)
        svc = rng.choice(list(SERVICES))
        actions, resources = SERVICES[svc]
        st = {"Sid": "%s%s%s" % (svc.capitalize(), app.capitalize(), env.capitalize()), "Effect": "Allow",
              "Action": sorted(rng.sample(actions, rng.randint(1, len(actions))))}
        res = [self.fill(r, app, env) for r in resources]
        st["Resource"] = res[0] if len(res) == 1 else res
        if rng.random() < 0.2:
            st["Condition"] = rng.choice([
                {"StringEquals": {"aws:RequestedRegion": REGION}},
                {"Bool": {"aws:SecureTransport": "true"}},
                {"StringEquals": {"aws:PrincipalTag/team": app}},
                {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}},
            ])
        return st

    def document(self, n_statements, extra=()):
        sts = [self.statement() for _ in range(n_statements)]
        for e in extra:
            sts.append(json.loads(json.dumps(e).replace("{account}", ACCOUNT)))
        return {"Version": "2012-10-17", "Statement": sts}


def aws_managed_docs():
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data
    except ImportError:
        return None
    return json.loads(aws_managed_policies_data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--principals", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", default="2026-11-23")
    ap.add_argument("--manifest", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    now = dt.datetime.fromisoformat(a.as_of).replace(tzinfo=dt.timezone.utc, hour=9)
    g = Gen(rng, now)
    P = a.principals
    n_users = P * 6 // 10
    n_roles = P - n_users
    n_groups = max(1, n_users // 30)
    n_policies = max(1, P // 7)
    planted = {}

    def plant(kind):
        planted[kind] = planted.get(kind, 0) + 1

    managed_src = aws_managed_docs()
    # ---- managed policies -------------------------------------------------------------------
    aws_policies = {}
    for name in [ADMIN] + AWS_MANAGED:
        if managed_src and name in managed_src:
            m = managed_src[name]
            d, ver, path = m["Document"], m["DefaultVersionId"], m["Path"]
        elif name == ADMIN:
            d, ver, path = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "v1", "/"
        else:
            d, ver, path = g.document(3), "v1", SERVICE_PATHS.get(name, "/")
        aws_policies[name] = {"PolicyName": name, "PolicyId": g.uid("ANPA"),
                              "Arn": "arn:aws:iam::aws:policy%s%s" % (path, name), "Path": path,
                              "DefaultVersionId": ver, "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
                              "IsAttachable": True, "CreateDate": "2015-02-06T18:39:46Z",
                              "UpdateDate": "2024-01-10T17:00:00Z",
                              "PolicyVersionList": [{"Document": d, "VersionId": ver, "IsDefaultVersion": True,
                                                     "CreateDate": "2024-01-10T17:00:00Z"}]}
    customer = []
    for i in range(n_policies):
        app, env = rng.choice(APPS), rng.choice(ENVS)
        r = rng.random()
        if r < 0.02:
            latest, kind = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "full-admin"
        elif r < 0.06:
            latest, kind = g.document(rng.randint(1, 4), rng.choice(ESCALATIONS)), "escalation"
        elif r < 0.09:
            latest, kind = g.document(rng.randint(1, 3), [{"Effect": "Allow", "Action": rng.choice(["s3:*", "ec2:*", "dynamodb:*"]), "Resource": "*"}]), "service-wildcard"
        else:
            latest, kind = g.document(rng.randint(2, 9)), "benign"
        plant("policy:" + kind)
        nver = 1 if rng.random() < 0.75 else rng.randint(2, 3)
        created = g.ago(30, 1500)
        versions = []
        for v in range(1, nver + 1):
            versions.append({"Document": latest if v == nver else g.document(rng.randint(1, 6)),
                             "VersionId": "v%d" % v, "IsDefaultVersion": v == nver,
                             "CreateDate": iso(created + dt.timedelta(days=v * 7))})
        versions.reverse()  # newest first, as IAM lists them
        name = "%s-%s-%s-%04d" % (app, env, rng.choice(["access", "rw", "ro", "deploy", "ops"]), i)
        customer.append({"PolicyName": name, "PolicyId": g.uid("ANPA"),
                         "Arn": "arn:aws:iam::%s:policy/%s" % (ACCOUNT, name), "Path": "/",
                         "DefaultVersionId": "v%d" % nver, "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
                         "IsAttachable": True, "CreateDate": iso(created),
                         "UpdateDate": versions[0]["CreateDate"], "PolicyVersionList": versions, "_kind": kind})
    benign_pool = [p for p in customer if p["_kind"] == "benign"]
    by_name = {p["PolicyName"]: p for p in list(aws_policies.values()) + customer}

    def attach(p, where):
        by_name[p["PolicyName"]]["AttachmentCount"] += 1
        where.append({"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]})

    def pick_customer():
        # Risky policies are attached as often as benign ones, in proportion.
        return rng.choice(customer)

    def inline_policy(prefix, risky_rate):
        if rng.random() < risky_rate:
            plant("inline:escalation")
            d = g.document(rng.randint(0, 2), rng.choice(ESCALATIONS))
        else:
            d = g.document(rng.randint(1, 6))
        return {"PolicyName": "%s-%s" % (prefix, rng.choice(APPS)), "PolicyDocument": d}

    # ---- groups -----------------------------------------------------------------------------
    groups = []
    for i in range(n_groups):
        name = "%s-%s-%03d" % (rng.choice(APPS), rng.choice(["devs", "ops", "readers", "oncall", "analysts"]), i)
        gd = {"Path": "/", "GroupName": name, "GroupId": g.uid("AGPA"),
              "Arn": "arn:aws:iam::%s:group/%s" % (ACCOUNT, name), "CreateDate": iso(g.ago(200, 2000)),
              "GroupPolicyList": [], "AttachedManagedPolicies": []}
        if i % 50 == 0:
            attach(aws_policies[ADMIN], gd["AttachedManagedPolicies"])
            plant("admin-group")
        else:
            for p in rng.sample(benign_pool, min(len(benign_pool), rng.randint(1, 3))):
                attach(p, gd["AttachedManagedPolicies"])
            if rng.random() < 0.3:
                attach(aws_policies[rng.choice(AWS_MANAGED)], gd["AttachedManagedPolicies"])
        if rng.random() < 0.33:
            gd["GroupPolicyList"].append(inline_policy("group", 0.02))
        groups.append(gd)
    admin_groups = [gd["GroupName"] for gd in groups if any(p["PolicyName"] == ADMIN for p in gd["AttachedManagedPolicies"])]

    # ---- users and the credential report ----------------------------------------------------
    users = []
    header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
              "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
              "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
              "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
              "cert_1_last_rotated,cert_2_active,cert_2_last_rotated").split(",")
    rows = [["<root_account>", "arn:aws:iam::%s:root" % ACCOUNT, "2019-04-01T02:00:00+00:00", "not_supported",
             csv_time(g.ago(40, 200)), "not_supported", "not_supported", "false", "false", "N/A", "N/A", "N/A",
             "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"]]
    for i in range(n_users):
        name = "%s.%s%04d" % (rng.choice(["dev", "ops", "svc", "ci", "ana", "sec"]), rng.choice(APPS), i)
        created = g.ago(10, 2200)
        ud = {"Path": "/", "UserName": name, "UserId": g.uid("AIDA"),
              "Arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name), "CreateDate": iso(created),
              "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": [],
              "Tags": [{"Key": "team", "Value": rng.choice(APPS)}]}
        k = rng.random()
        if k < 0.01:
            attach(aws_policies[ADMIN], ud["AttachedManagedPolicies"])
            plant("admin-user-direct")
        elif k < 0.015 and admin_groups:
            ud["GroupList"].append(rng.choice(admin_groups))
            plant("admin-user-group")
        for gd in rng.sample(groups, min(len(groups), rng.choice([0, 1, 1, 1, 2, 2, 3]))):
            if gd["GroupName"] not in admin_groups and gd["GroupName"] not in ud["GroupList"]:
                ud["GroupList"].append(gd["GroupName"])
        if rng.random() < 0.2:
            attach(pick_customer(), ud["AttachedManagedPolicies"])
        if rng.random() < 0.1:
            attach(aws_policies[rng.choice(AWS_MANAGED)], ud["AttachedManagedPolicies"])
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 2)):
                ud["UserPolicyList"].append(inline_policy("user", 0.02))
        users.append(ud)
        # credentials
        console = rng.random() < 0.45
        mfa = console and rng.random() < 0.7
        if console and not mfa:
            plant("console-without-mfa")
        pw_changed = created + dt.timedelta(days=rng.uniform(0, (now - created).days))
        pw_used = g.ago(0, 400) if console and rng.random() < 0.85 else None
        keys = []
        nkeys = 0 if rng.random() < 0.45 else (2 if rng.random() < 0.15 else 1)
        for _ in range(nkeys):
            rot = created + dt.timedelta(days=rng.uniform(0, (now - created).days))
            used = None if rng.random() < 0.1 else rot + dt.timedelta(days=rng.uniform(0, (now - rot).days))
            active = rng.random() < 0.9
            keys.append((active, rot, used))
            if active and (now - rot).days > 90:
                plant("old-active-key")
        while len(keys) < 2:
            keys.append(None)
        row = [name, ud["Arn"], csv_time(created), "true" if console else "false",
               (csv_time(pw_used) if pw_used else "no_information") if console else "N/A",
               csv_time(pw_changed) if console else "N/A", "N/A", "true" if mfa else "false"]
        for key in keys:
            if key is None:
                row += ["false", "N/A", "N/A", "N/A", "N/A"]
            else:
                active, rot, used = key
                row += ["true" if active else "false", csv_time(rot), csv_time(used) if used else "N/A",
                        rng.choice(["us-east-1", "us-west-2", "ap-northeast-1"]) if used else "N/A",
                        rng.choice(["s3", "sts", "dynamodb", "ecr", "lambda"]) if used else "N/A"]
        row += ["false", "N/A", "false", "N/A"]
        rows.append(row)

    # ---- roles --------------------------------------------------------------------------------
    roles = []
    for i in range(n_roles):
        k = rng.random()
        if k < 0.02:
            svc = rng.choice(["elasticloadbalancing", "autoscaling", "rds", "ecs", "organizations"])
            name, path = "AWSServiceRoleFor%s%d" % (svc.capitalize(), i), "/aws-service-role/%s.amazonaws.com/" % svc
            trust = [{"Effect": "Allow", "Principal": {"Service": "%s.amazonaws.com" % svc}, "Action": "sts:AssumeRole"}]
        else:
            name, path = "%s-%s-%s-%04d" % (rng.choice(APPS), rng.choice(ENVS), rng.choice(["lambda", "task", "ec2", "deploy", "ci", "xacct"]), i), "/"
            t = rng.random()
            if t < 0.01:
                trust = [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
                plant("role-trust-anyone")
            elif t < 0.04:
                cond = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
                if rng.random() < 0.5:
                    cond["StringLike"] = {"token.actions.githubusercontent.com:sub": "repo:example-org/%s:*" % rng.choice(APPS)}
                else:
                    plant("role-trust-oidc-unscoped")
                trust = [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % ACCOUNT},
                          "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}]
            elif t < 0.15:
                trust = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%012d:root" % rng.randint(10 ** 11, 10 ** 12 - 1)},
                          "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "ext-%06d" % i}}}]
            else:
                trust = [{"Effect": "Allow", "Principal": {"Service": rng.choice(["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "codebuild.amazonaws.com"])},
                          "Action": "sts:AssumeRole"}]
        created = g.ago(1, 1800)
        rd = {"Path": path, "RoleName": name, "RoleId": g.uid("AROA"),
              "Arn": "arn:aws:iam::%s:role%s%s" % (ACCOUNT, path, name), "CreateDate": iso(created),
              "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
              "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
              "Tags": [], "RoleLastUsed": {}}
        if rng.random() < 0.8:
            used = g.ago(0, (now - created).days)
            rd["RoleLastUsed"] = {"LastUsedDate": iso(used), "Region": rng.choice(["us-east-1", "us-west-2", "ap-northeast-1"])}
        if not path.startswith("/aws-service-role/"):
            if rng.random() < 0.01:
                attach(aws_policies[ADMIN], rd["AttachedManagedPolicies"])
                plant("admin-role")
            for p in rng.sample(customer, rng.randint(0, 2)):
                attach(p, rd["AttachedManagedPolicies"])
            if rng.random() < 0.4:
                attach(aws_policies[rng.choice(AWS_MANAGED)], rd["AttachedManagedPolicies"])
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 2)):
                    rd["RolePolicyList"].append(inline_policy("role", 0.02))
            if "-ec2-" in name:
                rd["InstanceProfileList"].append({"Path": "/", "InstanceProfileName": name, "InstanceProfileId": g.uid("AIPA"),
                                                  "Arn": "arn:aws:iam::%s:instance-profile/%s" % (ACCOUNT, name),
                                                  "CreateDate": iso(created), "Roles": []})
        roles.append(rd)

    for p in customer:
        del p["_kind"]
    used_aws = [p for p in aws_policies.values() if p["AttachmentCount"] > 0]
    details = {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
               "Policies": customer + used_aws}

    # ---- write ----------------------------------------------------------------------------------
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, REGION, "cloudtrail-get-trail-status"))
    os.makedirs(os.path.join(a.out, REGION, "cloudtrail-get-event-selectors"))

    def write(rel, obj):
        with open(os.path.join(a.out, rel), "w") as fh:
            json.dump(obj, fh, indent=4)
            fh.write("\n")

    write("iam-get-account-authorization-details.json", details)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(a.out, "iam-credential-report.csv"), "w") as fh:
        fh.write(buf.getvalue())
    write("sts-get-caller-identity.json", {"UserId": "AIDA" + "AUDITOR" * 2 + "XYZ", "Account": ACCOUNT,
                                           "Arn": "arn:aws:iam::%s:user/auditor" % ACCOUNT})
    write("iam-get-account-password-policy.json", {"PasswordPolicy": {
        "MinimumPasswordLength": 8, "RequireSymbols": False, "RequireNumbers": True,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True, "ExpirePasswords": False, "HardExpiry": False}})
    write("iam-get-account-summary.json", {"SummaryMap": {
        "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "Users": n_users, "Groups": n_groups,
        "Roles": n_roles, "Policies": n_policies}})
    trail = {"Name": "org-trail", "S3BucketName": "trail-logs-%s" % ACCOUNT, "IsMultiRegionTrail": False,
             "HomeRegion": REGION, "TrailARN": "arn:aws:cloudtrail:%s:%s:trail/org-trail" % (REGION, ACCOUNT),
             "LogFileValidationEnabled": False, "HasCustomEventSelectors": False, "IsOrganizationTrail": False}
    write(REGION + "/cloudtrail-describe-trails.json", {"trailList": [trail]})
    write(REGION + "/cloudtrail-get-trail-status/org-trail.json", {"IsLogging": True})
    write(REGION + "/cloudtrail-get-event-selectors/org-trail.json", {"TrailARN": trail["TrailARN"], "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []}]})
    write(REGION + "/guardduty-list-detectors.json", {"DetectorIds": []})
    write(REGION + "/configservice-describe-configuration-recorders.json", {"ConfigurationRecorders": []})
    write(REGION + "/configservice-describe-configuration-recorder-status.json", {"ConfigurationRecordersStatus": []})
    write(REGION + "/securityhub-get-enabled-standards.json", {"StandardsSubscriptions": []})
    write(REGION + "/accessanalyzer-list-analyzers.json", {"analyzers": []})

    ad = os.path.join(a.out, "iam-get-account-authorization-details.json")
    manifest = {
        "generator_version": GENERATOR_VERSION, "seed": a.seed, "principals": P, "as_of": a.as_of,
        "account": ACCOUNT,
        "aws_managed_documents": "moto %s" % __import__("moto").__version__ if managed_src else "stand-ins",
        "counts": {"users": n_users, "roles": n_roles, "groups": n_groups, "customer_policies": n_policies,
                   "aws_managed_policies": len(used_aws),
                   "inline_policies": sum(len(u["UserPolicyList"]) for u in users)
                   + sum(len(r["RolePolicyList"]) for r in roles) + sum(len(x["GroupPolicyList"]) for x in groups)},
        "authorization_details_bytes": os.path.getsize(ad),
        "credential_report_bytes": os.path.getsize(os.path.join(a.out, "iam-credential-report.csv")),
        "planted": planted,
    }
    with open(a.manifest, "w") as fh:
        json.dump(manifest, fh, indent=1)
    print("wrote %s: %s" % (a.out, json.dumps(manifest["counts"])), file=sys.stderr)


if __name__ == "__main__":
    main()
