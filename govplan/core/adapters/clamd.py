"""A virus scan through ClamAV's daemon (clamd), spoken directly: its INSTREAM command.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the data in chunks, each preceded by its
length as 4 bytes in network order, then a chunk of length 0; clamd answers one line ending
in ``\\0``: ``stream: OK``, ``stream: <signature> FOUND``, or ``… ERROR`` (for example
``INSTREAM size limit exceeded. ERROR``). The two Python clients on PyPI (clamd, pyclamd)
have not been released since 2014 and 2017; this is the forty lines they would save.

``address`` is a Unix socket path or ``tcp://host:port``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024
MAX_REPLY = 4096


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""  # what clamd found, when not clean


class ClamdUnavailable(Exception):
    """clamd could not be reached, did not answer in time, or answered with an error."""


def instream(data: bytes, address: str, *, timeout: float) -> Verdict:
    try:
        with _connect(address, timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
                received = connection.recv(MAX_REPLY)
                if not received:
                    break
                reply += received
    except OSError as error:  # refused, missing socket, timeout, reset
        raise ClamdUnavailable(f"clamd at {address}: {error}") from error
    return parse_reply(reply)


def parse_reply(reply: bytes) -> Verdict:
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace").strip()
    _stream, _colon, result = text.partition(": ")
    if result == "OK":
        return Verdict(clean=True)
    if result.endswith(" FOUND"):
        return Verdict(clean=False, signature=result.removesuffix(" FOUND").strip())
    raise ClamdUnavailable(f"clamd answered {text[:200]!r}")


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        if not parts.hostname or not parts.port:
            raise OSError(f"not host:port: {address}")
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        connection.connect(address)
    except OSError:
        connection.close()
        raise
    return connection
