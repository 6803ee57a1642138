"""The local Neo4j Community server that graphcrm manages.

The server is the small Maven module shipped inside this package (`graphcrm/neo4j_server`): Maven
resolves Neo4j 5.26 LTS from Maven Central and compiles a launcher that embeds the DBMS with the
Bolt connector on 127.0.0.1 and authentication on. Its state folder (default `.graphcrm/neo4j`
under the current directory, or `GRAPHCRM_HOME`) holds the build output, the store, the logs,
the generated password, the port and the pid of the running server. The folder is private
(0700, the password file 0600 from its first byte) and the server runs with a umask of 077, so
its store, indexes and logs are readable by the user alone.

Every transaction is bounded by the server: `db.transaction.timeout` (setting `neo4j_tx_timeout_s`,
for transactions that ask for no timeout of their own) and `db.memory.transaction.max` (setting
`neo4j_tx_memory_mb`, half the heap unless set).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graphcrm import settings
from graphcrm.errors import ServerError

MODULE_DIR = Path(__file__).resolve().parent / "neo4j_server"
PRIVATE_UMASK = 0o077
USERNAME = "neo4j"
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


@dataclass(frozen=True)
class ServerHome:
    """Paths inside one managed server's state folder."""

    root: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> ServerHome:
        """The state folder from an explicit path, `GRAPHCRM_HOME`, or `./.graphcrm/neo4j`."""
        chosen = home or settings.value("home")
        return cls(Path(chosen).expanduser().resolve())

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def classpath_file(self) -> Path:
        return self.build / "classpath.txt"

    @property
    def dbms(self) -> Path:
        return self.root / "dbms"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def pid_file(self) -> Path:
        return self.root / "server.pid"

    @property
    def console_log(self) -> Path:
        return self.root / "console.log"

    @property
    def launch_file(self) -> Path:
        """The options of the last start (heap, page cache, import folder), reused by `restart`."""
        return self.root / "launch.json"


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a managed server."""

    uri: str
    username: str
    password: str
    home: Path
    pid: int | None


def make_private(home: ServerHome) -> None:
    """Create the state folder readable by its owner alone (0700), and tighten an existing one."""
    home.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.root.chmod(0o700)


def password(home: ServerHome) -> str:
    """The server's password, generated once and kept in the state folder; the file is created
    with mode 0600, so it is never readable by others, not even for a moment."""
    if not home.password_file.exists():
        make_private(home)
        try:
            handle = os.open(home.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return home.password_file.read_text().strip()
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_urlsafe(18) + "\n")
    return home.password_file.read_text().strip()


def info(home: ServerHome) -> ServerInfo:
    """Connection details for the server of `home`, whether or not it runs now."""
    port = int(home.port_file.read_text()) if home.port_file.exists() else int(settings.value("neo4j_port"))
    return ServerInfo(f"bolt://127.0.0.1:{port}", USERNAME, password(home), home.root, running_pid(home))


def running_pid(home: ServerHome) -> int | None:
    """The pid of this home's server if its process is alive, else None (stale pid files go)."""
    if not home.pid_file.exists():
        return None
    try:
        pid = int(home.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        home.pid_file.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"graphcrm.LocalNeo4j" not in cmdline.read_bytes():
        home.pid_file.unlink(missing_ok=True)
        return None
    return pid


def build(home: ServerHome, *, quiet: bool = True) -> list[str]:
    """Resolve Neo4j with Maven and compile the launcher (once); return the Java classpath."""
    classes = home.build / "classes"
    stamp_file = home.build / "source.sha1"
    stamp = _source_digest()
    built = home.classpath_file.exists() and (classes / "graphcrm" / "LocalNeo4j.class").exists()
    if not built or not stamp_file.exists() or stamp_file.read_text() != stamp:
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError("Maven (mvn) is not on PATH; install it to build the local Neo4j.")
        home.build.mkdir(parents=True, exist_ok=True)
        cmd = [mvn, "-B", "-f", str(MODULE_DIR / "pom.xml"), f"-DbuildDir={home.build}", "package"]
        if quiet:
            cmd.insert(2, "-q")
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise ServerError(f"Maven could not build the local Neo4j server:\n{tail}")
        stamp_file.write_text(stamp)
    return [str(classes), *home.classpath_file.read_text().strip().split(os.pathsep)]


def _source_digest() -> str:
    """A digest of the Maven module's sources, so an edited launcher or pom is rebuilt."""
    digest = hashlib.sha1()
    for path in sorted(MODULE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".java"):
            digest.update(path.relative_to(MODULE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(
    home: ServerHome,
    *,
    port: int | None = None,
    heap: str | None = None,
    pagecache_mb: int | None = None,
    import_dir: Path | None = None,
    tx_timeout_s: int | None = None,
    tx_memory_mb: int | None = None,
    timeout: float = 180.0,
) -> ServerInfo:
    """Start the server of `home` in the background and wait until Bolt answers.

    `import_dir`, when given, is the only folder LOAD CSV may read (file URLs are off otherwise).
    `tx_timeout_s` and `tx_memory_mb` bound every transaction (defaults: the module docstring).
    Raises ServerError if it is already running (with its URI), if the port is taken, or if it
    does not come up within `timeout` seconds (with the end of its log).
    """
    pid = running_pid(home)
    if pid is not None:
        raise ServerError(f"Neo4j is already running at {info(home).uri} (pid {pid}).")
    chosen = port or (
        int(home.port_file.read_text()) if home.port_file.exists() else int(settings.value("neo4j_port"))
    )
    if _port_open(chosen):
        raise ServerError(f"Port {chosen} on 127.0.0.1 is already in use; choose another with --port.")
    make_private(home)
    classpath = build(home)
    password(home)
    home.port_file.write_text(f"{chosen}\n")
    java = java_executable()
    heap = heap or str(settings.value("neo4j_heap"))
    pagecache_mb = pagecache_mb or int(settings.value("neo4j_pagecache_mb"))
    options = {"heap": heap, "pagecache_mb": pagecache_mb, "import_dir": import_dir and str(import_dir)}
    home.launch_file.write_text(json.dumps(options) + "\n")
    tx_timeout_s = tx_timeout_s or int(settings.value("neo4j_tx_timeout_s"))
    tx_memory_mb = tx_memory_mb or int(settings.value("neo4j_tx_memory_mb")) or _mebibytes(heap) // 2
    cmd = [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_FLAGS,
        *([f"-Dgraphcrm.importDir={import_dir}"] if import_dir else []),
        "-cp",
        os.pathsep.join(classpath),
        "graphcrm.LocalNeo4j",
        str(home.dbms),
        str(chosen),
        str(home.password_file),
        str(pagecache_mb),
        str(tx_timeout_s),
        str(tx_memory_mb),
    ]
    with open(os.open(home.console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )
    home.pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            home.pid_file.unlink(missing_ok=True)
            raise ServerError(f"Neo4j exited during start (code {proc.returncode}):\n{_log_tail(home)}")
        if _port_open(chosen) and _bolt_ready(home):
            return info(home)
        time.sleep(0.25)
    stop(home)
    raise ServerError(f"Neo4j did not answer on port {chosen} within {timeout:.0f}s:\n{_log_tail(home)}")


def java_executable() -> str:
    """Java from JAVA_HOME, else from PATH; ServerError if there is none."""
    java = shutil.which("java", path=os.path.join(os.environ.get("JAVA_HOME", ""), "bin")) or shutil.which(
        "java"
    )
    if java is None:
        raise ServerError("Java is not on PATH; Neo4j 5.26 needs Java 17.")
    return java


def restart(home: ServerHome, *, timeout: float = 180.0) -> ServerInfo:
    """Stop the server if it runs, then start it on the same port with the options of its last
    start (so a restart keeps the heap and page cache it was given)."""
    stop(home)
    saved = json.loads(home.launch_file.read_text()) if home.launch_file.exists() else {}
    import_dir = saved.get("import_dir")
    return start(
        home,
        heap=saved.get("heap"),
        pagecache_mb=saved.get("pagecache_mb"),
        import_dir=Path(import_dir) if import_dir else None,
        timeout=timeout,
    )


def _mebibytes(size: str) -> int:
    """A JVM size such as `768m` or `4g` in MiB."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}
    text = size.strip().lower()
    try:
        return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text) // (1024 * 1024)
    except ValueError:
        raise ServerError(f"The heap size {size!r} is not a JVM size such as 768m or 4g.") from None


def _bolt_ready(home: ServerHome) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    details = info(home)
    try:
        with GraphDatabase.driver(details.uri, auth=(details.username, details.password)) as driver:
            driver.verify_connectivity()
        return True
    except (Neo4jError, DriverError, OSError):
        return False


def _log_tail(home: ServerHome, lines: int = 20) -> str:
    if not home.console_log.exists():
        return ""
    return "\n".join(home.console_log.read_text(errors="replace").splitlines()[-lines:])


def stop(home: ServerHome, *, timeout: float = 120.0) -> bool:
    """Shut the server down cleanly (SIGTERM runs Neo4j's shutdown). False if it was not running."""
    pid = running_pid(home)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            reaped, _ = os.waitpid(pid, os.WNOHANG) if _is_child(pid) else (0, 0)
            if reaped == pid:
                break
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        raise ServerError(f"Neo4j (pid {pid}) did not stop within {timeout:.0f}s and was killed.")
    home.pid_file.unlink(missing_ok=True)
    return True


def _is_child(pid: int) -> bool:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().split()[3]) == os.getpid()
    except (OSError, ValueError, IndexError):
        return False
