"""Files the project writes for its users (reports, exports): never half-written."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
