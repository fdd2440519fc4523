"""A fork server for grading kernels: the libraries are imported once, each kernel is a fork.

Every graded notebook would otherwise pay for starting Python and importing NumPy, PyTorch,
TensorFlow, Matplotlib and IPython (7-9 s) before its first cell. Instead each grading process
starts one zygote, ``python -m calcopt.instructor.zygote``, lazily, and keeps it for all the
submissions it grades (a new one is started if it died). The zygote imports what a course
kernel needs (``PRELOAD``) and nothing more: it runs no PyTorch or TensorFlow operation and
starts no Python thread, event loop or zmq context, so a fork of it is as good as a fresh
process. (Importing NumPy and TensorFlow each starts one native worker thread, which waits,
idle, for work that never comes; a fork does not copy it, and OpenBLAS makes its pool anew in
the child.) It never runs submitted code: each kernel is a fresh fork of a process that has
only imported libraries, so nothing one submission does reaches the next.

The grading process talks to it over its stdin and stdout, one JSON object a line:

    {"op": "spawn", "cmd": [...], "cwd": "...", "env": {...}}  ->  {"pid": 1234}
    {"op": "poll", "pid": 1234}                   ->  {"returncode": null | 3 | -9}
    {"op": "signal", "pid": 1234, "signum": 2}    ->  {}  (to the kernel's process group)
    {"op": "release", "pid": 1234}                ->  {}  (its status is no longer needed)

and any request may be answered ``{"error": "..."}``. For ``spawn``, the forked child starts a
session of its own, makes its parent's death its own (SIGKILL), closes every inherited file
but stdin/out/err, points stdin at /dev/null and stdout/stderr at ``<cwd>/.kernel/kernel.log``
(or /dev/null), enters ``cwd``, takes ``env`` as its environment (plus what the imports added
to the zygote's, such as ``TF2_BEHAVIOR``), resets what a fresh interpreter would have
differently (``sys.path[0]``, ``sys.argv``, signal handlers, the temporary folder, the random
state of NumPy and PyTorch, ipykernel's parent pid), then runs the command. The only command
it runs is the one ``GradingExecute`` makes, ``[python, "-m", "calcopt.instructor.sandbox",
policy, "-f", connection_file, ...]``: ``calcopt.instructor.sandbox.main`` confines the process
and starts ipykernel in it.

A child's exit status is kept (the child is not reaped) until the grading process releases it,
so its pid, which is also its process group, cannot be reused meanwhile, and the exit code or
the killing signal can be reported whenever asked for (``returncode`` as in ``subprocess``).

Imports depend on the environment (``calcopt.checks`` reads ``CALCOPT_RECORD``, OpenMP reads
``OMP_NUM_THREADS``, Keras reads ``HOME``...). So a zygote is started with the environment of
the first kernel it serves, its per-kernel folders (``PER_KERNEL_ENV``) replaced by its own,
and serves only kernels whose environment agrees with that on everything else; a kernel that
needs another environment gets another zygote. No other variable of the grading process
reaches it: a forked kernel can read the environment its zygote was started with
(``/proc/self/environ``), so that must hold nothing secret. What the imports computed from the
per-kernel folders stays the zygote's: Matplotlib's cache folder (its font list is loaded
already) and Keras's ``keras_home()``; a kernel cannot write there, as it could not write to
any folder but its own.

In the grading process, ``ZygoteProvisioner`` (a jupyter_client kernel provisioner, registered
as the ``calcopt-zygote`` entry point of ``jupyter_client.kernel_provisioners``) launches kernels
through the zygote. ``GradingExecute`` names it in its kernel spec when ``fork_kernels`` is on.
"""
import atexit
import json
import os
import select
import signal
import sys
import threading
import time
import warnings

MODULE = "calcopt.instructor.zygote"
KERNEL_MODULE = "calcopt.instructor.sandbox"

# What a course kernel imports, in this order. Nothing that behaves differently when imported
# inside a running kernel: ipywidgets and matplotlib_inline (so calcopt.widgets) register
# themselves with the kernel they find at import, so they are left to the kernel.
PRELOAD = ("calcopt", "numpy", "torch", "tensorflow", "matplotlib", "matplotlib.pyplot",
           "matplotlib.backends.backend_agg", "IPython", "IPython.core.interactiveshell",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "calcopt.checks",
           "calcopt.plots", KERNEL_MODULE)

