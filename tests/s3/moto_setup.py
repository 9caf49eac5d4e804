#!/usr/bin/env python3
"""Prepares a moto_server started with INITIAL_NO_AUTH_ACTION_COUNT=3 (signature checking on
after 3 requests): the 3 unauthenticated IAM calls create a user with an s3:* inline policy
and an access key; then, signed with that key, the bucket is created. Prints shell exports
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) on stdout.

usage: moto_setup.py ENDPOINT BUCKET"""
import json
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
region = "us-east-1"
iam = boto3.client("iam", endpoint_url=endpoint, region_name=region,
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="artemis")
iam.put_user_policy(UserName="artemis", PolicyName="s3all", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="artemis")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region,
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=bucket)
print(f"export AWS_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"export AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
print(f"export AWS_REGION={region}")
