"""Confine a grading kernel before any submitted code runs in it.

``confine(policy)`` is called in the kernel's own process, before IPython starts:
- a memory cap (RLIMIT_AS), a cap on the size of any file written (RLIMIT_FSIZE), no core
  dumps and, where a cgroup pids controller is writable, a cap on processes and threads, so a
  memory bomb, a disk flood or a fork bomb fails inside the kernel, not on the machine;
- new PID and mount namespaces (as root, or through a user namespace where the system allows
  one): the kernel becomes process 1 of its own process tree, with a /proc of its own, so it
  sees no other process on the machine (no command line, no environment, nothing to signal,
  renice or trace), and every process it starts, daemons included, ends when it ends;
- no capabilities at all, even as root: no real-time scheduling, no raised limits, nothing
  regained by executing a setuid program;
- with Linux Landlock (kernel 5.13 or newer): the kernel may read only the Python installation,
  the system directories and the ``calcopt`` package, may write only in its working copy, may
  not connect to any TCP port, and may not signal or ptrace a process outside itself. So the
  gradebook, the sources and their hidden tests, the answer key and the other students'
  working copies are out of reach, whatever the submitted code does.

Where a feature is missing the others still apply, and ``confine`` reports what it could not do.

Run as ``python -m calcopt.instructor.sandbox '<policy json>' -f <connection file>``: confine,
then start an IPython kernel.
"""
import ctypes
import errno
import json
import os
import platform
import resource
import shutil
import signal
import sys
from pathlib import Path

