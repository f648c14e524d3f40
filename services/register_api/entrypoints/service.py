"""`python -m services.register_api.entrypoints.service`: the register API under uvicorn."""
from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from services.register_api.entrypoints.app import create_app
from shared.logging import configure_logging, get_logger
from shared.settings import DevelopmentKeyRefused, Settings


def main() -> None:
    try:
        settings = Settings()
        settings.check_api_keys()
    except (ValidationError, DevelopmentKeyRefused) as refused:
        # One log line like every other this process writes (JSON: with its settings refused, the default
        # format); the message names settings, never values.
        configure_logging()
        get_logger(service="register_api").critical("refusing to start", reason=str(refused))
        sys.exit(1)
    configure_logging(settings.log_level, settings.log_format)
    get_logger(service="register_api").info("service started", port=settings.api.port)
    uvicorn.run(create_app(settings), host=settings.api.host, port=settings.api.port, log_config=None,
                access_log=False, server_header=False, loop=settings.event_loop,
                timeout_keep_alive=settings.api.keep_alive_seconds)


if __name__ == "__main__":
    main()
