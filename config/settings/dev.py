"""Local development and tests: debug on, insecure key allowed, console e-mail."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: F403
