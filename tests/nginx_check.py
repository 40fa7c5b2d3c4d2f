"""A check by hand of docs/nginx-wuji.conf (nginx is not a test dependency; docs/lecture-hall.md):

    python tests/nginx_check.py [--nginx /usr/sbin/nginx] [--browsers 4]

Starts two app servers on 127.0.0.1 over one empty cache folder and one database, and nginx (as this user, on a
free port, with the docs' file included in ``http { }`` as Debian's ``conf.d`` does, its upstream lines pointed at
the two servers). Then each of ``--browsers`` fresh Chromium contexts opens the RLHF page through nginx twice and
must see the page's Train button (the page ran: Streamlit's websocket went through nginx). nginx's access log must
show every request of a browser (by its ``wuji_route`` cookie) on one server, and websocket upgrades (101).
Prints what it saw as JSON; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from live import ROOT, free_port, server
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(ROOT))

from ui import texts  # noqa: E402

CONF = ROOT / "docs" / "nginx-wuji.conf"
UPSTREAMS = re.compile(r"(    server 127\.0\.0\.1:\d+;\n)+")


def nginx_conf(work: Path, port: int, upstreams: list[int]) -> Path:
    """The docs' file on ``port`` with these upstream ports, inside a minimal main file that runs as this user."""
    site = CONF.read_text().replace("listen 80;", f"listen 127.0.0.1:{port};").replace("    listen [::]:80;\n", "")
    site = UPSTREAMS.sub("".join(f"    server 127.0.0.1:{p};\n" for p in upstreams), site)
    (work / "wuji.conf").write_text(site)
    temps = " ".join(f"{k}_temp_path {work / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = work / "nginx.conf"
    main.write_text(f"""pid {work / 'nginx.pid'}; error_log {work / 'error.log'}; worker_processes 1;
events {{ worker_connections 256; }}
http {{
  log_format route '$status $upstream_addr $cookie_wuji_route';
  access_log {work / 'access.log'} route; {temps}
  include {work / 'wuji.conf'};
}}
""")
    return main


@contextlib.contextmanager
def nginx(binary: str, main: Path, work: Path):
    cmd = [binary, "-p", str(work), "-c", str(main)]
    subprocess.run([*cmd, "-t"], check=True)
    subprocess.run(cmd, check=True)
    try:
        yield
    finally:
        subprocess.run([*cmd, "-s", "quit"], check=False)


def check(binary: str, browsers: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="wuji-nginx-"))
    env = {"WUJI_DATABASE_URL": f"sqlite:///{work / 'room.sqlite'}"}
    port = free_port()
    train = texts.t("train", "en")
    with server(work / "cache", work / "a.log", env) as a, server(work / "cache", work / "b.log", env) as b:
        with nginx(binary, nginx_conf(work, port, [a.port, b.port]), work), sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            for _ in range(browsers):
                ctx = chromium.new_context(locale="en-US")
                page = ctx.new_page()
                for _ in range(2):
                    page.goto(f"http://127.0.0.1:{port}/rlhf?lang=en", wait_until="domcontentloaded")
                    expect(page.get_by_role("button", name=train, exact=True)).to_be_visible(timeout=120_000)
                ctx.close()
            chromium.close()
    routes: dict[str, set[str]] = {}
    upgrades = 0
    for line in (work / "access.log").read_text().splitlines():
        status, upstream, route = line.split()
        upgrades += status == "101"
        if route != "-":
            routes.setdefault(route, set()).add(upstream)
    shutil.rmtree(work, ignore_errors=True)
    return {"browsers": browsers, "routes": {r: sorted(u) for r, u in routes.items()},
            "servers_used": len(set().union(*routes.values())) if routes else 0, "websocket_upgrades": upgrades,
            "sticky": all(len(u) == 1 for u in routes.values()) and len(routes) == browsers}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--browsers", type=int, default=4)
    args = ap.parse_args(argv)
    seen = check(args.nginx, args.browsers)
    print(json.dumps(seen, indent=2))
    return 0 if seen["sticky"] and seen["websocket_upgrades"] >= args.browsers else 1


if __name__ == "__main__":
    sys.exit(main())
