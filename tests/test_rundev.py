"""`make run` (manage.py rundev) restarts a worker or beat that dies, as systemd and compose do."""

import sys

from tracker.management.commands import rundev


def test_point2_make_run_restarts_a_worker_that_exits(tmp_path, monkeypatch):
    monkeypatch.setattr(rundev, "RESTART_PAUSE", 0.01)
    starts = tmp_path / "starts"
    # A "worker" that dies with status 1 on its first two runs (as after the broker outage)
    # and then stays up; the "web" server stays up throughout.
    worker = [
        sys.executable,
        "-c",
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(starts)!r})\n"
        "n = len(p.read_text()) if p.exists() else 0\n"
        "p.write_text('x' * (n + 1))\n"
        "sys.exit(1) if n < 2 else time.sleep(60)\n",
    ]
    web = [sys.executable, "-c", "import time; time.sleep(60)"]
    children = [
        rundev.Supervised("web", web, restart=False),
        rundev.Supervised("worker", worker, restart=True),
    ]
    said = []
    try:
        rundev.supervise(
            children,
            said.append,
            interval=0.02,
            should_stop=lambda: (
                starts.exists()
                and len(starts.read_text()) >= 3
                and children[1].proc.poll() is None
                and children[1].restart_at is None
            ),
        )
        assert children[0].proc.poll() is None, "the web server was left running"
        assert children[1].restarts == 2
        assert any("worker exited with code 1; restarting" in line for line in said), said
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)


def test_make_run_stops_when_the_web_server_exits(tmp_path):
    children = [
        rundev.Supervised("web", [sys.executable, "-c", "raise SystemExit(3)"], restart=False),
        rundev.Supervised(
            "worker", [sys.executable, "-c", "import time; time.sleep(60)"], restart=True
        ),
    ]
    said = []
    try:
        rundev.supervise(children, said.append, interval=0.02)
        assert said == ["web exited with code 3; stopping."]
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