# Variables that are folders of one kernel; a kernel's other variables must match its zygote's.
PER_KERNEL_ENV = ("HOME", "TMPDIR", "IPYTHONDIR", "MPLCONFIGDIR", "JPY_PARENT_PID", "JPY_SESSION_NAME")

STARTUP_TIMEOUT = 300  # seconds for the imports, on a busy machine
REQUEST_TIMEOUT = 60
_PR_SET_PDEATHSIG, _PR_SET_NAME = 1, 15


# ---------------------------------------------------------------------------------------------
# The zygote process
# ---------------------------------------------------------------------------------------------

class _Server:
    def __init__(self, requests_fd, replies_fd):
        self.requests_fd, self.replies_fd = requests_fd, replies_fd
        self.buffer = b""
        self.children = set()  # forked and not released: never reaped, so their pids stay ours
        self.released = set()  # released while still running: reaped when they end
        self.zygote_pid = os.getpid()
        self.path0 = sys.path[0]
        self.signals = {}  # the signal handlers of a fresh interpreter
        self.env_added, self.env_removed = {}, []  # what importing did to os.environ

    def read(self):
        while b"\n" not in self.buffer:
            chunk = os.read(self.requests_fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def write(self, reply):
        data = (json.dumps(reply) + "\n").encode()
        while data:
            data = data[os.write(self.replies_fd, data):]

    def serve(self):
        while True:
            request = self.read()
            if request is None:
                return
            self.reap_released()
            try:
                reply = getattr(self, f"op_{request['op']}")(request)
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            self.write(reply)

    def reap_released(self):
        for pid in list(self.released):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.released.discard(pid)

    def child(self, pid):
        if pid not in self.children:
            raise ProcessLookupError(f"no kernel {pid} here")
        return pid

    def op_spawn(self, request):
        cmd, cwd, env = request["cmd"], request["cwd"], request["env"]
        if not (len(cmd) >= 4 and cmd[1:3] == ["-m", KERNEL_MODULE]
                and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)):
            raise ValueError(f"the zygote runs only `{sys.executable} -m {KERNEL_MODULE} ...`")
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        with warnings.catch_warnings():  # Python 3.12+ warns of the idle native threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # never returns
            _run_kernel(self, cmd, cwd, env)
        self.children.add(pid)
        return {"pid": pid}

    def op_poll(self, request):
        pid = self.child(request["pid"])
        status = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if status is None:
            return {"returncode": None}
        if status.si_code == os.CLD_EXITED:
            return {"returncode": status.si_status}
        return {"returncode": -status.si_status}  # killed (or dumped) by a signal

    def op_signal(self, request):
        pid, signum = self.child(request["pid"]), request["signum"]
        try:  # the unreaped leader keeps its group's id from being reused
            os.killpg(pid, signum)
        except ProcessLookupError:
            os.kill(pid, signum)
        return {}

    def op_release(self, request):
        pid = self.child(request["pid"])
        self.children.discard(pid)
        if os.waitpid(pid, os.WNOHANG)[0] == 0:
            self.released.add(pid)
        return {}

    def op_ping(self, request):
        return {"pid": os.getpid()}


