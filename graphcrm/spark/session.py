"""A small, quiet Spark session for the batch, bound to loopback when it runs locally.

`master` is Spark's own: ``local[2]`` (threads on this machine), ``spark://HOST:PORT`` (a
standalone cluster), ``yarn`` or ``k8s://https://HOST:PORT``. The web UI is off, the driver binds
127.0.0.1 for a local master, logging is errors only, and the shuffle has
`shuffle_partitions` partitions. Local executors run this Python (`PYSPARK_PYTHON`),
which has graphcrm; on a cluster, install graphcrm on the workers.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from graphcrm import settings
from graphcrm.errors import EngineUnavailable, InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
_MASTER = re.compile(
    r"local(\[(\*|[1-9][0-9]*)(,[1-9][0-9]*)?\])?"
    r"|spark://[A-Za-z0-9.\-]+:[0-9]{1,5}(,[A-Za-z0-9.\-]+:[0-9]{1,5})*"
    r"|yarn"
    r"|k8s://https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?"
)
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
_LOCAL_CORES = re.compile(r"local\[(\*|[0-9]+)(,[0-9]+)?\]")
CLUSTER_PARTITIONS = 8


def check_master(master: str) -> str:
    """`master` if it is a Spark master URL graphcrm can use; InputError names the accepted forms."""
    if not _MASTER.fullmatch(master):
        raise InputError(
            f"--master {master!r} is not a Spark master; use local[N], spark://HOST:PORT, yarn "
            "or k8s://https://HOST:PORT."
        )
    return master


def shuffle_partitions(master: str) -> int:
    """`GRAPHCRM_SPARK_PARTITIONS` if set, else one per core of a local master (``local``: 1,
    ``local[*]``: this machine's), else `CLUSTER_PARTITIONS`. On few cores Spark's cost is per
    task: 8 partitions on ``local[2]`` took 1.7 times as long as 2 (bench/RESULTS.md)."""
    chosen = int(settings.value("spark_partitions"))
    if chosen:
        return chosen
    if master == "local":
        return 1
    cores = _LOCAL_CORES.fullmatch(master)
    if cores is None:
        return CLUSTER_PARTITIONS
    return (os.cpu_count() or 1) if cores.group(1) == "*" else int(cores.group(1))


def java_command() -> str:
    """The `java` Spark will start ($JAVA_HOME/bin/java, else the one on PATH)."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not found or not Path(found).exists():
        raise EngineUnavailable(
            "The Spark engine needs Java 17 (java on PATH or JAVA_HOME); install it or use --engine local."
        )
    return found


def spark_session(master: str = DEFAULT_MASTER, *, app: str = "graphcrm batch") -> SparkSession:
    """The process' Spark session for `master` (created on first use, reused after)."""
    check_master(master)
    java_command()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(
            "The Spark engine needs pyspark 3.5: pip install 'graphcrm[spark]'."
        ) from None
    local = master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    quiet = f"-Dlog4j.configurationFile={LOG_CONFIG.as_uri()}"
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions(master)))
        .config("spark.default.parallelism", str(shuffle_partitions(master)))
        .config("spark.driver.memory", str(settings.value("spark_driver_memory")))
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", quiet)
        .config("spark.executor.extraJavaOptions", quiet)
    )
    if local:
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1"
        )
    try:
        session = builder.getOrCreate()
    except Exception as err:  # the JVM's failure, reported in one sentence
        raise EngineUnavailable(f"Spark did not start on {master}: {str(err).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session
