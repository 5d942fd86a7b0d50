"""spaCy's French word pattern, compiled once per machine instead of at every start.

fr_core_news_sm's tokenizer keeps hyphenated and elided words whole ("entr'ouvert",
"sous-traitant") with one regular expression of 1.45 million characters. Python's ``re``
compiles it in about 3 s, in every process that loads the pipeline: a sixth of Rasa's start.
Python keeps no compiled pattern from one process to the next, but its compiler's output is a
list of integers that ``_sre.compile`` turns into the pattern. This module saves that list
under ``VIGIE_CACHE_DIR``, and before spaCy loads puts the pattern rebuilt from it into
``re``'s own cache, where spaCy's ``re.compile`` of the same text finds it.

A file is only ever used for the exact text it was compiled from, by the Python build that
compiled it (its name says which), and is written only once the pattern rebuilt from it
compares equal to the one ``re`` compiled (CPython compares their compiled code). A missing,
unreadable or damaged file costs the compile, never a different pattern. Elsewhere than on
CPython 3.10, whose ``re`` internals this relies on, nothing is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np

SUPPORTED = platform.python_implementation() == "CPython" and sys.version_info[:2] == (3, 10)


def cache_file(directory: Path, package: str) -> Path:
    """Where the compiled patterns of one spaCy pipeline package are kept for this Python build."""
    build = hashlib.sha256(sys.version.encode()).hexdigest()[:12]
    return directory / "spacy-patterns" / f"{package}-py{build}.npz"


def preload(path: Path) -> Optional[re.Pattern]:
    """Put the pattern saved in ``path`` into ``re``'s cache; the pattern, or None without one."""
    if not SUPPORTED:
        return None
    try:
        pattern = _read(path)
    except Exception:  # a missing, truncated or foreign file: spaCy compiles the pattern itself
        return None
    # the key re.compile(text) looks up, flags 0 (spaCy's flags are inside the text: "(?iu)")
    re._cache[type(pattern.pattern), pattern.pattern, 0] = pattern  # type: ignore[attr-defined]
    return pattern


def save(path: Path, compiled: re.Pattern) -> bool:
    """Save ``compiled`` (compiled by ``re`` with flags 0) to ``path``; False if it cannot be."""
    if not SUPPORTED or not isinstance(compiled.pattern, str):
        return False
    import sre_compile
    import sre_parse

    parsed = sre_parse.parse(compiled.pattern, 0)
    code = np.array(sre_compile._code(parsed, 0), dtype=np.uint32)  # type: ignore[attr-defined]
    groupindex = dict(parsed.state.groupdict)
    fields: Dict[str, np.ndarray] = {
        "text": np.frombuffer(compiled.pattern.encode("utf-8"), dtype=np.uint8),
        "code": code,
    }
    meta = {"flags": parsed.state.flags, "groups": parsed.state.groups, "names": groupindex, "digest": _digest(fields)}
    fields["meta"] = np.array(json.dumps(meta))
    if _rebuilt(fields) != compiled:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            written = Path(out.name)
            try:
                np.savez(out, **fields)
                os.chmod(written, 0o644)  # readable by the service user of an image built as root
                os.replace(written, path)
            except OSError:
                written.unlink(missing_ok=True)
                raise
    except OSError:
        return False
    return True


def _read(path: Path) -> re.Pattern:
    with np.load(path, allow_pickle=False) as stored:
        return _rebuilt({name: stored[name] for name in ("text", "code", "meta")})


def _rebuilt(fields: Dict[str, np.ndarray]) -> Any:
    import _sre

    meta = json.loads(str(fields["meta"]))
    if meta["digest"] != _digest(fields):
        raise ValueError("a damaged file")
    names = {name: int(index) for name, index in meta["names"].items()}
    indexgroup = [None] * meta["groups"]
    for name, index in names.items():
        indexgroup[index] = name
    text = fields["text"].tobytes().decode("utf-8")
    # _sre checks the code it is given and raises RuntimeError on a damaged one
    return _sre.compile(text, meta["flags"], fields["code"].tolist(), meta["groups"] - 1, names, tuple(indexgroup))


def _digest(fields: Dict[str, np.ndarray]) -> str:
    return hashlib.sha256(fields["text"].tobytes() + fields["code"].tobytes()).hexdigest()
