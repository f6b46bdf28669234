"""AWS STS, as far as credentials need it: ``AssumeRole`` (signed with the source credentials)
and ``AssumeRoleWithWebIdentity`` (unsigned: the OIDC token proves who is asking).

STS speaks the query protocol: a form-encoded POST, an XML answer. Requests go to the regional
endpoint (``https://sts.REGION.amazonaws.com``), or to ``AWS_ENDPOINT_URL_STS`` /
``AWS_ENDPOINT_URL`` / the profile's ``endpoint_url`` when one is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws.credentials.provider import Temporary, parse_time
from reconciler.aws.endpoints import aws_domain
from reconciler.aws.limits import CREDENTIALS
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Request, Transport
from reconciler.errors import ResponseParseError

API_VERSION = "2011-06-15"


@dataclass(frozen=True)
class StsEndpoint:
    region: str
    url: str | None = None

    @property
    def root(self) -> str:
        if self.url:
            parts = urlsplit(self.url)
            return f"{parts.scheme}://{parts.netloc}"
        return f"https://sts.{self.region}.{aws_domain(self.region)}"

    @property
    def path(self) -> str:
        prefix = urlsplit(self.url).path.rstrip("/") if self.url else ""
        return prefix + "/"


class StsClient:
    def __init__(self, transport: Transport, endpoint: StsEndpoint) -> None:
        self._transport = transport
        self._endpoint = endpoint

    def _call(self, action: str, params: dict[str, str], *, signed: bool, source: str) -> Element:
        body = urlencode({"Action": action, "Version": API_VERSION, **params}).encode()
        request = Request(
            service="sts",
            region=self._endpoint.region,
            method="POST",
            root=self._endpoint.root,
            path=self._endpoint.path,
            operation=action,
            headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
            body=body,
            address=source,
            signed=signed,
            answer=CREDENTIALS,
        )
        response = self._transport.send(request)
        return xml.parse(response.body, what=action, address=source)

    def assume_role(
        self,
        *,
        role_arn: str,
        session_name: str,
        source: str,
        external_id: str | None = None,
        duration_seconds: int | None = None,
        mfa: tuple[str, str] | None = None,
    ) -> Temporary:
        params = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id:
            params["ExternalId"] = external_id
        if duration_seconds:
            params["DurationSeconds"] = str(duration_seconds)
        if mfa:
            params["SerialNumber"], params["TokenCode"] = mfa
        root = self._call("AssumeRole", params, signed=True, source=source)
        return _credentials(root, "AssumeRoleResult", source=source)

    def assume_role_with_web_identity(
        self,
        *,
        role_arn: str,
        session_name: str,
        token: str,
        source: str,
        duration_seconds: int | None = None,
    ) -> Temporary:
        params = {"RoleArn": role_arn, "RoleSessionName": session_name, "WebIdentityToken": token}
        if duration_seconds:
            params["DurationSeconds"] = str(duration_seconds)
        root = self._call("AssumeRoleWithWebIdentity", params, signed=False, source=source)
        return _credentials(root, "AssumeRoleWithWebIdentityResult", source=source)


def _credentials(root: Element, result: str, *, source: str) -> Temporary:
    found = root.find(f"{result}/Credentials")
    if found is None:
        raise ResponseParseError(f"{result}: the answer holds no Credentials", address=source)
    key_id = xml.text(found, "AccessKeyId")
    secret = xml.text(found, "SecretAccessKey")
    token = xml.text(found, "SessionToken")
    expires = xml.text(found, "Expiration")
    if not (key_id and secret and token and expires):
        raise ResponseParseError(f"{result}: the Credentials are incomplete", address=source)
    return Temporary(
        Credentials(key_id, secret, token, source=source),
        parse_time(expires, what=f"{source}: {result} Expiration"),
    )
