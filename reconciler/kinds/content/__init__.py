"""The content kind: a local directory kept in a declared bucket, object by object, with its
headers, and the paths it changed invalidated in a distribution."""
