"""The origin access control kind: how CloudFront signs its requests to an S3 origin, declared
by logical name and referred to by a distribution's S3 origins."""
