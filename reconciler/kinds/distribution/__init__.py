"""The distribution kind: a CloudFront distribution, its configuration and its tags."""