# Landlock's ABI (include/uapi/linux/landlock.h); system call numbers are the same on x86_64
# and aarch64.
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_SECUREBITS = 1, 4, 24, 28
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
# include/uapi/linux/securebits.h: NOROOT, NO_SETUID_FIXUP, KEEP_CAPS, NO_CAP_AMBIENT_RAISE,
# each with its lock bit: root gets no capabilities back by any means.
_SECUREBITS_LOCKED_DOWN = 0b1110_1111
_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
_CAPABILITY_VERSION_3 = 0x20080522

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_WRITE_DIR = sum(1 << bit for bit in range(4, 13))  # remove and make files, dirs, links...
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = _EXECUTE | _READ_FILE | _READ_DIR
SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev"]
DEVICES_WRITABLE = ["/dev/null"]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi():
    """Landlock's ABI version, or 0 where the running kernel has none."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64"):
        return 0
    version = _libc().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(version, 0)


def readable_paths():
    """What a grading kernel must read: Python, its packages, the system and ``calcopt``."""
    package = Path(__file__).resolve().parents[1]
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(package), *SYSTEM_DIRS}
    return sorted(p for p in paths if os.path.exists(p))


def default_policy(workdir, memory_bytes=4 << 30, file_bytes=256 << 20, max_processes=1024, readable=()):
    """The policy of one grading kernel: ``workdir`` is the only place it may write."""
    return {"workdir": str(workdir), "readable": [*readable_paths(), *map(str, readable)],
            "memory_bytes": memory_bytes, "file_bytes": file_bytes, "max_processes": max_processes,
            "own_process_tree": True}


def _limit_processes(max_processes):
    """Move this process into a cgroup of its own whose ``pids.max`` caps the processes and
    threads it and its children may have: a fork bomb stops there. (RLIMIT_NPROC does not
    bind root.) Needs a writable cgroup pids controller; returns the problem if there is none."""
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        parent = base / "calcopt-kernels"
        try:
            parent.mkdir(exist_ok=True)
            for stale in parent.iterdir():  # groups of kernels that have ended
                if stale.is_dir():
                    try:
                        stale.rmdir()
                    except OSError:
                        pass  # still in use
            group = parent / str(os.getpid())
            group.mkdir(exist_ok=True)
            (group / "pids.max").write_text(str(max_processes))
            (group / "cgroup.procs").write_text("0")
            return None
        except OSError:
            continue
    return f"no writable cgroup pids controller: processes are not capped at {max_processes}"


def _limit(kind, value):
    if value:
        resource.setrlimit(kind, (value, value))


def _fs_access(abi):
    access = _EXECUTE | _WRITE_FILE | _READ_FILE | _READ_DIR | _WRITE_DIR
    if abi >= 2:
        access |= _REFER
    if abi >= 3:
        access |= _TRUNCATE
    if abi >= 5:
        access |= _IOCTL_DEV
    return access


def _add_path(libc, ruleset, path, access):
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):  # only file rights apply to a file
            access &= _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
        rule = _PathBeneathAttr(access, fd)
        if libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock rule for {path}")
    finally:
        os.close(fd)


def _landlock(policy, abi):
    libc = _libc()
    handled = _fs_access(abi)
    attr = _RulesetAttr(handled, 0, 0)
    if abi >= 4:
        attr.handled_access_net = _NET_CONNECT_TCP  # binding stays free: ipykernel binds pipes
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for path in policy["readable"]:
            if os.path.exists(path):
                _add_path(libc, ruleset, path, READ & handled)
        for path in DEVICES_WRITABLE:
            _add_path(libc, ruleset, path, READ | _WRITE_FILE)
        _add_path(libc, ruleset, policy["workdir"], handled)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _own_process_tree():
    """Become process 1 of new PID and mount namespaces, with a /proc that shows only them.

    ``unshare`` moves only the children into the new PID namespace, so this process forks:
    the child returns (and runs the kernel), this process stays outside as its stand-in,
    waits for it, then ends the same way (exit code or signal) for whoever watches it. When
    process 1 of a namespace ends, Linux kills every process left in it. Returns the problem,
    or None."""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWPID | _CLONE_NEWNS | (0 if uid == 0 else _CLONE_NEWUSER)
    if libc.unshare(flags) != 0:
        return (f"no PID namespace ({os.strerror(ctypes.get_errno())}): the kernel can see other "
                "processes, and a process it starts may outlive it")
    if flags & _CLONE_NEWUSER:  # be root inside, as the same unprivileged user outside
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    child = os.fork()
    if child:
        _stand_in_for(child)  # never returns
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    for source, target, kind, options in ((None, b"/", None, _MS_REC | _MS_PRIVATE),
                                          (b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)):
        if libc.mount(source, target, kind, options, None) != 0:
            raise OSError(ctypes.get_errno(), f"mount {target.decode()}")
    return None


def _stand_in_for(child):
    """Outside the namespace: wait for the kernel, then exit as it did. An interrupt is for the
    kernel (it shares this process group), not for this process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _drop_capabilities():
    """No capability left, none to regain: root is an ordinary user from here on."""
    libc = _libc()
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break  # past the last capability this kernel knows
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    libc.prctl(_PR_SET_SECUREBITS, _SECUREBITS_LOCKED_DOWN, 0, 0, 0)  # fails harmlessly unprivileged
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice, all empty
    if libc.capset(ctypes.byref(header), ctypes.byref(data)) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def private_process():
    """Make this process's memory and /proc entries (its environment, where a database
    password may be) unreadable by other processes of the same user that lack capabilities,
    such as grading kernels. Called by the grading processes."""
    if platform.system() == "Linux":
        _libc().prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def capabilities():
    """This process's effective capabilities, as the bit mask /proc/self/status shows."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


def peak_address_space(pid):
    """The peak address space, in bytes, of the kernel started as ``pid``: of the process
    that stands in for it outside its namespace, the kernel is the child. None if gone."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        target = children[0] if children else pid
        for line in Path(f"/proc/{target}/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    return None


def confine(policy):
    """Apply ``policy`` to this process for good; returns what could not be enforced."""
    _limit(resource.RLIMIT_AS, policy.get("memory_bytes"))
    _limit(resource.RLIMIT_FSIZE, policy.get("file_bytes"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    problems = []
    if policy.get("max_processes"):
        problems.append(_limit_processes(policy["max_processes"]))
    if policy.get("own_process_tree", True):
        problems.append(_own_process_tree())
    _drop_capabilities()
    private_process()
    abi = landlock_abi()
    if not abi:
        problems.append("Landlock is not available: the kernel can read and write outside its working copy")
    else:
        _landlock(policy, abi)
        if abi < 6:
            problems.append(f"Landlock ABI {abi}: the kernel may still signal other processes")
    return [problem for problem in problems if problem]


def kernel_environment(workdir):
    """Environment variables that keep a kernel's caches and temporary files in its workdir."""
    private = Path(workdir) / ".kernel"
    for name in ("home", "tmp", "ipython", "matplotlib"):
        (private / name).mkdir(parents=True, exist_ok=True)
    _copy_font_cache(private / "matplotlib")
    return {"HOME": str(private / "home"), "TMPDIR": str(private / "tmp"),
            "IPYTHONDIR": str(private / "ipython"), "MPLCONFIGDIR": str(private / "matplotlib"),
            "MPLBACKEND": "agg"}


def _copy_font_cache(target):
    """Give the kernel matplotlib's font list, which it would otherwise spend seconds building."""
    import matplotlib

    for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(cache, target / cache.name)


def main(argv):
    policy = json.loads(argv[0])
    for problem in confine(policy):
        print(f"sandbox: {problem}", file=sys.stderr)
    from ipykernel.kernelapp import launch_new_instance

    sys.argv = [sys.argv[0], *argv[1:]]
    launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
