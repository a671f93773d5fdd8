"""Server-side scratch /tmp (stdlib only): one tmpfs per fork server, pristine for every run.

In the fork server's private mount namespace /tmp is a tmpfs that only this server's runs
see, one run at a time. After a run, once every process of it is dead, the tmpfs is
checked: when the run left nothing but its (empty) work dir, that dir is removed and made
again (fresh owner, mode and attributes); when it left anything else, or the next run asks
for another size, a new tmpfs replaces the old one. Either way each run starts on an empty
/tmp of its own size, as with a tmpfs per run, without a mount namespace per run (whose
creation and teardown cost more than the run of a typical test).
"""

from __future__ import annotations

import os

import _jail

__all__ = ["WORKDIR", "Scratch"]

WORKDIR = "/tmp/work"
_MNT_DETACH = 2


class Scratch:
    """The server's /tmp. ``binds``: interpreter dirs under /tmp to bind back (read-only)."""

    def __init__(self, binds: list[tuple[str, str]], uid: int) -> None:
        self._binds = [(p, s) for p, s in binds if p.startswith("/tmp/")]
        self._keep = {p.split("/")[2] for p, _ in self._binds}  # their top dirs, root's
        self._uid = uid
        self._size_mb = 0
        self._ready = False

    def prepare(self, size_mb: int) -> str:
        """Before a run: an empty /tmp of ``size_mb`` MiB holding an empty work dir."""
        if size_mb != self._size_mb or not self._ready:
            self._replace(size_mb)
        self._ready = False  # the run may write anything: recycle() decides what comes next
        return WORKDIR

    def recycle(self, all_dead: bool) -> None:
        """After a run whose processes are ``all_dead``: make /tmp pristine for the next."""
        if all_dead and self._only_empty_workdir():
            os.mkdir(WORKDIR, 0o700)
            os.chown(WORKDIR, self._uid, self._uid, follow_symlinks=False)
            self._ready = True
        else:
            self._replace(self._size_mb)

    def _only_empty_workdir(self) -> bool:
        try:
            with os.scandir("/tmp") as entries:
                if {e.name for e in entries} - self._keep != {"work"}:
                    return False
            os.rmdir(WORKDIR)  # fails unless it is an empty directory (not a link, not a file)
        except OSError:
            return False
        return True

    def _replace(self, size_mb: int) -> None:
        """A new, empty tmpfs on /tmp (the old one is detached and freed)."""
        _jail.umount(b"/tmp", _MNT_DETACH)
        opts = f"size={size_mb}m,mode=1777".encode()
        if not _jail.mount(b"tmpfs", b"/tmp", b"tmpfs", _jail.MS_NOSUID | _jail.MS_NODEV, opts):
            raise RuntimeError(f"cannot mount a fresh tmpfs on /tmp: errno {_jail.errno()}")
        _jail.restore_tmp_paths(self._binds)
        os.mkdir(WORKDIR, 0o700)
        os.chown(WORKDIR, self._uid, self._uid, follow_symlinks=False)
        self._size_mb = size_mb
        self._ready = True
