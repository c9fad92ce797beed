"""SHA-1 for file stamps and cache names, without importing hashlib on a warm start.

hashlib loads OpenSSL's libcrypto (~3 ms per process); CPython's own `_sha1` module gives the same
digest for a fraction of that. hashlib is the fallback where a build leaves `_sha1` out.
"""

from __future__ import annotations

try:
    from _sha1 import sha1
except ImportError:  # pragma: no cover - CPython builds it unless configured without
    from hashlib import sha1

__all__ = ["sha1"]
