"""`python -m app.emulator --port N [--data DIR]`: run the GitHub emulator in the foreground."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import uvicorn

from app.emulator import DEFAULT_APP_ID, DEFAULT_SLUG, Emulator
from app.emulator.keys import generate, public_from_private


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, help="Folder of the bare repositories.")
    parser.add_argument("--app-id", type=int, default=DEFAULT_APP_ID)
    parser.add_argument("--app-slug", default=DEFAULT_SLUG)
    parser.add_argument(
        "--key",
        type=Path,
        help="The App's PEM key (private or public); default: a new key in DATA/app-key.pem.",
    )
    parser.add_argument("--token-ttl", type=float, help="Installation token lifetime (s).")
    parser.add_argument(
        "--index", type=Path, help="Serve recorded PEP 691 pages DIR/<name>.json at /simple/."
    )
    args = parser.parse_args(argv)
    data = args.data or Path(tempfile.mkdtemp(prefix="github-emulator-"))
    data.mkdir(parents=True, exist_ok=True)
    if args.key is not None:
        text = args.key.read_text(encoding="ascii")
        public = public_from_private(text) if "PRIVATE KEY" in text else text
    else:
        pair = generate()
        written = pair.write_private(data / "app-key.pem")
        public = pair.public_pem
        print(f"App private key: {written}", file=sys.stderr)
    emulator = Emulator(
        data,
        public,
        app_id=args.app_id,
        app_slug=args.app_slug,
        token_ttl=args.token_ttl,
        index_dir=args.index,
    )
    print(f"GitHub emulator on http://{args.host}:{args.port} (data: {data})", file=sys.stderr)
    uvicorn.run(emulator.app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
