#!/usr/bin/env python3
"""Plant synthetic secrets into the scan-benchmark corpus.

Writes every planted value to a manifest (TSV: kind, value, path, line) so that
bench/scanbench.py can score each scanner's output.  Everything is derived from
a fixed seed, so a rebuilt corpus carries the same secrets in the same places
(given the same corpus contents).

Planted (defaults):
  * 50 AWS access-key pairs.  Key ids are structurally real: "AKIA" + 16 chars
    of base32 (A-Z2-7) that encode a 12-digit account id the way AWS has done
    for keys issued since 2019 (decode the 16 chars, take the first 6 bytes
    big-endian, mask 0x7fffffffff80, shift right 7).  Secret keys are 40 chars
    of [A-Za-z0-9/+].  Ten file styles, five pairs each.
  * 50 other secrets: GitHub classic PATs (ghp_, with the CRC32/base62
    checksum), Slack bot tokens (xoxb-), Stripe live keys (sk_live_), RSA
    private-key PEM blocks, postgres URLs with passwords.
  * Look-alikes that must NOT count (decoys.tsv): AWS's documented example key
    pair, 40-char random strings without AWS context, UUIDs, SHA-1 hex digests.

The corpus may be made of hard links into caches (cargo registry, pip, npm),
so this script never writes into an existing file in place: it creates new
files, and when it injects lines into an existing source file it writes a new
file and renames it over the old path (which breaks any hard link).
"""

import argparse
import base64
import os
import random
import string
import sys
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
SECRET_ALPHABET = ALNUM + "/+"


