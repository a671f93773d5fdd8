"""Child-side jail (stdlib only; runs inside the fork server's child before the program).

Order matters: namespaces and mounts need root, so they come first; rlimits next; the
privilege drop last. Every step records what it achieved in the returned report, because a
host may refuse some of them (no CAP_SYS_ADMIN, not root) and callers must know which.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import socket

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 0x1, 0x2, 0x4, 0x20
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 0x1000, 0x2000, 0x4000, 0x40000
PR_SET_PDEATHSIG = 1
_PRIVATE_TMP = ("/tmp", "/dev/shm", "/var/tmp")
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"

_libc = ctypes.CDLL(None, use_errno=True)
_prctl, _umount2 = _libc.prctl, _libc.umount2  # resolved in the server, not in each child


def _unshare(flags: int) -> bool:
    return _libc.unshare(ctypes.c_int(flags)) == 0


def mount(
    source: bytes | None, target: bytes, fstype: bytes | None, flags: int, data: bytes | None
) -> bool:
    return _libc.mount(source, target, fstype, ctypes.c_ulong(flags), data) == 0


def umount(target: bytes, flags: int) -> bool:
    return _umount2(target, ctypes.c_int(flags)) == 0


def errno() -> int:
    return ctypes.get_errno()


def _socket_guard() -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(101, "network disabled by the FactForge sandbox")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.socket.bind = refuse  # type: ignore[method-assign]
    socket.socket.sendto = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def _under_private_tmp(path: str) -> bool:
    real = os.path.realpath(path)
    return any(real == d or real.startswith(d + "/") for d in _PRIVATE_TMP)


def prepare_server(needed: list[str]) -> dict[str, str]:
    """Once per fork server: empty network namespace, private mounts, interpreter exposed.

    Every child inherits these; /tmp is then the server's own tmpfs, which ``_scratch``
    empties for each run. Returns the report entries; ``mounts`` is ``"private"`` when /tmp
    is such a tmpfs.
    """
    state: dict[str, str] = {}
    if _unshare(CLONE_NEWNET):
        state["network"] = "namespace (no interfaces)"
    if (
        os.geteuid() == 0
        and _unshare(CLONE_NEWNS)
        and mount(None, b"/", None, MS_REC | MS_PRIVATE, None)
    ):
        stashed = _stash_tmp_paths(needed)  # a venv under /tmp must survive the tmpfs below
        if mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=1777"):
            state["mounts"] = "private"
            for shared in _PRIVATE_TMP[1:]:  # empty and root-owned: unwritable for the jail
                if os.path.isdir(shared) and not any(
                    path.startswith(shared + "/") for path, _ in stashed
                ):
                    mount(
                        b"tmpfs",
                        shared.encode(),
                        b"tmpfs",
                        MS_NOSUID | MS_NODEV | MS_RDONLY,
                        b"size=1m,mode=0755",
                    )
            exposed = _expose(needed) + restore_tmp_paths(stashed)
            if stashed:
                state["tmp_binds"] = "\n".join(f"{path}\t{stash}" for path, stash in stashed)
            if exposed:
                state["interpreter"] = f"exposed read-only: {', '.join(exposed)}"
    return state


_STASH = "/mnt"  # outside the temporary dirs; covered by a tmpfs in the private namespace


def _stash_tmp_paths(needed: list[str]) -> list[tuple[str, str]]:
    """Bind interpreter dirs that live under /tmp (a venv there) aside, below ``_STASH``."""
    wanted = sorted(
        {os.path.realpath(p) for p in needed if os.path.isdir(p) and _under_private_tmp(p)}
    )
    roots = [p for p in wanted if not any(p != q and p.startswith(q + "/") for q in wanted)]
    if (
        not roots
        or not os.path.isdir(_STASH)
        or not mount(
            b"tmpfs", _STASH.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755"
        )
    ):
        return []
    stashed = []
    for i, path in enumerate(roots):
        stash = f"{_STASH}/ff-{i}"
        os.mkdir(stash)
        if mount(path.encode(), stash.encode(), None, MS_BIND | MS_REC, None):
            stashed.append((path, stash))
    return stashed


def restore_tmp_paths(stashed: list[tuple[str, str]]) -> list[str]:
    """Recreate each stashed path inside the (new) /tmp and bind it back read-only."""
    restored = []
    for path, stash in stashed:
        os.makedirs(path, mode=0o755, exist_ok=True)
        if mount(stash.encode(), path.encode(), None, MS_BIND | MS_REC, None):
            mount(None, path.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
            restored.append(path)
    return restored


def _network(report: dict[str, str], server: dict[str, str]) -> None:
    namespaces = server.get("namespaces") != "off"
    if "network" in server:
        report["network"] = server["network"]
    elif namespaces and _unshare(CLONE_NEWNET):
        report["network"] = "namespace (no interfaces)"
    elif namespaces and os.geteuid() != 0 and _unshare(CLONE_NEWUSER | CLONE_NEWNET):
        report["network"] = "namespace in a user namespace (no interfaces)"
    else:
        _socket_guard()
        report["network"] = "socket guard (no namespace: weaker, ctypes can bypass it)"


def _hidden_ancestor(path: str) -> str | None:
    """The top-most ancestor of ``path`` that other users cannot traverse, if any."""
    parts = os.path.abspath(path).split("/")[1:]
    for i in range(1, len(parts) + 1):
        ancestor = "/" + "/".join(parts[:i])
        try:
            if os.path.isdir(ancestor) and not os.stat(ancestor).st_mode & 0o001:
                return ancestor
        except OSError:
            return None
    return None


def _expose(paths: list[str]) -> list[str]:
    """Make interpreter paths under private dirs (e.g. /root/.pyenv) readable by the jail.

    In the server's own mount namespace: bind each needed path aside, cover its hidden
    ancestor with an empty tmpfs (hiding everything else there), recreate the path and move
    the bind back, read-only. The host's mounts are untouched (the namespace is private).
    """
    wanted = sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})
    roots = [p for p in wanted if not any(p != q and p.startswith(q + "/") for q in wanted)]
    by_ancestor: dict[str, list[str]] = {}
    for path in roots:
        ancestor = _hidden_ancestor(path)
        if ancestor is not None:
            by_ancestor.setdefault(ancestor, []).append(path)
    exposed = []
    for n, (ancestor, subs) in enumerate(by_ancestor.items()):
        staged = []
        for i, sub in enumerate(subs):
            stage = f"/tmp/.expose-{n}-{i}"
            os.mkdir(stage)
            if mount(sub.encode(), stage.encode(), None, MS_BIND | MS_REC, None):
                staged.append((sub, stage))
        if not mount(
            b"tmpfs", ancestor.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755"
        ):
            continue
        for sub, stage in staged:
            os.makedirs(sub, mode=0o755, exist_ok=True)
            if mount(stage.encode(), sub.encode(), None, MS_MOVE, None):
                mount(None, sub.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
                exposed.append(sub)
            os.rmdir(stage)
    return exposed


def _filesystem(report: dict[str, str], tmpfs_mb: int, server: dict[str, str]) -> None:
    if server.get("mounts") == "private":  # the server's own tmpfs, emptied for each run
        if "interpreter" in server:
            report["interpreter"] = server["interpreter"]
        report["filesystem"] = (
            f"private tmpfs {tmpfs_mb} MiB on /tmp, empty at start; "
            f"{', '.join(_PRIVATE_TMP[1:])} empty and read-only"
        )
    else:
        report["filesystem"] = "private temp dir (no mount namespace)"


def environ(workdir: str) -> dict[str, str]:
    """The whole environment of a run (the server sets it once; children check it)."""
    return {
        "PATH": _SAFE_PATH,
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _user_process_count(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _rlimits(limits: dict[str, float], report: dict[str, str], dropping: bool) -> None:
    cpu = max(1, int(limits["cpu_s"]))
    mb = 1024 * 1024
    settings = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, int(limits["memory_mb"]) * mb, int(limits["memory_mb"]) * mb),
        (resource.RLIMIT_FSIZE, int(limits["fsize_mb"]) * mb, int(limits["fsize_mb"]) * mb),
        (resource.RLIMIT_NOFILE, int(limits["nofile"]), int(limits["nofile"])),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    nproc = int(limits["nproc"])
    if not dropping:  # the limit counts every process of the real uid: leave room for them
        nproc += _user_process_count(os.getuid())
    settings.append((resource.RLIMIT_NPROC, nproc, nproc))
    for which, soft, hard in settings:
        resource.setrlimit(which, (soft, hard))
    report["limits"] = (
        f"cpu {cpu} s, address space {limits['memory_mb']} MiB, "
        f"file size {limits['fsize_mb']} MiB, processes {limits['nproc']}"
    )


def apply(
    limits: dict[str, float],
    uid: int | None,
    workdir: str,
    needed: list[str],
    server: dict[str, str],
) -> dict[str, str]:
    """Jail the calling (child) process; return what each protection achieved.

    ``workdir``: the run's empty private dir, owned by ``uid`` (made by the server);
    ``needed``: directories the interpreter must still read after the privilege drop;
    ``server``: what :func:`prepare_server` achieved.
    """
    report: dict[str, str] = {}
    os.setsid()
    dropping = uid is not None and os.geteuid() == 0
    gid = uid if dropping and uid is not None else os.getgid()
    _network(report, server)
    _filesystem(report, int(limits["tmpfs_mb"]), server)
    if dropping and "interpreter" not in report and any(map(_hidden_ancestor, needed)):
        dropping = False  # the interpreter would be unreadable: keep uid, say so
        report["privileges_note"] = "interpreter under a private dir and no mount namespace"
    _rlimits(limits, report, dropping)
    wanted = environ(workdir)
    if os.environ != wanted:  # the server set all but a per-run temp dir before forking
        for key in [k for k in os.environ if k not in wanted]:
            del os.environ[key]
        for key, value in wanted.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
    os.chdir(workdir)
    if dropping and uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        report["privileges"] = f"dropped to uid/gid {uid}, no groups"
    else:
        report["privileges"] = f"unchanged: not root (uid {os.getuid()})"
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    return report
