"""Block every network connection except loopback.

Used two ways:
- ``make test`` copies this file into the IPython startup folder of the kernels that run the
  notebooks, so a notebook that reaches for the internet fails (or falls back to its mock);
- ``tests/conftest.py`` imports it and installs the guard for the unit tests.

Loopback (127.0.0.0/8, ::1, localhost) stays open: Jupyter kernels and the tests' own local
HTTP servers use it.
"""

import socket as _socket

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    return host in _LOOPBACK_NAMES or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1")


class NetworkBlockedError(OSError):
    """Raised when code under test tries to reach the network."""


def _refuse(what):
    raise NetworkBlockedError(f"network access is blocked in the course's tests ({what})")


def install():
    """Patch socket so that only loopback and local (AF_UNIX) connections work."""
    if getattr(_socket, "_astrolab_guard", False):
        return
    original_connect = _socket.socket.connect
    original_connect_ex = _socket.socket.connect_ex
    original_getaddrinfo = _socket.getaddrinfo

    def connect(self, address):
        if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_loopback(address[0]):
            _refuse(f"connect to {address!r}")
        return original_connect(self, address)

    def connect_ex(self, address):
        if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_loopback(address[0]):
            _refuse(f"connect to {address!r}")
        return original_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_loopback(host):
            raise _socket.gaierror(_socket.EAI_NONAME,
                                   f"name resolution is blocked in the course's tests ({host!r})")
        return original_getaddrinfo(host, *args, **kwargs)

    _socket.socket.connect = connect
    _socket.socket.connect_ex = connect_ex
    _socket.getaddrinfo = getaddrinfo
    _socket._astrolab_guard = (original_connect, original_connect_ex, original_getaddrinfo)


def uninstall():
    """Undo :func:`install`."""
    saved = getattr(_socket, "_astrolab_guard", False)
    if saved:
        _socket.socket.connect, _socket.socket.connect_ex, _socket.getaddrinfo = saved
        del _socket._astrolab_guard


if __name__ == "__main__":  # run as an IPython startup file
    install()
    del install, uninstall, NetworkBlockedError, _refuse, _is_loopback, _LOOPBACK_NAMES, _socket
