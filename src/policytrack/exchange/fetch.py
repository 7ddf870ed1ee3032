"""The one way policytrack fetches a web address (`inbox add URL`, `feed pull`): http(s) only, TLS verified,
the host's addresses checked after name resolution and after every redirect (loopback, private, link-local
and reserved ones refused unless the feed allows a private network), the connection made to the address
checked (a name that resolves again elsewhere cannot slip through), a time limit, and a limit on the body's
size after decompression. An address that carries a user name or password is refused: no credential is
stored in the database or sent in sync.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from urllib.parse import urljoin, urlsplit

from policytrack.core.errors import InputError
from policytrack.core.i18n import _

MAX_BODY = 64 * 1024 * 1024
TIMEOUT = 30.0
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


def _address(host: str, port: int, allow_private: bool, url: str) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(
            _("cannot resolve the host of {url} ({problem}); check the address").format(url=url, problem=exc)
        ) from None
    chosen = None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        public = ip.is_global and not ip.is_multicast
        if not public and not allow_private:
            raise InputError(
                _(
                    "{url} resolves to {ip}, a loopback, private or reserved address; add --allow-private "
                    "if it is a feed on your own network"
                ).format(url=url, ip=ip)
            )
        chosen = chosen or str(ip)
    if chosen is None:
        raise InputError(_("cannot resolve the host of {url}; check the address").format(url=url))
    return chosen


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BODY,
) -> bytes:
    """The body at `url` (followed through at most MAX_REDIRECTS redirects), or one InputError."""
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                _("{url} is not an http(s) address; give one that starts with https://").format(
                    url=current[:200]
                )
            )
        if parts.username or parts.password:
            raise InputError(
                _(
                    "{url} holds a user name or password, which policytrack never stores; give the address "
                    "without it"
                ).format(url=f"{parts.scheme}://…@{parts.hostname}")
            )
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = _address(parts.hostname, port, allow_private, current)
        left = max(0.1, deadline - time.monotonic())
        kind = _PinnedTLS if parts.scheme == "https" else _Pinned
        conn = kind(parts.hostname, port, ip, left)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip", "User-Agent": "policytrack"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                conn.close()
                if not location:
                    raise InputError(_("{url} redirects nowhere; check the address").format(url=current))
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise InputError(
                    _("{url} answered {code} {reason}; check the address").format(
                        url=current, code=response.status, reason=response.reason
                    )
                )
            return _body(response, current, max_bytes, deadline)
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, ssl.SSLCertVerificationError):
                raise InputError(
                    _("{url}: its TLS certificate cannot be verified ({problem})").format(
                        url=current, problem=exc.verify_message
                    )
                ) from None
            if isinstance(exc, TimeoutError | socket.timeout):
                raise InputError(
                    _("{url} did not answer within {seconds} seconds; try again later").format(
                        url=current, seconds=int(timeout)
                    )
                ) from None
            raise InputError(
                _("cannot fetch {url} ({problem}); try again later").format(url=current, problem=exc)
            ) from None
        finally:
            conn.close()
    raise InputError(
        _("{url} redirects more than {n} times; give the final address").format(url=url, n=MAX_REDIRECTS)
    )


def _body(response: http.client.HTTPResponse, url: str, max_bytes: int, deadline: float) -> bytes:
    gzipped = (response.getheader("Content-Encoding") or "").lower() == "gzip"
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    out = bytearray()
    too_big = _("{url} sends more than {size} MB; ask for a smaller part").format(
        url=url, size=max_bytes // 2**20
    )
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - len(out))
        out += chunk
        if len(out) > max_bytes:
            raise InputError(too_big)
    if inflate is not None:
        out += inflate.flush()
        if len(out) > max_bytes:
            raise InputError(too_big)
    return bytes(out)
