"""``engagex serve`` and ``engagex worker``: the processes of a deployment."""

from __future__ import annotations

import os
import sys

import rich_click as click
from rq import Worker
from rq.serializers import JSONSerializer

from cli._common import load_app
from engagex.jobs import QUEUES, get_queue, redis_connection, set_worker_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Run gunicorn with N worker processes instead of the development server.",
)
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the web app and the API."""
    if workers:
        # The same interpreter (and so the same environment) runs gunicorn.
        os.execv(  # noqa: S606 - replaces this process with gunicorn, no shell involved
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:engagex.gunicorn_conf",
                "--workers",
                str(workers),
                "--bind",
                f"{host}:{port}",
                "wsgi:app",
            ],
        )
    app = load_app()
    app.run(host=host, port=port, debug=False, use_reloader=False)


@click.command()
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
@click.option(
    "--queues",
    "-q",
    multiple=True,
    type=click.Choice(QUEUES),
    help="Queues to listen to, in priority order (default: all, mail first).",
)
def worker(burst: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker (needs REDIS_URL)."""
    app = load_app()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker is needed")
    set_worker_app(app)
    names = queues or QUEUES
    Worker(
        [get_queue(name, app) for name in names],
        connection=redis_connection(app),
        serializer=JSONSerializer,
    ).work(
        burst=burst,
        # The scheduler runs delayed retries (engagex.jobs ``retry=``).
        with_scheduler=True,
        logging_level=app.config["ENGAGEX_LOG_LEVEL"],
    )


COMMANDS = [serve, worker]
