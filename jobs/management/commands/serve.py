"""`make run`'s server: runserver and a task-queue consumer side by side, stopped together.

Both run as child processes: runserver's autoreloader re-executes its own command line, which must
not start a second consumer.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动开发服务器和后台任务执行器（huey consumer），退出时一并停止。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, sys.argv[0]]
        consumer = subprocess.Popen([*manage, "run_huey", "--quiet"])
        self.stdout.write(f"后台任务执行器已启动（进程 {consumer.pid}）。")
        server = subprocess.Popen([*manage, "runserver", options["addrport"]])
        # A TERM (e.g. from a process manager) stops both children like Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.wait()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            for child, grace in ((server, 10), (consumer, 30)):
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)  # huey finishes the running task, then exits
                    try:
                        child.wait(timeout=grace)
                    except subprocess.TimeoutExpired:
                        child.kill()
            self.stdout.write("开发服务器与后台任务执行器已停止。")
