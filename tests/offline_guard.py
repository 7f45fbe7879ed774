"""Block every network connection except loopback.

Used two ways:
- ``make test`` copies this file into the IPython startup folder of the kernels that run the
  notebooks, so a notebook that reaches for the internet fails (or falls back to its mock);
- ``tests/conftest.py`` imports it and installs the guard for the unit tests; tests that start
  kernels of their own (and coursetools.nbcache's student editions) give them an IPYTHONDIR made
  by :func:`write_profile`.

Loopback (127.0.0.0/8, ::1, localhost) stays open: Jupyter kernels and the tests' own local
HTTP servers use it. Everything the guard needs lives inside ``install`` so that, run as a startup
file, it leaves no names behind in the notebook's namespace.
"""


class NetworkBlockedError(OSError):
    """Raised when code under test tries to reach the network."""


def install(error=NetworkBlockedError):
    """Patch socket so that only loopback and local (AF_UNIX) connections work."""
    import socket

    if getattr(socket, "_astrolab_guard", None):
        return
    loopback_names = {"localhost", "localhost.localdomain", "ip6-localhost", "::1"}
    original = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)

    def is_loopback(host):
        if isinstance(host, bytes):
            host = host.decode()
        return isinstance(host, str) and (host in loopback_names or host.startswith("127."))

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
            raise error(f"network access is blocked in the course's tests (connect to {address!r})")

    def connect(self, address):
        check(self, address)
        return original[0](self, address)

    def connect_ex(self, address):
        check(self, address)
        return original[1](self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not is_loopback(host):
            raise socket.gaierror(
                socket.EAI_NONAME, f"network access is blocked in the course's tests ({host!r})")
        return original[2](host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
    socket._astrolab_guard = original


def uninstall():
    """Undo :func:`install`."""
    import socket

    original = getattr(socket, "_astrolab_guard", None)
    if original:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = original
        del socket._astrolab_guard


def write_profile(ipythondir):
    """Make ``ipythondir`` an IPYTHONDIR whose kernels start with the guard installed; return it.

    Copies this file into ``<ipythondir>/profile_default/startup/00-block-network.py`` (folders are
    created; an existing copy is replaced). Give the folder to a kernel as ``IPYTHONDIR``.
    """
    import shutil
    from pathlib import Path

    startup = Path(ipythondir) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(__file__, startup / "00-block-network.py")
    return Path(ipythondir)


if __name__ == "__main__":  # run as an IPython startup file
    install()
    del install, uninstall, write_profile, NetworkBlockedError