class Planter:
    def __init__(self, corpus, seed):
        self.corpus = os.path.abspath(corpus)
        self.rng = random.Random(seed)
        self.rows = []  # (kind, value, relpath, line)
        self.decoys = []  # (kind, value, relpath, line)
        self.used_paths = set()
        self._index_corpus()

    # ---------- corpus index ----------
    def _index_corpus(self):
        dirs, files = [], {}
        for root, dnames, fnames in os.walk(self.corpus):
            dnames.sort()
            rel = os.path.relpath(root, self.corpus)
            depth = 0 if rel == "." else rel.count(os.sep) + 1
            if 2 <= depth <= 5:
                dirs.append(rel)
            for f in sorted(fnames):
                ext = os.path.splitext(f)[1]
                if ext in (".py", ".js", ".rs"):
                    files.setdefault(ext, []).append(os.path.join(rel, f))
        if not dirs:
            sys.exit("plant_secrets: corpus %s has no directories" % self.corpus)
        self.dirs = dirs
        self.files = files

    def pick_dir(self):
        return self.rng.choice(self.dirs)

    def new_file(self, name, lines):
        """Create a new file `name` in a random corpus directory; returns relpath."""
        for _ in range(100):
            rel = os.path.join(self.pick_dir(), name)
            if rel not in self.used_paths and not os.path.exists(os.path.join(self.corpus, rel)):
                break
        else:
            raise RuntimeError("no free location for " + name)
        self.used_paths.add(rel)
        path = os.path.join(self.corpus, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return rel

    def inject(self, ext, lines):
        """Insert `lines` into a random existing source file; returns (relpath, first line no)."""
        candidates = self.files.get(ext) or []
        for _ in range(200):
            rel = self.rng.choice(candidates)
            if rel in self.used_paths:
                continue
            path = os.path.join(self.corpus, rel)
            try:
                with open(path, encoding="utf-8") as fh:
                    old = fh.read().split("\n")
            except (UnicodeDecodeError, OSError):
                continue
            if len(old) < 20:
                continue
            # Insert at a line boundary between top-level statements is not
            # knowable without parsing; a point after the first 10% of the file
            # is realistic enough for scanners that read text.
            at = max(1, len(old) // 10)
            new = old[:at] + lines + old[at:]
            tmp = path + ".plant-tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write("\n".join(new))
            os.replace(tmp, path)  # breaks a hard link instead of writing through it
            self.used_paths.add(rel)
            return rel, at + 1
        raise RuntimeError("no injectable %s file in corpus" % ext)

    def record(self, kind, value, rel, line, decoy=False):
        (self.decoys if decoy else self.rows).append((kind, value, rel, line))

    # ---------- secret generators ----------
    def aws_key_id(self):
        account = self.rng.randrange(10**11, 10**12)  # 12-digit account id
        high = (1 << 47) | (account << 7) | self.rng.randrange(128)
        raw = high.to_bytes(6, "big") + self.rng.randbytes(4)
        key = "AKIA" + base64.b32encode(raw).decode()
        assert len(key) == 20 and aws_account_from_key_id(key) == account
        return key

    def aws_secret(self):
        return "".join(self.rng.choice(SECRET_ALPHABET) for _ in range(40))

    def github_pat(self):
        body = "".join(self.rng.choice(ALNUM) for _ in range(30))
        crc = zlib.crc32(body.encode()) & 0xFFFFFFFF
        digits = ""
        while crc:
            crc, r = divmod(crc, 62)
            digits = B62[r] + digits
        return "ghp_" + body + digits.rjust(6, "0")

    def slack_bot(self):
        d = lambda n: "".join(self.rng.choice(string.digits) for _ in range(n))  # noqa: E731
        tail = "".join(self.rng.choice(ALNUM) for _ in range(24))
        return "xoxb-%s-%s-%s" % (d(12), d(13), tail)

    def stripe_live(self):
        return "sk_live_" + "".join(self.rng.choice(ALNUM) for _ in range(24))

    def password(self):
        return "".join(self.rng.choice(ALNUM) for _ in range(20))

    def pem_lines(self):
        # Random bytes behind a typical PKCS#1 2048-bit header; scanners match
        # the armour and base64 shape, none of them parses the key.
        der = bytes.fromhex("308204a40201000282010100") + self.rng.randbytes(1180)
        b64 = base64.b64encode(der).decode()
        body = [b64[i:i + 64] for i in range(0, len(b64), 64)]
        return ["-----BEGIN RSA PRIVATE KEY-----"] + body + ["-----END RSA PRIVATE KEY-----"]

    # ---------- AWS pairs: ten styles ----------
    def plant_aws(self, n):
        styles = [
            self.aws_dotenv, self.aws_ini, self.aws_py_settings, self.aws_py_inject,
            self.aws_js_config, self.aws_js_inject, self.aws_yaml, self.aws_csv,
            self.aws_rs_inject, self.aws_shell,
        ]
        for i in range(n):
            kid, sec = self.aws_key_id(), self.aws_secret()
            rel, kid_line, sec_line = styles[i % len(styles)](kid, sec)
            self.record("aws_access_key_id", kid, rel, kid_line)
            self.record("aws_secret_access_key", sec, rel, sec_line)

    def aws_dotenv(self, k, s):
        rel = self.new_file(".env", ["NODE_ENV=production", "AWS_REGION=us-east-1",
                                     "AWS_ACCESS_KEY_ID=" + k, "AWS_SECRET_ACCESS_KEY=" + s])
        return rel, 3, 4

    def aws_ini(self, k, s):
        rel = self.new_file(os.path.join(".aws", "credentials"),
                            ["[default]", "aws_access_key_id = " + k, "aws_secret_access_key = " + s,
                             "region = eu-west-1"])
        return rel, 2, 3

    def aws_py_settings(self, k, s):
        rel = self.new_file("settings_local.py",
                            ["# Local overrides -- do not commit", "DEBUG = False",
                             'AWS_ACCESS_KEY_ID = "%s"' % k, 'AWS_SECRET_ACCESS_KEY = "%s"' % s,
                             'AWS_STORAGE_BUCKET_NAME = "media-prod"'])
        return rel, 3, 4

    def aws_py_inject(self, k, s):
        rel, at = self.inject(".py", ["_s3 = boto3.client(", '    "s3",',
                                      '    aws_access_key_id="%s",' % k,
                                      '    aws_secret_access_key="%s",' % s, ")"])
        return rel, at + 2, at + 3

    def aws_js_config(self, k, s):
        rel = self.new_file("aws-config.js",
                            ["module.exports = {", "  region: 'us-west-2',",
                             "  accessKeyId: '%s'," % k, "  secretAccessKey: '%s'," % s, "};"])
        return rel, 3, 4

    def aws_js_inject(self, k, s):
        rel, at = self.inject(".js", ["const s3 = new AWS.S3({",
                                      '  accessKeyId: "%s",' % k,
                                      '  secretAccessKey: "%s",' % s, "});"])
        return rel, at + 1, at + 2

    def aws_yaml(self, k, s):
        rel = self.new_file("deploy.yml",
                            ["deploy:", "  provider: s3", "  bucket: assets-prod",
                             "  access_key_id: " + k, "  secret_access_key: " + s])
        return rel, 4, 5

    def aws_csv(self, k, s):
        # The console's "Download .csv file" for a new access key.
        rel = self.new_file("deploy-bot_accessKeys.csv",
                            ["Access key ID,Secret access key", "%s,%s" % (k, s)])
        return rel, 2, 2

    def aws_rs_inject(self, k, s):
        rel, at = self.inject(".rs", ['const AWS_ACCESS_KEY_ID: &str = "%s";' % k,
                                      'const AWS_SECRET_ACCESS_KEY: &str = "%s";' % s])
        return rel, at, at + 1

    def aws_shell(self, k, s):
        rel = self.new_file("deploy.sh", ["#!/bin/sh", "set -e",
                                          "export AWS_ACCESS_KEY_ID=" + k,
                                          "export AWS_SECRET_ACCESS_KEY=" + s,
                                          "aws s3 sync ./dist s3://assets-prod/"])
        return rel, 3, 4

    # ---------- other secrets ----------
    def plant_others(self, n):
        kinds = ["github_pat", "slack_bot_token", "stripe_live_key", "rsa_private_key", "postgres_password"]
        for i in range(n):
            kind = kinds[i % len(kinds)]
            variant = (i // len(kinds)) % 2
            getattr(self, "other_" + kind)(variant)

    def other_github_pat(self, v):
        t = self.github_pat()
        if v == 0:
            rel = self.new_file(".env.local", ["GITHUB_USER=release-bot", "GITHUB_TOKEN=" + t])
            self.record("github_pat", t, rel, 2)
        else:
            rel, at = self.inject(".py", ['GH_TOKEN = "%s"' % t])
            self.record("github_pat", t, rel, at)

    def other_slack_bot_token(self, v):
        t = self.slack_bot()
        if v == 0:
            rel = self.new_file("slack.json", ["{", '  "channel": "#deploys",', '  "token": "%s"' % t, "}"])
            self.record("slack_bot_token", t, rel, 3)
        else:
            rel, at = self.inject(".js", ["const SLACK_BOT_TOKEN = '%s';" % t])
            self.record("slack_bot_token", t, rel, at)

    def other_stripe_live_key(self, v):
        t = self.stripe_live()
        if v == 0:
            rel = self.new_file("payments.py", ["import stripe", "", 'stripe.api_key = "%s"' % t])
            self.record("stripe_live_key", t, rel, 3)
        else:
            rel = self.new_file(".env.production", ["STRIPE_SECRET_KEY=" + t])
            self.record("stripe_live_key", t, rel, 1)

    def other_rsa_private_key(self, v):
        pem = self.pem_lines()
        # The manifest value is the first base64 line: unique per key, and
        # contained in any report that quotes the key body.
        if v == 0:
            rel = self.new_file("id_rsa", pem)
            self.record("rsa_private_key", pem[1], rel, 1)
        else:
            lines = ["tls:", "  private_key: |"] + ["    " + p for p in pem]
            rel = self.new_file("secrets.yaml", lines)
            self.record("rsa_private_key", pem[1], rel, 3)

    def other_postgres_password(self, v):
        pw = self.password()
        url = "postgres://app_user:%s@db.internal.example.com:5432/app" % pw
        if v == 0:
            rel = self.new_file(".env", ["DATABASE_URL=" + url])
            self.record("postgres_password", pw, rel, 1)
        else:
            rel = self.new_file("database.yml",
                                ["production:", "  adapter: postgresql", "  url: " + url])
            self.record("postgres_password", pw, rel, 3)

    # ---------- look-alikes ----------
    def plant_decoys(self, nfiles):
        for i in range(nfiles):
            lines, vals = [], []
            if i % 3 == 0:
                # AWS's documented example pair, as it appears in docs and tests.
                lines += ["# Example from the AWS docs:",
                          "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                          "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
                vals += [("aws_example_key_id", "AKIAIOSFODNN7EXAMPLE", 2),
                         ("aws_example_secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 3)]
            r40 = self.aws_secret()
            uid = "%08x-%04x-4%03x-%04x-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(16),
                                                  self.rng.getrandbits(12), 0x8000 | self.rng.getrandbits(14),
                                                  self.rng.getrandbits(48))
            sha = "%040x" % self.rng.getrandbits(160)
            base = len(lines)
            lines += ['checksum = "%s"' % r40, 'request_id = "%s"' % uid, 'commit = "%s"' % sha]
            vals += [("random40", r40, base + 1), ("uuid", uid, base + 2), ("sha1_hex", sha, base + 3)]
            rel = self.new_file("fixtures_%d.txt" % i, lines)
            for kind, val, line in vals:
                self.record(kind, val, rel, line, decoy=True)


def aws_account_from_key_id(key_id):
    raw = base64.b32decode(key_id[4:])
    return (int.from_bytes(raw[:6], "big") & 0x7FFFFFFFFF80) >> 7


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("kind\tvalue\tpath\tline\n")
        for r in rows:
            fh.write("\t".join(str(x) for x in r) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--manifest", required=True, help="planted.tsv to write")
    ap.add_argument("--decoys", required=True, help="decoys.tsv to write")
    ap.add_argument("--aws-pairs", type=int, default=50)
    ap.add_argument("--others", type=int, default=50)
    ap.add_argument("--decoy-files", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    p = Planter(a.corpus, a.seed)
    p.plant_aws(a.aws_pairs)
    p.plant_others(a.others)
    p.plant_decoys(a.decoy_files)
    write_tsv(a.manifest, p.rows)
    write_tsv(a.decoys, p.decoys)
    print("planted %d secrets (%d AWS key ids) and %d look-alikes in %d files"
          % (len(p.rows), a.aws_pairs, len(p.decoys), len(p.used_paths)))


if __name__ == "__main__":
    main()
