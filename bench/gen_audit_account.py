#!/usr/bin/env python3
"""Seed an AWS account on a moto server (boto3, through --endpoint-url) for the audit benchmark.

    ~/.cache/keyward/moto-5.2.5/bin/python bench/gen_audit_account.py \
        --endpoint-url http://127.0.0.1:5055 --account 100000000001 --scale 1 \
        --manifest bench/work/audit/account-1x.json [--clock-file FILE]

The account is a fresh, empty one: STS AssumeRole on moto hands out credentials for whatever
account the role ARN names (`arn:aws:iam::<account>:role/x`), and every service keys its state
by that account, so two scales seeded on one server do not mix. The credentials are written to
the manifest (they are moto's, for a server on loopback) so that the benchmark runs the tools
as that account.

Scale N (1x is about 50 users, 20 roles, 10 groups and 30 customer managed policies; N times
that at N x), with the mix of misconfigurations incident write-ups keep finding, in us-east-1:

  - console users without MFA (and some with a virtual MFA device), users with access keys,
    some older than 90 days (see --clock-file), a few with two active keys;
  - AdministratorAccess attached to users, to an admin group and to roles; customer managed
    policies allowing "*" on "*"; service-wide wildcards (s3:*, ec2:*);
  - escalation-capable policies, inline and managed: iam:CreatePolicyVersion,
    iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction, iam:AttachUserPolicy,
    iam:PutRolePolicy (on a role, which acts as itself);
  - roles whose trust policy allows any AWS principal ("*");
  - a weak password policy (8 characters, no reuse prevention, no expiry);
  - one CloudTrail trail, single-Region, logging, without log file validation;
  - no GuardDuty detector, no AWS Config recorder;
  - security groups open to the world on 22 and 3389; Lambda functions with an AWS key pair in
    their environment, one public, some on an unsupported runtime; ECS task definitions with a
    privileged container, the host's PID namespace, or a secret in the environment.

Access key ages: moto stamps a key with its own clock. With --clock-file, the moto server was
started under libfaketime reading its offset from that file (see bench/audit.sh); the old
users, policies and keys are then made at "-400d" and the rest at "+0". Without it every key
is new and the rotation checks have nothing to find (the manifest says which).

Deterministic for a given --scale and --seed (names, mix and documents; not moto's ids).
"""

import argparse
import json
import random
import string
import sys
import time

import boto3
from botocore.config import Config

REGION = "us-east-1"
GENERATOR_VERSION = 1
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
AWS_MANAGED_BENIGN = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
]

