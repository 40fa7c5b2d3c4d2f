"""Where a test session's time goes: the machine's CPU use around each test, from /proc/stat (Linux).

With ``WUJI_TEST_CPU_LOG=PATH`` set, every test's start and end are written to PATH with the machine's cumulative CPU
seconds at that moment, in three columns: the foreground (user + system at nice 0: pytest, the servers, Chromium),
``nice`` (the background pool of tests/prefetch.py and every training of a server or Board, which run at nice 10)
and idle. ``python tests/cpulog.py PATH`` then prints, per test file and for the slowest tests, the wall time and
the CPU seconds of each column while it ran: docs/testing.md, "Where `make test`'s time goes", reads it.

It reads the whole machine, so run nothing else beside the session being measured.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")  # the ticks a second of /proc/stat


def machine_cpu() -> tuple[float, float, float]:
    """(foreground, nice, idle) CPU seconds of the whole machine since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait = fields[:5]
    return (user + system) / HZ, nice / HZ, (idle + iowait) / HZ


class Log:
    """A pytest plugin (tests/conftest.py registers it when the variable is set): one line a test's start or end."""

    def __init__(self, path: str):
        self.file = open(path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 (open for the whole session)

    def write(self, what: str, nodeid: str) -> None:
        fg, nice, idle = machine_cpu()
        self.file.write(f"{time.time():.2f} {what} {fg:.2f} {nice:.2f} {idle:.2f} {nodeid}\n")

    def pytest_runtest_logstart(self, nodeid: str, location) -> None:
        self.write("start", nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location) -> None:
        self.write("end", nodeid)

    def pytest_unconfigure(self, config) -> None:
        self.file.close()


def spans(path: Path) -> list[tuple[str, float, float, float, float, float]]:
    """(test, start, wall, foreground, nice, idle) of every test in a log, seconds from the session's first start."""
    started, out, t0 = {}, [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        t, what, fg, nice, idle, nodeid = line.split(" ", 5)
        now = (float(t), float(fg), float(nice), float(idle))
        t0 = now[0] if t0 is None else t0
        if what == "start":
            started[nodeid] = now
        elif nodeid in started:
            a = started.pop(nodeid)
            out.append((nodeid, a[0] - t0, *(b - c for b, c in zip(now, a))))
    return out


def report(path: Path, slowest: int = 25) -> str:
    rows = spans(path)
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for nodeid, _, *figures in rows:
        for i, v in enumerate(figures):
            files[nodeid.split("::")[0]][i] += v
    head = f"{'wall s':>8} {'fg cpu-s':>9} {'nice cpu-s':>10} {'idle cpu-s':>10}"
    lines = [f"{head}  file"]
    for name, (wall, fg, nice, idle) in sorted(files.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{wall:8.1f} {fg:9.1f} {nice:10.1f} {idle:10.1f}  {name}")
    total = [sum(f[i] for f in files.values()) for i in range(4)]
    lines.append(f"{total[0]:8.1f} {total[1]:9.1f} {total[2]:10.1f} {total[3]:10.1f}  (all)")
    lines += ["", f"{head} {'starts at':>9}  test"]
    for nodeid, start, wall, fg, nice, idle in sorted(rows, key=lambda r: -r[2])[:slowest]:
        lines.append(f"{wall:8.1f} {fg:9.1f} {nice:10.1f} {idle:10.1f} {start:9.1f}  {nodeid}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
