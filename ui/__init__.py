"""The browser chat for transcript-qa, served by ``qa serve`` at http://127.0.0.1:7860.

    >>> import qa, ui
    >>> app = ui.build_app(qa.load())          # doctest: +SKIP
    >>> ui.launch(app, port=7860)              # doctest: +SKIP

Programs call its ``/ask`` endpoint with ``gradio_client``; see the README.
"""

from __future__ import annotations

import os

# Nothing leaves the machine at run time: no analytics, no telemetry, no hub downloads.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before anything imports gradio
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from ui.app import LOOPBACK, build_app, default_examples, launch
from ui.chat import ALL_DOCS, FRIENDLY_ERROR, ChatService
from ui.limits import Limits, Rate, RateLimiter

__all__ = [
    "ALL_DOCS",
    "FRIENDLY_ERROR",
    "LOOPBACK",
    "ChatService",
    "Limits",
    "Rate",
    "RateLimiter",
    "build_app",
    "default_examples",
    "launch",
]