def _run_kernel(server, cmd, cwd, env):
    """In the forked child: become a fresh kernel process, run ``cmd``, exit."""
    code = 1
    try:
        os.setsid()
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(_PR_SET_NAME, b"calcopt-kernel", 0, 0, 0)  # its name in ps -o comm, top
        if os.getppid() != server.zygote_pid:  # the zygote died before prctl
            os._exit(1)
        for fd in os.listdir("/proc/self/fd"):  # the zygote's pipes, and anything else
            if int(fd) > 2:
                try:
                    os.close(int(fd))
                except OSError:
                    pass
        os.chdir(cwd)
        _redirect_stdio(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ.update(server.env_added)  # what the imports set (TF2_BEHAVIOR, KMP_...)
        for name in server.env_removed:
            os.environ.pop(name, None)
        os.environ["JPY_PARENT_PID"] = str(server.zygote_pid)  # ipykernel exits when it goes
        _fresh_interpreter_state(server, cwd)
        from calcopt.instructor import sandbox

        sys.argv = [sandbox.__file__]
        # ipykernel read JPY_PARENT_PID when the zygote imported it: say it again, so that the
        # kernel watches its parent as a launched one does.
        sandbox.main([*cmd[3:], f"--IPKernelApp.parent_handle={server.zygote_pid}"])
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:  # what a normal interpreter exit would run; the zygote's frames below are not ours
            import atexit as _atexit

            _atexit._run_exitfuncs()
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        finally:
            os._exit(code)


def _redirect_stdio(cwd):
    folder = os.path.join(cwd, ".kernel")
    null = os.open(os.devnull, os.O_RDWR)
    out = null
    if os.path.isdir(folder):
        out = os.open(os.path.join(folder, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    for fd in {null, out}:
        os.close(fd)


def _fresh_interpreter_state(server, cwd):
    """Undo what a fresh ``python -m ...`` started in ``cwd`` would not have."""
    if sys.path and sys.path[0] == server.path0:
        sys.path[0] = cwd  # `python -m` puts its working directory first
    for signum, handler in server.signals.items():
        signal.signal(signum, handler)
    import tempfile

    tempfile.tempdir = None  # cached from the zygote's TMPDIR
    # Seeded from the OS once, at import: every fork would draw the same numbers. (The random
    # module reseeds itself after a fork; TensorFlow seeds on first use, after the fork.)
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    if "torch" in sys.modules:
        sys.modules["torch"].seed()


def main():
    # The protocol moves to private descriptors; stray prints of a library go to stderr.
    requests_fd, replies_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.close(null)
    server = _Server(requests_fd, replies_fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # if inherited as ignored, children reap themselves
    server.signals = {s: signal.getsignal(s) for s in signal.Signals
                      if s not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(s) is not None}
    import importlib

    start = time.monotonic()
    with open("/proc/self/environ", "rb") as environ:  # as started, before calcopt set defaults
        started = dict(item.decode().split("=", 1)
                       for item in environ.read().split(b"\0") if b"=" in item)
    for name in PRELOAD:
        importlib.import_module(name)
    server.env_added = {k: v for k, v in os.environ.items() if started.get(k) != v}
    server.env_removed = [k for k in started if k not in os.environ]
    python_threads = threading.active_count()
    server.write({"ready": python_threads == 1, "pid": os.getpid(),
                  "seconds": round(time.monotonic() - start, 2),
                  "python_threads": python_threads,
                  "native_threads": len(os.listdir("/proc/self/task")),
                  "rss_kb": _rss_kb(os.getpid())})
    if python_threads != 1:  # forking would leave their locks held: refuse to serve
        sys.exit(f"zygote: an import started a thread: {threading.enumerate()}")
    server.serve()  # until the grading process closes the pipe, or dies


def _main(argv):
    """``python -m calcopt.instructor.zygote [FOLDER]``: serve, then remove FOLDER, the
    zygote's own HOME and TMPDIR (its grading process may exit without a chance to)."""
    try:
        main()
    finally:
        if argv:
            import shutil

            shutil.rmtree(argv[0], ignore_errors=True)


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------------
# The grading process's side
# ---------------------------------------------------------------------------------------------

class ZygoteError(RuntimeError):
    pass


class Zygote:
    """One zygote process and the pipes to it; requests are serialised (thread safe)."""

    def __init__(self, env):
        import subprocess
        import tempfile

        from . import sandbox

        self.folder = tempfile.mkdtemp(prefix="calcopt-zygote-")
        own = sandbox.kernel_environment(self.folder)  # HOME, TMPDIR... of its own
        self.env = {**{k: v for k, v in env.items() if k not in PER_KERNEL_ENV}, **own}
        self.key = environment_key(env)
        self.owner = os.getpid()
        self.lock = threading.Lock()
        self.buffer = b""
        self.log_path = os.path.join(self.folder, "zygote.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", MODULE, self.folder], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, cwd=self.folder, env=self.env, start_new_session=True)
        try:
            self.info = self._read(STARTUP_TIMEOUT)
        except ZygoteError:
            self.close()
            raise
        if not self.info.get("ready"):
            self.close()
            raise ZygoteError(f"the zygote cannot serve: {self.info}; {self._log_tail()}")

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def request(self, **request):
        with self.lock:
            try:
                self.process.stdin.write((json.dumps(request) + "\n").encode())
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError) as exc:
                raise ZygoteError(f"the zygote is gone ({exc}); {self._log_tail()}") from None
            reply = self._read(REQUEST_TIMEOUT)
        if "error" in reply:
            if reply["error"].startswith("ProcessLookupError"):
                import errno

                raise ProcessLookupError(errno.ESRCH, reply["error"])
            raise ZygoteError(reply["error"])
        return reply

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ZygoteError(f"no answer from the zygote in {timeout} s; {self._log_tail()}")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ZygoteError(f"the zygote exited ({self.process.poll()}); {self._log_tail()}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def _log_tail(self):
        try:
            with open(self.log_path, "rb") as log:
                text = log.read()[-2000:].decode(errors="replace").strip()
        except OSError:
            text = ""
        return f"its log: {text}" if text else "its log is empty"

    def spawn(self, cmd, cwd, env):
        """Fork a kernel running ``cmd``; returns its ``ZygoteProcess``."""
        pid = self.request(op="spawn", cmd=list(cmd), cwd=str(cwd), env=dict(env))["pid"]
        return ZygoteProcess(self, pid)

    def close(self):
        """Stop the zygote (its kernels die with it) and remove its folder."""
        import shutil
        import subprocess

        if self.owner == os.getpid():
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                self.process.wait(timeout=5)  # it exits when its stdin closes
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class ZygoteProcess:
    """A forked kernel as the provisioner sees it: the part of ``subprocess.Popen`` it uses."""

    stdin = stdout = stderr = None

    def __init__(self, zygote, pid):
        self.zygote, self.pid = zygote, pid
        self.returncode = None
        self.released = False

    def poll(self):
        if self.returncode is None and not self.released:
            try:
                self.returncode = self.zygote.request(op="poll", pid=self.pid)["returncode"]
            except (ZygoteError, ProcessLookupError):
                # Without its zygote the kernel is dead: PR_SET_PDEATHSIG killed it.
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        self.release()
        return self.returncode

    def send_signal(self, signum):
        if self.released:
            return
        try:
            self.zygote.request(op="signal", pid=self.pid, signum=int(signum))
        except ZygoteError as exc:
            import errno

            raise ProcessLookupError(errno.ESRCH, str(exc)) from None

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def release(self):
        """Let the zygote forget the kernel (and reap it once it has ended)."""
        if not self.released:
            self.poll()  # the last chance to learn how it ended
            self.released = True
            try:
                self.zygote.request(op="release", pid=self.pid)
            except (ZygoteError, ProcessLookupError):
                pass


def environment_key(env):
    """What a zygote's imports may depend on: a kernel's environment but its own folders."""
    return tuple(sorted((k, v) for k, v in env.items() if k not in PER_KERNEL_ENV))


_zygotes = {}  # environment_key -> Zygote, in this process
_zygotes_lock = threading.Lock()


def zygote_for(env):
    """The zygote of this process for kernels with environment ``env``, started if needed."""
    key = environment_key(env)
    with _zygotes_lock:
        zygote = _zygotes.get(key)
        if zygote is None or zygote.owner != os.getpid() or not zygote.alive():
            if zygote is not None and zygote.owner == os.getpid():
                zygote.close()
            if not _zygotes:
                atexit.register(close_all)
            zygote = _zygotes[key] = Zygote(env)
        return zygote


def close_all():
    with _zygotes_lock:
        for zygote in _zygotes.values():
            if zygote.owner == os.getpid():
                zygote.close()
        _zygotes.clear()


try:
    from jupyter_client.provisioning import LocalProvisioner
except ImportError:  # pragma: no cover - the zygote itself does not need it
    LocalProvisioner = object


class ZygoteProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose kernel is forked by the zygote instead of started by Popen.

    Everything else is the local provisioner's: the connection file and ports, ``poll`` and
    ``wait`` (through ``ZygoteProcess``), and signals (interrupt, terminate, kill), which the
    zygote sends to the kernel's process group because ``pgid`` is left unset here."""

    async def launch_kernel(self, cmd, **kwargs):
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        self.process = zygote_for(env).spawn(cmd, cwd, env)
        self.pid = self.process.pid
        self.pgid = None  # LocalProvisioner then signals through process.send_signal
        self.cwd = cwd
        return self.connection_info

    async def cleanup(self, restart=False):
        if self.process is not None:
            self.process.release()  # the exit status stays readable through process.poll()
        await super().cleanup(restart=restart)


if __name__ == "__main__":
    _main(sys.argv[1:])
