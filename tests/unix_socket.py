# SPDX-License-Identifier: MIT
"""A Unix socket a QEMU we just started is about to listen on (its monitor
or QMP, `server=on,wait=off`): connect as soon as it exists."""

import socket
import time


def connect(path, timeout):
    """A socket connected to path, tried every 0.1 s for up to timeout s;
    TimeoutError if nothing listened there in time. The socket's own
    timeout is then timeout too."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.connect(str(path))
            sock.settimeout(timeout)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {path} after {timeout:g} s")
            time.sleep(0.1)
