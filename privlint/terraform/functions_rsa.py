"""``rsadecrypt``: RSA PKCS #1 v1.5 decryption with a PEM private key written in the code, in pure Python.

Keys come from the code under review: the modulus is bounded so one call costs milliseconds, and
anything malformed is an error as it is for Terraform. The plaintext is a value like any other; rules
never quote values, so it is never printed.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from privlint.terraform.functions_support import Function, FunctionError, known, text

MAX_MODULUS_BITS = 8192
_PEM = re.compile(
    r"-----BEGIN (RSA )?PRIVATE KEY-----(.*?)-----END (RSA )?PRIVATE KEY-----",
    re.DOTALL,
)


def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) items of one DER encoding level."""
    items: list[tuple[int, bytes]] = []
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise FunctionError("rsadecrypt(): malformed key")
        tag, size = data[position], data[position + 1]
        position += 2
        if size & 0x80:
            count = size & 0x7F
            if count == 0 or count > 4 or position + count > len(data):
                raise FunctionError("rsadecrypt(): malformed key")
            size = int.from_bytes(data[position : position + count], "big")
            position += count
        if position + size > len(data):
            raise FunctionError("rsadecrypt(): malformed key")
        items.append((tag, data[position : position + size]))
        position += size
    return items


def _sequence(data: bytes) -> list[tuple[int, bytes]]:
    items = _der_items(data)
    if len(items) != 1 or items[0][0] != 0x30:
        raise FunctionError("rsadecrypt(): malformed key")
    return _der_items(items[0][1])


def _key(pem: str) -> tuple[int, int]:
    """The modulus and private exponent of a PKCS #1 or unencrypted PKCS #8 RSA key."""
    match = _PEM.search(pem)
    if match is None:
        raise FunctionError("rsadecrypt(): not a PEM private key")
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FunctionError("rsadecrypt(): malformed key") from exc
    fields = _sequence(der)
    if match.group(1) is None:  # PKCS #8 wraps the PKCS #1 key in an octet string
        if len(fields) < 3 or fields[2][0] != 0x04:
            raise FunctionError("rsadecrypt(): not an RSA key")
        fields = _sequence(fields[2][1])
    if len(fields) < 4 or any(tag != 0x02 for tag, _ in fields[:4]):
        raise FunctionError("rsadecrypt(): not an RSA key")
    modulus, exponent = (int.from_bytes(fields[i][1], "big") for i in (1, 3))
    if not 0 < modulus.bit_length() <= MAX_MODULUS_BITS:
        raise FunctionError("rsadecrypt(): key too large")
    return modulus, exponent


@known("rsadecrypt()")
def rsadecrypt(ciphertext: Any, privatekey: Any) -> Any:
    modulus, exponent = _key(text(privatekey))
    try:
        encrypted = int.from_bytes(base64.b64decode(text(ciphertext), validate=True), "big")
    except (binascii.Error, ValueError) as exc:
        raise FunctionError("rsadecrypt(): ciphertext is not base64") from exc
    if encrypted >= modulus:
        raise FunctionError("rsadecrypt(): ciphertext does not fit the key")
    size = (modulus.bit_length() + 7) // 8
    block = pow(encrypted, exponent, modulus).to_bytes(size, "big")
    end = block.find(b"\x00", 2)
    if block[:2] != b"\x00\x02" or end < 10:
        raise FunctionError("rsadecrypt(): decryption failed")
    try:
        return block[end + 1 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FunctionError("rsadecrypt(): plaintext is not UTF-8") from exc


RSA_FUNCTIONS: dict[str, Function] = {"rsadecrypt": rsadecrypt}