# Least-privilege statements a real account is mostly made of.
BENIGN_STATEMENTS = [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::reports-{n}", "arn:aws:s3:::reports-{n}/*"]},
    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
     "Resource": "arn:aws:dynamodb:us-east-1:{account}:table/orders-{n}"},
    {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
     "Resource": "arn:aws:sqs:us-east-1:{account}:jobs-{n}"},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:{account}:log-group:/app/{n}:*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt"],
     "Resource": "arn:aws:kms:us-east-1:{account}:key/{n}",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
    {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
     "Resource": "arn:aws:ssm:us-east-1:{account}:parameter/app/{n}/*"},
    {"Effect": "Allow", "Action": ["cloudwatch:PutMetricData"], "Resource": "*"},
]
FULL_ADMIN = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
SERVICE_WILDCARD = [{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]
# Each is a known privilege-escalation method (Rhino Security Labs' list).
ESCALATIONS = {
    "create-policy-version": [
        {"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:GetPolicy", "iam:ListPolicies"],
         "Resource": "*"}],
    "passrole-lambda": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::{account}:role/*"},
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}],
    "attach-user-policy": [
        {"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:ListUsers"], "Resource": "*"}],
    "put-role-policy": [
        {"Effect": "Allow", "Action": ["iam:PutRolePolicy"], "Resource": "arn:aws:iam::{account}:role/*"}],
}
TRUST = {
    "lambda": {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
    "ec2": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    "account": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"},
    "anyone": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
}


def doc(statements, account, n):
    s = json.dumps(statements).replace("{account}", account).replace("{n}", str(n))
    return json.dumps({"Version": "2012-10-17", "Statement": json.loads(s)})


def empty_zip():
    return b"PK\x05\x06" + b"\0" * 18


def fake_key_pair(rng):
    """An access key pair of the right shape (random, not AWS's documented examples)."""
    kid = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))
    return kid, secret


class Clock:
    """Moves the moto server's libfaketime clock, when there is one."""

    def __init__(self, path):
        self.path = path

    def set(self, offset):
        if not self.path:
            return
        with open(self.path, "w") as fh:
            fh.write(offset + "\n")
        time.sleep(1.3)  # the server rereads the file at most once a second


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint-url", required=True)
    ap.add_argument("--account", required=True, help="12-digit id of the fresh account")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--clock-file", help="libfaketime offset file of the moto server")
    ap.add_argument("--manifest", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed * 1000 + a.scale)
    N = a.scale
    account = a.account
    cfg = Config(retries={"max_attempts": 10, "mode": "standard"})
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    c = base.client("sts", endpoint_url=a.endpoint_url, config=cfg).assume_role(
        RoleArn="arn:aws:iam::%s:role/x" % account, RoleSessionName="keyward-bench")["Credentials"]
    sess = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"], region_name=REGION)
    who = sess.client("sts", endpoint_url=a.endpoint_url, config=cfg).get_caller_identity()
    if who["Account"] != account:
        sys.exit("moto gave account %s, not %s" % (who["Account"], account))

    def client(name):
        return sess.client(name, endpoint_url=a.endpoint_url, config=cfg)

    iam = client("iam")
    clock = Clock(a.clock_file)
    planted = {}

    def plant(kind, what):
        planted.setdefault(kind, []).append(what)

    n_users, n_roles, n_groups, n_policies = 50 * N, 20 * N, 10 * N, 30 * N

    # ---- the old part of the account: made 400 days ago --------------------------------
    clock.set("-400d")
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True,
                                       RequireLowercaseCharacters=True, AllowUsersToChangePassword=True)
    plant("weak-password-policy", "MinimumPasswordLength=8")

    # Customer managed policies: 10% "*" on "*", 5% service wildcards, 20% escalation, rest benign.
    policy_arns, kinds = [], []
    esc_names = list(ESCALATIONS)
    for i in range(n_policies):
        r = i % 20
        if r in (0, 1):
            kind, st = "full-admin", FULL_ADMIN
        elif r == 2:
            kind, st = "service-wildcard", SERVICE_WILDCARD
        elif r in (3, 4, 5, 6):
            e = esc_names[(i // 20 * 4 + r - 3) % len(esc_names)]
            kind, st = "escalation:" + e, ESCALATIONS[e] + [rng.choice(BENIGN_STATEMENTS)]
        else:
            kind, st = "benign", rng.sample(BENIGN_STATEMENTS, rng.randint(1, 4))
        name = "app-policy-%03d" % i
        arn = iam.create_policy(PolicyName=name, PolicyDocument=doc(st, account, i))["Policy"]["Arn"]
        policy_arns.append(arn)
        kinds.append(kind)
        if kind != "benign":
            plant("policy:" + kind, arn)
    benign = [p for p, k in zip(policy_arns, kinds) if k == "benign"]
    risky = [p for p, k in zip(policy_arns, kinds) if k != "benign"]
    # Some policies get a second version (the default), as edited policies do.
    for p in rng.sample(benign, len(benign) // 4):
        iam.create_policy_version(PolicyArn=p, SetAsDefault=True,
                                  PolicyDocument=doc(rng.sample(BENIGN_STATEMENTS, 2), account, 999))

    # Groups: one admin group per 10, the rest with benign (and a few risky) policies.
    groups = []
    for g in range(n_groups):
        name = "team-%03d" % g
        iam.create_group(GroupName=name)
        groups.append(name)
        if g % 10 == 0:
            iam.attach_group_policy(GroupName=name, PolicyArn=ADMIN)
            plant("admin-group", name)
        else:
            for p in rng.sample(benign, 2):
                iam.attach_group_policy(GroupName=name, PolicyArn=p)
            if g % 10 == 5:
                iam.attach_group_policy(GroupName=name, PolicyArn=rng.choice(risky))
            if g % 3 == 0:
                iam.put_group_policy(GroupName=name, PolicyName="team-inline",
                                     PolicyDocument=doc(rng.sample(BENIGN_STATEMENTS, 2), account, g))

    # Users.
    users = []
    for u in range(n_users):
        name = "user-%04d" % u
        iam.create_user(UserName=name)
        users.append(name)
        for g in rng.sample(groups, rng.choice([0, 1, 1, 2])):
            iam.add_user_to_group(GroupName=g, UserName=name)
        r = u % 25
        if r == 0:
            iam.attach_user_policy(UserName=name, PolicyArn=ADMIN)
            plant("admin-user", name)
        elif r in (1, 2):
            iam.attach_user_policy(UserName=name, PolicyArn=rng.choice(risky))
        elif r == 3:
            iam.put_user_policy(UserName=name, PolicyName="self-service",
                                PolicyDocument=doc(ESCALATIONS["create-policy-version"], account, u))
            plant("inline-escalation:create-policy-version", name)
        elif r == 4:
            iam.put_user_policy(UserName=name, PolicyName="deploy-functions",
                                PolicyDocument=doc(ESCALATIONS["passrole-lambda"], account, u))
            plant("inline-escalation:passrole-lambda", name)
        elif r == 5:
            iam.put_user_policy(UserName=name, PolicyName="break-glass",
                                PolicyDocument=doc(FULL_ADMIN, account, u))
            plant("inline-full-admin", name)
        elif r < 12:
            iam.attach_user_policy(UserName=name, PolicyArn=rng.choice(AWS_MANAGED_BENIGN))
        if rng.random() < 0.3:
            iam.attach_user_policy(UserName=name, PolicyArn=rng.choice(benign))
        # Console password for 60%; 40% of the users hold an access key made back then.
        if u % 5 < 3:
            iam.create_login_profile(UserName=name, Password="Bench-Passw0rd-%d!" % u)  # keyward:allow benchmark fixture
        if u % 5 in (1, 3):
            iam.create_access_key(UserName=name)
            plant("old-access-key", name)

    # Roles.
    roles = []
    for r_ in range(n_roles):
        name = "svc-role-%03d" % r_
        k = r_ % 10
        trust = [TRUST["anyone"]] if k == 0 else [TRUST[("lambda", "ec2", "account")[r_ % 3]]]
        if k == 0:
            plant("role-trust-anyone", name)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(trust, account, r_))
        roles.append(name)
        if k == 1:
            iam.attach_role_policy(RoleName=name, PolicyArn=ADMIN)
            plant("admin-role", name)
        elif k == 2:
            iam.put_role_policy(RoleName=name, PolicyName="self-edit",
                                PolicyDocument=doc(ESCALATIONS["put-role-policy"], account, r_))
            plant("inline-escalation:put-role-policy", name)
        elif k == 3:
            iam.attach_role_policy(RoleName=name, PolicyArn=rng.choice(risky))
        else:
            for p in rng.sample(benign, rng.randint(1, 2)):
                iam.attach_role_policy(RoleName=name, PolicyArn=p)
            if k in (4, 5):
                iam.attach_role_policy(RoleName=name, PolicyArn=rng.choice(AWS_MANAGED_BENIGN))
            if k == 6:
                iam.put_role_policy(RoleName=name, PolicyName="app-inline",
                                    PolicyDocument=doc(rng.sample(BENIGN_STATEMENTS, 2), account, r_))

    # ---- today ------------------------------------------------------------------------------
    clock.set("+0")
    for u, name in enumerate(users):
        if u % 5 == 2:   # a fresh key
            iam.create_access_key(UserName=name)
        if u % 5 == 3 and u % 2 == 0:   # a second, fresh key besides the old one
            iam.create_access_key(UserName=name)
            plant("two-active-keys", name)
        if u % 5 < 3:    # console users: a third of them with MFA
            if u % 3 == 0:
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
                iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                      AuthenticationCode1="123456", AuthenticationCode2="654321")
            else:
                plant("console-without-mfa", name)
    iam.generate_credential_report()

    # CloudTrail: one single-Region trail, logging, no log file validation.
    s3 = sess.client("s3", endpoint_url=a.endpoint_url, config=Config(s3={"addressing_style": "path"}))
    bucket = "trail-logs-%s" % account
    s3.create_bucket(Bucket=bucket)
    ct = client("cloudtrail")
    ct.create_trail(Name="app-trail", S3BucketName=bucket, IsMultiRegionTrail=False)
    ct.start_logging(Name="app-trail")
    plant("single-region-trail", "app-trail")
    plant("no-guardduty", REGION)
    plant("no-config-recorder", REGION)

    # Security groups open to the world, each in use by an instance (Prowler, by default, judges
    # only security groups that are in use).
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    vpc_id = vpc[0]["VpcId"] if vpc else ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    for i in range(3 * N):
        sg = ec2.create_security_group(GroupName="web-%03d" % i, Description="bench", VpcId=vpc_id)["GroupId"]
        port = (443, 22, 3389)[i % 3]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SecurityGroupIds=[sg])
        if port != 443:
            plant("sg-open-%d" % port, sg)

    # Lambda functions: every 5th with a key pair in its environment, every 5th (other) public,
    # every 5th on python3.7 (deprecated).
    lam = client("lambda")
    role_arn = "arn:aws:iam::%s:role/%s" % (account, roles[4 % len(roles)])
    for i in range(5 * N):
        env = {"STAGE": "prod", "TABLE": "orders-%d" % i}
        if i % 5 == 0:
            kid, secret = fake_key_pair(rng)
            env.update(AWS_ACCESS_KEY_ID=kid, AWS_SECRET_ACCESS_KEY=secret)
            plant("lambda-env-secret", "fn-%03d" % i)
        runtime = "python3.7" if i % 5 == 2 else "python3.12"
        if runtime == "python3.7":
            plant("lambda-old-runtime", "fn-%03d" % i)
        lam.create_function(FunctionName="fn-%03d" % i, Runtime=runtime, Handler="index.handler", Role=role_arn,
                            Code={"ZipFile": empty_zip()}, Environment={"Variables": env})
        if i % 5 == 1:
            lam.add_permission(FunctionName="fn-%03d" % i, StatementId="public", Action="lambda:InvokeFunction",
                               Principal="*")
            plant("lambda-public", "fn-%03d" % i)

    # ECS task definitions.
    ecs = client("ecs")
    for i in range(3 * N):
        k = i % 3
        cd = {"name": "app", "image": "nginx:1.27", "memory": 256,
              "environment": [{"name": "LOG_LEVEL", "value": "info"}]}
        extra = {}
        if k == 0:
            cd["privileged"] = True
            plant("ecs-privileged", "task-%03d" % i)
        elif k == 1:
            extra["pidMode"] = "host"
            plant("ecs-host-pid", "task-%03d" % i)
        else:
            kid, secret = fake_key_pair(rng)
            cd["environment"] += [{"name": "AWS_ACCESS_KEY_ID", "value": kid},
                                  {"name": "AWS_SECRET_ACCESS_KEY", "value": secret}]
            plant("ecs-env-secret", "task-%03d" % i)
        ecs.register_task_definition(family="task-%03d" % i, containerDefinitions=[cd], **extra)

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "account": account,
        "scale": N,
        "seed": a.seed,
        "region": REGION,
        "aged_keys": bool(a.clock_file),
        "counts": {"users": n_users, "roles": n_roles, "groups": n_groups, "customer_policies": n_policies},
        "credentials": {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                        "AWS_SESSION_TOKEN": c["SessionToken"]},
        "planted": {k: len(v) for k, v in planted.items()},
        "planted_resources": planted,
    }
    with open(a.manifest, "w") as fh:
        json.dump(manifest, fh, indent=1)
    print("seeded account %s at %dx: %s" % (account, N, json.dumps(manifest["counts"])), file=sys.stderr)


if __name__ == "__main__":
    main()
