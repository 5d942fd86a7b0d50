"""Reuse a model already trained from the same inputs, instead of training it again.

``make train`` (and so ``make run`` and ``make test``) asks this module first: the model
is keyed by a hash of everything the training reads (the files the Makefile lists:
config, domain, data, our NLU components, the pinned requirements). A model trained
from the same inputs on this machine (another clone, an earlier run, the CI of a
change whose training inputs did not move) is copied from ``--cache`` in a second
instead of nine minutes of training. Nothing is ever downloaded: the cache only holds
what this machine trained. ``MODEL_CACHE=`` (empty) turns it off.

    python -m bot.model_cache fetch --cache DIR --model models/vigie.tar.gz FILE...
    python -m bot.model_cache keep  --cache DIR --model models/vigie.tar.gz FILE...
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Iterable, List

KEPT = 3  # models kept in the cache, the most recently used first


def inputs_key(files: Iterable[Path]) -> str:
    """The same for the same files with the same contents, whatever their order on the command line."""
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(str(path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def fetch(cache: Path, model: Path, files: List[Path]) -> bool:
    """Copy the model trained from these inputs, if the cache has it; else note their key, as
    the training about to start reads them (they may change while it runs)."""
    key = inputs_key(files)
    cached = cache / f"{key}.tar.gz"
    model.parent.mkdir(parents=True, exist_ok=True)
    if not cached.is_file():
        _pending(model).write_text(f"{key} {time.time()}\n", encoding="utf-8")
        return False
    shutil.copyfile(cached, model)  # a new file: newer than its inputs for make
    cached.touch()
    return True


def keep(cache: Path, model: Path, files: List[Path]) -> Path:
    """Store the model just trained under the key of the inputs it read; keep only the last few.
    The model is dated from the start of its training, so that an input changed meanwhile is
    newer than it: make trains again, and the cache never holds it under the new key."""
    cache.mkdir(parents=True, exist_ok=True)
    pending = _pending(model)
    key, started = inputs_key(files), None
    if pending.is_file():
        recorded, at = pending.read_text(encoding="utf-8").split()
        key, started = recorded, float(at)
        pending.unlink()
    cached = cache / f"{key}.tar.gz"
    partial = cached.with_suffix(".partial")
    shutil.copyfile(model, partial)
    partial.replace(cached)  # never a half-written model under a valid key
    if started is not None:
        os.utime(model, (started, started))
    by_use = sorted(cache.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in by_use[KEPT:]:
        old.unlink(missing_ok=True)
    return cached


def _pending(model: Path) -> Path:
    return model.with_name(model.name + ".inputs")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.model_cache")
    parser.add_argument("command", choices=("fetch", "keep"))
    parser.add_argument("--cache", default="")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if not args.cache:
        return 1 if args.command == "fetch" else 0
    cache = Path(args.cache)
    if args.command == "fetch":
        if fetch(cache, args.model, args.files):
            print(f"Modèle déjà entraîné sur les mêmes données : repris de {cache}.")
            return 0
        return 1
    print(f"Modèle gardé pour les prochaines fois : {keep(cache, args.model, args.files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
