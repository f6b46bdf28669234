"""Credentials: every source the AWS CLI knows, refreshed before they expire.

`chain.resolve_provider` walks the chain and returns a provider (`provider`) the transport asks
for the current credentials at every request; `chain.resolve_credentials` is the one-shot form.
One module per source: `environment`, `roles` (assume-role, web identity), `sso`, `process`,
`endpoints` (container, instance metadata); `sts` is the STS client they share.
(Nothing is imported here: the transport needs `provider` without the sources.)
"""
