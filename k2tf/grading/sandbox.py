"""Start a grading kernel with its limits: ``python -m k2tf.grading.sandbox [options] -- argv``.

The grader's pytest process launches the course kernel through this wrapper, which sets the
limits on itself and then *becomes* the kernel (``execv``), so the kernel's pid is the one
Jupyter tracks and interrupts. What it applies, and why this way:

* **memory** — ``RLIMIT_DATA`` (heap and private writable mappings, thread stacks included).
  Not ``RLIMIT_AS``: TensorFlow reserves gigabytes of address space it never uses (2.6 GB of
  ``VmSize`` against 0.4 GB of ``VmData`` and 0.6 GB resident after training lesson 01's
  model), so an address-space limit would break honest work. An allocation over the limit
  fails with ``MemoryError`` in the cell; the judge's watchdog also kills a kernel whose
  resident memory passes the limit by other means.
* **no network** — a new network namespace (``unshare(CLONE_NEWNET)``): only a loopback that
  is down. The kernel talks to Jupyter over Unix sockets (``ipc`` transport), which do not
  need the network. As root this needs nothing else; otherwise a user namespace comes
  with it (no extra package either way). Where the system refuses (no namespaces, not Linux)
  the kernel runs with the network, and the judge reports that in the gradebook.
* **no reach into the grader** — a private mount namespace covers the grader's output folder
  and working folders (``--hide``) with an empty read-only tmpfs, and the kernel keeps no
  capability to undo it (it runs as a non-zero uid inside its user namespace). As root, when
  the Python installation is readable by everyone, the kernel runs as ``nobody`` as well, so
  it cannot signal the grader either. Otherwise it runs as the grader's user: it could still
  signal the grader's processes (a killed pytest is graded as such; the run goes on).
* **no orphans** — ``PR_SET_PDEATHSIG``: the kernel dies with the pytest process that
  started it, whatever killed that process.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REC, MS_PRIVATE = 16384, 1 << 18
PR_SET_PDEATHSIG = 1
NOBODY = 65534


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def readable_by_everyone(paths: list[str]) -> bool:
    """Whether ``nobody`` could run this Python: every folder on the way searchable, files readable."""
    for path in paths:
        path = os.path.realpath(path)
        parts = path.split(os.sep)
        for i in range(2, len(parts) + 1):
            mode = os.stat(os.sep.join(parts[:i]) or os.sep).st_mode
            if not mode & 0o001 and (i < len(parts) or not mode & 0o004):
                return False
    return True


def isolate(hide: list[str], *, as_nobody: bool) -> None:
    """New network and mount namespaces; cover ``hide`` with an empty read-only tmpfs."""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWNET | CLONE_NEWNS | (0 if as_nobody else CLONE_NEWUSER)),
           "unshare")
    if not as_nobody:
        # our own uid, seen from inside as a non-zero uid: after exec the kernel keeps no
        # capability, so it cannot unmount what covers the grader's folders
        inside = uid or 1000
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{inside} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid or 1000} {gid} 1")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for folder in hide:
        if os.path.isdir(folder):
            _check(libc.mount(b"tmpfs", folder.encode(), b"tmpfs",
                              MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, b"size=4k,mode=0555"),
                   f"mount tmpfs on {folder}")
    if not as_nobody and os.getuid() != inside:
        os.setgid(gid or 1000)
        os.setuid(inside)


def _chown_tree(path: str, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m k2tf.grading.sandbox")
    parser.add_argument("--workdir", required=True, help="the kernel's own folder (cwd, HOME)")
    parser.add_argument("--memory", type=int, default=0, help="bytes of memory (0: no limit)")
    parser.add_argument("--hide", action="append", default=[], help="folder the kernel must not see")
    parser.add_argument("--no-isolation", action="store_true", help="skip namespaces (debugging)")
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel = args.kernel[1:] if args.kernel[:1] == ["--"] else args.kernel
    parent = os.getppid()

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if args.memory:
        resource.setrlimit(resource.RLIMIT_DATA, (args.memory, args.memory))
    import k2tf

    as_nobody = os.geteuid() == 0 and readable_by_everyone(
        [sys.executable, kernel[0], os.path.dirname(k2tf.__file__), os.__file__])
    if not args.no_isolation and sys.platform.startswith("linux"):
        try:
            isolate(args.hide, as_nobody=as_nobody)
        except OSError:
            pass  # the judge sees the kernel's namespaces and reports what is missing
    if as_nobody:
        connection_file = kernel[kernel.index("-f") + 1] if "-f" in kernel else None
        _chown_tree(args.workdir, NOBODY, NOBODY)
        if connection_file:
            os.chown(connection_file, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    # after the uid change, which clears it
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    os.chdir(args.workdir)
    os.execv(kernel[0], kernel)


if __name__ == "__main__":
    main()
