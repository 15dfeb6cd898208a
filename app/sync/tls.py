"""TLS to the central office with its key pinned by the enrolment file.

The office's enrolment file carries the SHA-256 of its TLS certificate's public key (the
SubjectPublicKeyInfo, so renewing the certificate with the same key keeps the pin). A laptop with a
pin trusts exactly that key, whatever certificate authority signed it (an office often has a
self-signed certificate and no name in public DNS); a laptop without a pin uses the system's
certificate authorities as usual.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ssl
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class PinMismatch(OSError):
    """The server's TLS key is not the one the enrolment file pinned."""


def spki_sha256_der(certificate_der: bytes) -> str:
    public = x509.load_der_x509_certificate(certificate_der).public_key()
    return hashlib.sha256(
        public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ).hexdigest()


def spki_sha256_pem(certificate_pem: bytes) -> str:
    """The pin of the first certificate in a PEM file (what ``enrol-device --tls-cert`` writes)."""
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    return spki_sha256_der(certificate.public_bytes(Encoding.DER))


class _PinnedConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, pin: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pin = pin

    def connect(self) -> None:
        super().connect()
        sock: Any = self.sock
        der = sock.getpeercert(binary_form=True)
        if der is None or not hmac.compare_digest(spki_sha256_der(der), self._pin):
            self.close()
            raise PinMismatch("the office's TLS key does not match the enrolment file")


class _PinnedHandler(urllib.request.HTTPSHandler):
    def __init__(self, pin: str) -> None:
        context = ssl.create_default_context()
        # The pin replaces the certificate-authority check; the handshake still proves the
        # server holds the pinned key's private half.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__(context=context)
        self._pin_context = context
        self._pin = pin

    def https_open(self, req: urllib.request.Request) -> Any:
        pin, context = self._pin, self._pin_context

        def connection(host: str, **kwargs: Any) -> _PinnedConnection:
            kwargs.pop("context", None)
            kwargs.pop("check_hostname", None)
            return _PinnedConnection(host, pin=pin, context=context, **kwargs)

        return self.do_open(connection, req)


def opener(pin: str | None) -> urllib.request.OpenerDirector:
    """An opener that checks the pinned key on every HTTPS connection (or the system CAs)."""
    if not pin:
        return urllib.request.build_opener()
    return urllib.request.build_opener(_PinnedHandler(pin.lower()))
