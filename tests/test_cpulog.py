"""tests/cpulog.py: the machine's CPU around each test, paired by test and summed by file (hand-computed log)."""

from __future__ import annotations

import cpulog

LOG = """\
1000.00 start 10.00 5.00 100.00 tests/test_a.py::test_x
1003.00 end 12.00 6.00 101.00 tests/test_a.py::test_x
1003.00 start 12.00 6.00 101.00 tests/test_b.py::test_y[a b]
1013.00 end 20.00 16.00 103.00 tests/test_b.py::test_y[a b]
1013.00 start 20.00 16.00 103.00 tests/test_a.py::test_z
1014.50 end 21.00 16.50 104.00 tests/test_a.py::test_z
"""


def test_spans_pair_each_start_with_its_end_and_count_from_the_first_start(tmp_path):
    path = tmp_path / "cpu.log"
    path.write_text(LOG, encoding="utf-8")
    assert cpulog.spans(path) == [
        ("tests/test_a.py::test_x", 0.0, 3.0, 2.0, 1.0, 1.0),
        ("tests/test_b.py::test_y[a b]", 3.0, 10.0, 8.0, 10.0, 2.0),
        ("tests/test_a.py::test_z", 13.0, 1.5, 1.0, 0.5, 1.0),
    ]


def test_the_report_sums_by_file_longest_first(tmp_path):
    path = tmp_path / "cpu.log"
    path.write_text(LOG, encoding="utf-8")
    lines = cpulog.report(path).splitlines()
    assert lines[1].split() == ["10.0", "8.0", "10.0", "2.0", "tests/test_b.py"]
    assert lines[2].split() == ["4.5", "3.0", "1.5", "2.0", "tests/test_a.py"]
    assert lines[3].split() == ["14.5", "11.0", "11.5", "4.0", "(all)"]
    assert lines[6].split()[:5] == ["10.0", "8.0", "10.0", "2.0", "3.0"]  # the slowest test, from 3 s on
    assert lines[6].endswith("  tests/test_b.py::test_y[a b]")


def test_the_plugin_writes_what_spans_reads(tmp_path):
    path = tmp_path / "cpu.log"
    log = cpulog.Log(str(path))
    log.pytest_runtest_logstart("tests/test_c.py::test_w[x y]", None)
    sum(i * i for i in range(200_000))  # some CPU between the two lines
    log.pytest_runtest_logfinish("tests/test_c.py::test_w[x y]", None)
    log.pytest_unconfigure(None)
    [(nodeid, start, wall, fg, nice, idle)] = cpulog.spans(path)
    assert nodeid == "tests/test_c.py::test_w[x y]" and start == 0.0
    assert wall >= 0 and min(fg, nice, idle) >= 0
