"""reconciler: a declarative reconciler for Amazon S3 buckets and CloudFront distributions."""

__version__ = "0.1.0"
