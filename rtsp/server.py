#!/usr/bin/python3
"""Fathom's RTSP test/simulation server: H.264 over RTP from GStreamer's RTSP server.

Run with Debian's interpreter (python3-gi is only importable there):

    /usr/bin/python3 rtsp/server.py

Configuration comes from the environment only:

    RTSP_BIND              address to listen on (default 0.0.0.0)
    RTSP_PORT              TCP port for RTSP (default 8554; 0 = pick a free one)
    RTSP_MOUNTS            comma-separated mount names (default "test"); each is served at
                           rtsp://HOST:PORT/<name> as an independent simulated camera
    RTSP_SOURCE            testpattern (default) | timecode | scene | v4l2 | file | rtsp
    RTSP_DEVICE            v4l2 device (default /dev/video0), for RTSP_SOURCE=v4l2
    RTSP_FILE              media file played in a loop forever, for RTSP_SOURCE=file
    RTSP_FILE_COPY         1 = relay the file's H.264 as-is, without re-encoding (default 0);
                           the file must contain H.264 video
    RTSP_UPSTREAM_URL      rtsp:// URL relayed without re-encoding, for RTSP_SOURCE=rtsp
    RTSP_WIDTH             encoded width in pixels (default 640)
    RTSP_HEIGHT            encoded height in pixels (default 360)
    RTSP_FPS               frames per second (default 15)
    RTSP_KEYFRAME_SECONDS  seconds between keyframes (default 1; key-int-max = fps * seconds)
    RTSP_BITRATE_KBPS      x264 target bitrate in kbit/s (default 800)
    RTSP_SCENE_SCRIPT      JSON script of the scene's moves, lighting steps and pictures, for
                           RTSP_SOURCE=scene (default DEFAULT_SCENE_SCRIPT below)
    RTSP_SCENE_NOISE       sensor-noise amplitude in luma levels, 0..40 (default 6), for
                           RTSP_SOURCE=scene
    RTSP_SUBSTREAM         WIDTHxHEIGHT of a second, low-resolution stream per mount (default:
                           none), served at rtsp://HOST:PORT/<name>/sub with its own encoder
                           (same source, fps, GOP and bitrate); not for v4l2, rtsp or file copy

RTSP_WIDTH/HEIGHT/FPS/KEYFRAME_SECONDS/BITRATE_KBPS apply to the modes that encode
(testpattern, timecode, scene, v4l2, file without copy); the copy modes keep the source's stream.

With RTSP_SUBSTREAM, the timecode and scene sources paint both streams of a mount from one
thread: every frame of the grid is painted once per stream for the same capture time and
stamped from one clock reading, and keyframes fall on the same grid ticks in both.

Output contract: once the port is listening, exactly one line is printed to stdout,
    {"event":"ready","port":8554,"mounts":["test"]}
Everything else is logged as JSON lines on stderr. Invalid settings exit with code 2 and
a message naming every bad key. SIGTERM/SIGINT exit with code 0. Credentials in an
upstream URL (user:pass@) are never printed.

The `timecode` source paints the capture time (wall-clock epoch milliseconds) into every
frame; the exact encoding is specified in rtsp/README.md and decoded by
test/support/timecode.ts.

The `scene` source is a scripted test scene for motion and object detection: a static noisy
picture in which one square moves, the lighting steps and still images (pictures) appear,
only at scripted times of a cycle aligned to the Unix epoch (rtsp/README.md).
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import json
import math
import os
import random
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

SOURCES = ("testpattern", "timecode", "scene", "v4l2", "file", "rtsp")
MOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$")
CREDENTIALS = re.compile(r"([a-z][a-z0-9+.-]*://)[^/\s'\"]*@", re.IGNORECASE)
KNOWN_KEYS = {
    "RTSP_BIND",
    "RTSP_PORT",
    "RTSP_MOUNTS",
    "RTSP_SOURCE",
    "RTSP_DEVICE",
    "RTSP_FILE",
    "RTSP_FILE_COPY",
    "RTSP_UPSTREAM_URL",
    "RTSP_WIDTH",
    "RTSP_HEIGHT",
    "RTSP_FPS",
    "RTSP_KEYFRAME_SECONDS",
    "RTSP_BITRATE_KBPS",
    "RTSP_SCENE_SCRIPT",
    "RTSP_SCENE_NOISE",
    "RTSP_SUBSTREAM",
}
# A mount's sub-stream is served at /<mount>/sub: mount names cannot hold "/", so it never
# collides with another mount, and rtsp-server answers 404 for it when there is none.
SUBSTREAM_SUFFIX = "/sub"
SUBSTREAM_SIZE = re.compile(r"^(\d{1,5})[xX](\d{1,5})$")

# Luma levels of the timecode (studio range, so they survive any full/limited range mix-up).
LUMA_ONE = 235
LUMA_ZERO = 16
LUMA_BACKGROUND = 128
LUMA_BAR = 200


def redact(text: str) -> str:
    """Hides user:pass@ of any URL in a string (GStreamer errors quote the location)."""
    return CREDENTIALS.sub(r"\1***@", text)


_log_lock = threading.Lock()


def log(event: str, level: str = "info", **fields: object) -> None:
    record: dict[str, object] = {
        "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "event": event,
    }
    for key, value in fields.items():
        record[key] = redact(value) if isinstance(value, str) else value
    line = json.dumps(record, separators=(",", ":"), default=str)
    # Logged from GStreamer streaming threads too; one lock keeps lines whole.
    with _log_lock:
        sys.stderr.write(redact(line) + "\n")
        sys.stderr.flush()


# --------------------------------------------------------------------------- scene script

# RTSP_SCENE_SCRIPT when unset: one move at 10..14 s and one lighting step at 45..55 s of
# every minute (spec: rtsp/README.md).
DEFAULT_SCENE_SCRIPT = (
    '{"period": 60,'
    ' "moves": [{"start": 10, "end": 14, "from": [0.15, 0.65], "to": [0.45, 0.65], "size": 0.12}],'
    ' "lights": [{"start": 45, "end": 55, "gain": 1.35}]}'
)
SCENE_PERIOD_RANGE = (10, 86400)
SCENE_SIZE_RANGE = (0.01, 1.0)
SCENE_GAIN_RANGE = (0.2, 5.0)
SCENE_DEFAULT_SIZE = 0.12
SCENE_PICTURE_HEIGHT_RANGE = (0.05, 1.0)
SCENE_PICTURE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # JPEG, PNG
# A picture may be at most this many frame widths wide (a very wide crop at a large height
# would otherwise be scaled to an enormous image only to be cut off).
SCENE_PICTURE_MAX_WIDTHS = 4
# Noise amplitude on a picture: its luma - 16 (0..219) plus 2 x this must fit a byte.
SCENE_PICTURE_NOISE_MAX = 18


@dataclass(frozen=True)
class SceneMove:
    start: float
    end: float
    origin: tuple[float, float]  # "from" in the JSON
    target: tuple[float, float]  # "to" in the JSON
    size: float


@dataclass(frozen=True)
class SceneLight:
    start: float
    end: float
    gain: float


@dataclass(frozen=True)
class ScenePicture:
    start: float
    end: float
    image: str  # as written: absolute, or relative to the working directory
    crop: tuple[int, int, int, int]  # x, y, w, h in source pixels (the whole image by default)
    at: tuple[float, float]  # centre, fractions of the frame's width and height
    height: float  # fraction of the frame height


@dataclass(frozen=True)
class SceneScript:
    """Where the square is, which picture shows and how bright the scene is at each second
    of the cycle."""

    period: int
    moves: tuple[SceneMove, ...]
    lights: tuple[SceneLight, ...]
    pictures: tuple[ScenePicture, ...] = ()

    def cycle_seconds(self, epoch_ms: int) -> float:
        """The cycle position of a frame captured at epoch_ms: (epoch_ms / 1000) mod period."""
        return (epoch_ms % (self.period * 1000)) / 1000

    def square_at(self, seconds: float) -> tuple[float, float, float] | None:
        """(centre x, centre y, size) of the square at a cycle position; None without moves.

        At rest before the first move at its `from`, after each move at its `to`; moving
        linearly during [start, end)."""
        if not self.moves:
            return None
        first = self.moves[0]
        rest = (first.origin[0], first.origin[1], first.size)
        for move in self.moves:
            if seconds < move.start:
                return rest
            if seconds < move.end:
                f = (seconds - move.start) / (move.end - move.start)
                x = move.origin[0] + f * (move.target[0] - move.origin[0])
                y = move.origin[1] + f * (move.target[1] - move.origin[1])
                return (x, y, move.size)
            rest = (move.target[0], move.target[1], move.size)
        return rest

    def gain_at(self, seconds: float) -> float:
        for light in self.lights:
            if light.start <= seconds < light.end:
                return light.gain
        return 1.0

    def picture_at(self, seconds: float) -> int | None:
        """The index (into `pictures`) of the picture shown at a cycle position, if any."""
        for i, picture in enumerate(self.pictures):
            if picture.start <= seconds < picture.end:
                return i
        return None

    def as_json(self) -> dict[str, object]:
        """The effective script (sorted, defaults filled in), in RTSP_SCENE_SCRIPT's format;
        `pictures` only when there are any."""
        effective: dict[str, object] = {
            "period": self.period,
            "moves": [
                {"start": m.start, "end": m.end, "from": list(m.origin), "to": list(m.target), "size": m.size}
                for m in self.moves
            ],
            "lights": [{"start": light.start, "end": light.end, "gain": light.gain} for light in self.lights],
        }
        if self.pictures:
            effective["pictures"] = [
                {
                    "start": p.start,
                    "end": p.end,
                    "image": p.image,
                    "crop": list(p.crop),
                    "at": list(p.at),
                    "height": p.height,
                }
                for p in self.pictures
            ]
        return effective


def _is_number(value: object) -> bool:
    # JSON true/false arrive as bool, a subclass of int: not a number here.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _scene_interval(item: dict, where: str, period: int, problems: list[str]) -> tuple[float, float] | None:
    start, end = item.get("start"), item.get("end")
    if not _is_number(start) or not _is_number(end):
        problems.append(f"{where}: start and end must be numbers (seconds within the period)")
        return None
    if not 0 <= start < end <= period:
        problems.append(f"{where}: needs 0 <= start < end <= period ({period}), got start {start}, end {end}")
        return None
    return start, end  # as written (int or float), so the logged script reads like the input


def _scene_point(value: object, where: str, problems: list[str]) -> tuple[float, float] | None:
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) and 0 <= v <= 1 for v in value)):
        problems.append(f"{where}: must be [x, y] with 0 <= x, y <= 1 (fractions of the frame), got {value!r}")
        return None
    return value[0], value[1]


def _scene_unknown_keys(item: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    unknown = sorted(k for k in item if k not in allowed)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _scene_move(item: object, where: str, period: int, problems: list[str]) -> SceneMove | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    _scene_unknown_keys(item, {"start", "end", "from", "to", "size"}, where, problems)
    interval = _scene_interval(item, where, period, problems)
    origin = _scene_point(item.get("from"), f"{where}.from", problems)
    target = _scene_point(item.get("to"), f"{where}.to", problems)
    size = item.get("size", SCENE_DEFAULT_SIZE)
    low, high = SCENE_SIZE_RANGE
    if not _is_number(size) or not low <= size <= high:
        problems.append(f"{where}.size: must be a number in {low}..{high} (fraction of the frame height), got {size!r}")
        return None
    if interval is None or origin is None or target is None:
        return None
    return SceneMove(interval[0], interval[1], origin, target, size)


def _scene_light(item: object, where: str, period: int, problems: list[str]) -> SceneLight | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    _scene_unknown_keys(item, {"start", "end", "gain"}, where, problems)
    interval = _scene_interval(item, where, period, problems)
    gain = item.get("gain")
    low, high = SCENE_GAIN_RANGE
    if not _is_number(gain) or not low <= gain <= high:
        problems.append(f"{where}.gain: must be a number in {low}..{high}, got {gain!r}")
        return None
    if interval is None:
        return None
    return SceneLight(interval[0], interval[1], gain)


def _scene_picture(item: object, where: str, period: int, problems: list[str]) -> ScenePicture | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    _scene_unknown_keys(item, {"start", "end", "image", "crop", "at", "height"}, where, problems)
    interval = _scene_interval(item, where, period, problems)
    at = _scene_point(item.get("at"), f"{where}.at", problems)
    height = item.get("height")
    low, high = SCENE_PICTURE_HEIGHT_RANGE
    if not _is_number(height) or not low <= height <= high:
        problems.append(
            f"{where}.height: must be a number in {low}..{high} (fraction of the frame height), got {height!r}"
        )
        height = None
    crop = item.get("crop")
    if crop is not None and not (
        isinstance(crop, list)
        and len(crop) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in crop)
        and crop[0] >= 0
        and crop[1] >= 0
        and crop[2] >= 1
        and crop[3] >= 1
    ):
        problems.append(f"{where}.crop: must be [x, y, w, h], integers in source pixels (w, h >= 1), got {crop!r}")
        crop = None
        bad_crop = True
    else:
        bad_crop = False
    image = item.get("image")
    size: tuple[int, int] | None = None
    if not isinstance(image, str) or not image:
        problems.append(f"{where}.image: must be the path of a JPEG or PNG file, got {image!r}")
    elif not os.path.isfile(image) or not os.access(image, os.R_OK):
        problems.append(f"{where}.image: {image!r} is not a readable file")
    else:
        try:
            size = image_size(image)
        except ImageError as error:
            problems.append(f"{where}.image: {error}")
    if size is not None and crop is not None:
        x, y, w, h = crop
        if x + w > size[0] or y + h > size[1]:
            problems.append(
                f"{where}.crop: [x, y, w, h] = {crop!r} does not lie inside the image ({size[0]}x{size[1]})"
            )
            bad_crop = True
    if interval is None or at is None or height is None or size is None or bad_crop:
        return None
    box = (crop[0], crop[1], crop[2], crop[3]) if crop is not None else (0, 0, size[0], size[1])
    return ScenePicture(interval[0], interval[1], image, box, at, height)


def _scene_overlaps(
    name: str, items: list[tuple[int, SceneMove | SceneLight | ScenePicture]], problems: list[str]
) -> None:
    ordered = sorted(items, key=lambda pair: pair[1].start)
    for (i, a), (j, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            problems.append(f"{name}[{i}] ({a.start}..{a.end}) and {name}[{j}] ({b.start}..{b.end}) overlap")


def parse_scene_script(raw: str) -> tuple[SceneScript | None, list[str]]:
    """Validates RTSP_SCENE_SCRIPT; returns the script (moves, lights and pictures sorted by
    start, each picture's crop filled in) or the problems, each worded for the
    RTSP_SCENE_SCRIPT error line. Every picture's image is decoded once here (GStreamer)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, [f"not valid JSON ({error})"]
    if not isinstance(data, dict):
        return None, ['must be a JSON object like {"period": 60, "moves": [...], "lights": [...]}']
    problems: list[str] = []
    _scene_unknown_keys(data, {"period", "moves", "lights", "pictures"}, "top level", problems)
    period = data.get("period")
    low, high = SCENE_PERIOD_RANGE
    if not (isinstance(period, int) and not isinstance(period, bool) and low <= period <= high):
        return None, [*problems, f"period: must be an integer number of seconds in {low}..{high}, got {period!r}"]
    moves: list[tuple[int, SceneMove]] = []
    lights: list[tuple[int, SceneLight]] = []
    pictures: list[tuple[int, ScenePicture]] = []
    for name, parse, out in (
        ("moves", _scene_move, moves),
        ("lights", _scene_light, lights),
        ("pictures", _scene_picture, pictures),
    ):
        items = data.get(name, [])
        if not isinstance(items, list):
            problems.append(f"{name}: must be a list")
            continue
        for i, item in enumerate(items):
            parsed = parse(item, f"{name}[{i}]", period, problems)
            if parsed is not None:
                out.append((i, parsed))
        _scene_overlaps(name, out, problems)
    if problems:
        return None, problems
    return (
        SceneScript(
            period=period,
            moves=tuple(sorted((m for _, m in moves), key=lambda m: m.start)),
            lights=tuple(sorted((light for _, light in lights), key=lambda light: light.start)),
            pictures=tuple(sorted((p for _, p in pictures), key=lambda p: p.start)),
        ),
        [],
    )


def default_scene_script() -> SceneScript:
    script, problems = parse_scene_script(DEFAULT_SCENE_SCRIPT)
    assert script is not None, problems
    return script


# --------------------------------------------------------------------------- config


@dataclass
class Config:
    bind: str = "0.0.0.0"
    port: int = 8554
    mounts: list[str] = field(default_factory=lambda: ["test"])
    source: str = "testpattern"
    device: str = "/dev/video0"
    file: str = ""
    file_copy: bool = False
    upstream_url: str = ""
    width: int = 640
    height: int = 360
    fps: int = 15
    keyframe_seconds: float = 1.0
    bitrate_kbps: int = 800
    scene_script: SceneScript = field(default_factory=default_scene_script)
    scene_noise: int = 6
    substream: tuple[int, int] | None = None  # (width, height) of each mount's <mount>/sub

    @property
    def key_int_max(self) -> int:
        return max(1, round(self.fps * self.keyframe_seconds))

    def sub_config(self) -> Config:
        """The settings of the sub-streams: these, at the sub-stream's size."""
        assert self.substream is not None
        return dataclasses.replace(self, width=self.substream[0], height=self.substream[1])


def _int(env: dict[str, str], key: str, default: int, low: int, high: int, errors: list[str]) -> int:
    raw = env.get(key, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        errors.append(f"{key}: {raw!r} is not an integer")
        return default
    if not low <= value <= high:
        errors.append(f"{key}: {value} is outside {low}..{high}")
    return value


def _size(env: dict[str, str], key: str, errors: list[str]) -> tuple[int, int] | None:
    """WIDTHxHEIGHT, both even and within RTSP_WIDTH's and RTSP_HEIGHT's ranges; None when unset."""
    raw = env.get(key, "").strip()
    if raw == "":
        return None
    match = SUBSTREAM_SIZE.match(raw)
    if not match:
        errors.append(f"{key}: {raw!r} is not WIDTHxHEIGHT (e.g. 640x360)")
        return None
    width, height = int(match.group(1)), int(match.group(2))
    problems = []
    if not 64 <= width <= 7680 or width % 2:
        problems.append(f"width {width} must be an even number in 64..7680")
    if not 40 <= height <= 4320 or height % 2:
        problems.append(f"height {height} must be an even number in 40..4320")
    if problems:
        errors.append(f"{key}: {raw!r}: {'; '.join(problems)}")
        return None
    return width, height


def parse_config(env: dict[str, str]) -> tuple[Config, list[str]]:
    """Returns the config and one message per bad key (empty when everything is valid)."""
    cfg = Config()
    errors: list[str] = []

    cfg.bind = env.get("RTSP_BIND", "").strip() or cfg.bind
    try:
        ipaddress.ip_address(cfg.bind)
    except ValueError:
        if not HOSTNAME.match(cfg.bind):
            errors.append(f"RTSP_BIND: {cfg.bind!r} is neither an IP address nor a host name")

    cfg.port = _int(env, "RTSP_PORT", cfg.port, 0, 65535, errors)

    raw_mounts = env.get("RTSP_MOUNTS", "").strip()
    if raw_mounts:
        mounts = [m.strip() for m in raw_mounts.split(",")]
        bad = [m for m in mounts if not MOUNT_NAME.match(m)]
        if bad:
            errors.append(f"RTSP_MOUNTS: invalid mount name(s) {bad!r} (use letters, digits, _ . -)")
        elif len(set(mounts)) != len(mounts):
            errors.append(f"RTSP_MOUNTS: duplicate mount names in {raw_mounts!r}")
        cfg.mounts = mounts

    cfg.source = env.get("RTSP_SOURCE", "").strip().lower() or cfg.source
    if cfg.source not in SOURCES:
        errors.append(f"RTSP_SOURCE: {cfg.source!r} is not one of {', '.join(SOURCES)}")

    cfg.width = _int(env, "RTSP_WIDTH", cfg.width, 64, 7680, errors)
    cfg.height = _int(env, "RTSP_HEIGHT", cfg.height, 40, 4320, errors)
    # I420 halves chroma in both directions; odd sizes make x264 refuse the caps.
    if cfg.width % 2:
        errors.append(f"RTSP_WIDTH: {cfg.width} must be even")
    if cfg.height % 2:
        errors.append(f"RTSP_HEIGHT: {cfg.height} must be even")
    cfg.fps = _int(env, "RTSP_FPS", cfg.fps, 1, 120, errors)
    cfg.bitrate_kbps = _int(env, "RTSP_BITRATE_KBPS", cfg.bitrate_kbps, 50, 200_000, errors)
    cfg.scene_noise = _int(env, "RTSP_SCENE_NOISE", cfg.scene_noise, 0, 40, errors)
    raw_script = env.get("RTSP_SCENE_SCRIPT", "").strip()
    if raw_script:
        script, problems = parse_scene_script(raw_script)
        errors.extend(f"RTSP_SCENE_SCRIPT: {problem}" for problem in problems)
        if script is not None:
            cfg.scene_script = script

    raw_kf = env.get("RTSP_KEYFRAME_SECONDS", "").strip()
    if raw_kf:
        try:
            cfg.keyframe_seconds = float(raw_kf)
            if not 0 < cfg.keyframe_seconds <= 60:
                errors.append(f"RTSP_KEYFRAME_SECONDS: {raw_kf} is outside (0, 60]")
        except ValueError:
            errors.append(f"RTSP_KEYFRAME_SECONDS: {raw_kf!r} is not a number")

    raw_copy = env.get("RTSP_FILE_COPY", "").strip().lower()
    if raw_copy in ("", "0", "false", "no", "off"):
        cfg.file_copy = False
    elif raw_copy in ("1", "true", "yes", "on"):
        cfg.file_copy = True
    else:
        errors.append(f"RTSP_FILE_COPY: {raw_copy!r} is not 0 or 1")

    cfg.device = env.get("RTSP_DEVICE", "").strip() or cfg.device
    cfg.file = env.get("RTSP_FILE", "").strip()
    cfg.upstream_url = env.get("RTSP_UPSTREAM_URL", "").strip()

    if cfg.source == "v4l2" and not os.path.exists(cfg.device):
        errors.append(f"RTSP_DEVICE: {cfg.device!r} does not exist")
    if cfg.source == "file":
        if not cfg.file:
            errors.append("RTSP_FILE: required when RTSP_SOURCE=file")
        elif not os.path.isfile(cfg.file) or not os.access(cfg.file, os.R_OK):
            errors.append(f"RTSP_FILE: {cfg.file!r} is not a readable file")
    if cfg.source == "rtsp":
        if not cfg.upstream_url:
            errors.append("RTSP_UPSTREAM_URL: required when RTSP_SOURCE=rtsp")
        elif not re.match(r"^rtsps?://[^/\s]+", cfg.upstream_url, re.IGNORECASE):
            errors.append(f"RTSP_UPSTREAM_URL: {redact(cfg.upstream_url)!r} is not an rtsp:// URL")

    cfg.substream = _size(env, "RTSP_SUBSTREAM", errors)
    if cfg.substream is not None:
        # A sub-stream is a second encode of the source's raw frames: the copy modes have none,
        # and a V4L2 device can be opened only once.
        if cfg.source in ("v4l2", "rtsp"):
            errors.append(f"RTSP_SUBSTREAM: not available with RTSP_SOURCE={cfg.source}")
        elif cfg.source == "file" and cfg.file_copy:
            errors.append("RTSP_SUBSTREAM: not available with RTSP_FILE_COPY=1 (the file is relayed, not encoded)")

    return cfg, errors


def check_file_is_h264(path: str) -> str | None:
    """Returns an error message unless the file's first video stream is H.264 (needed to copy it)."""
    from gi.repository import GLib, Gst, GstPbutils

    try:
        discoverer = GstPbutils.Discoverer.new(10 * Gst.SECOND)
        info = discoverer.discover_uri(Gst.filename_to_uri(os.path.abspath(path)))
    except GLib.Error as error:
        return f"cannot read {path!r}: {error.message}"
    videos = info.get_video_streams()
    if not videos:
        return f"{path!r} has no video stream"
    caps = videos[0].get_caps()
    name = caps.get_structure(0).get_name() if caps and caps.get_size() else "unknown"
    if name != "video/x-h264":
        return f"{path!r} holds {name}, not video/x-h264 (unset RTSP_FILE_COPY to re-encode it)"
    return None


# --------------------------------------------------------------------------- timecode frames


class TimecodePainter:
    """Builds I420 frames carrying the epoch-ms timecode (spec: rtsp/README.md).

    Everything is whole-row bytes multiplication and joins, so a 640x360 frame costs well
    under a millisecond of Python; the time is read just before painting and pushing.
    """

    ROWS = 4
    COLUMNS = 16

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.grid_height = (2 * height) // 5  # top 40 %, integer maths so decoders agree exactly
        self.row_heights = [
            (r + 1) * self.grid_height // self.ROWS - r * self.grid_height // self.ROWS for r in range(self.ROWS)
        ]
        column_widths = [(c + 1) * width // self.COLUMNS - c * width // self.COLUMNS for c in range(self.COLUMNS)]
        self.cells = [(bytes([LUMA_ZERO]) * w, bytes([LUMA_ONE]) * w) for w in column_widths]
        self.bottom_height = height - self.grid_height
        self.bar_width = max(2, width // 16)
        self.chroma = bytes([128]) * (2 * (width // 2) * (height // 2))

    @staticmethod
    def bits_for(epoch_ms: int) -> int:
        """64-bit word: 48-bit epoch ms, then the NOT of its low 16 bits as a check word."""
        epoch_ms &= (1 << 48) - 1
        return (epoch_ms << 16) | (~epoch_ms & 0xFFFF)

    def frame(self, epoch_ms: int, frame_index: int) -> bytes:
        word = self.bits_for(epoch_ms)
        parts: list[bytes] = []
        for r in range(self.ROWS):
            row_bits = (word >> (16 * (self.ROWS - 1 - r))) & 0xFFFF
            line = b"".join(self.cells[c][(row_bits >> (15 - c)) & 1] for c in range(self.COLUMNS))
            parts.append(line * self.row_heights[r])
        # A bar sweeping across the lower part gives the encoder real motion to code.
        x = (frame_index * max(1, self.width // 60)) % (self.width - self.bar_width)
        background = bytes([LUMA_BACKGROUND])
        line = background * x + bytes([LUMA_BAR]) * self.bar_width + background * (self.width - x - self.bar_width)
        parts.append(line * self.bottom_height)
        parts.append(self.chroma)
        return b"".join(parts)


# --------------------------------------------------------------------------- scene frames

# Scene luma levels. The background stays within 60..170 so that background + noise
# (at most 40) fits a byte with no carry (see ScenePainter.frame) and a lighting gain
# of 1.35 does not clip it; the square is far brighter than any of it.
SCENE_BACKGROUND_RANGE = (60, 170)
SCENE_SQUARE_LUMA = 230
STUDIO_RANGE = (16, 235)

# Fixed blocks painted over the gradient: (x0, y0, x1, y1) as fractions of the frame, and
# a luma, or "checker"/"stripes" for a textured block.
SCENE_BLOCKS: tuple[tuple[float, float, float, float, int | str], ...] = (
    (0.04, 0.06, 0.22, 0.30, 64),
    (0.30, 0.10, 0.46, 0.22, 150),
    (0.60, 0.08, 0.78, 0.40, 168),
    (0.84, 0.14, 0.96, 0.34, 96),
    (0.06, 0.80, 0.30, 0.94, 140),
    (0.50, 0.78, 0.62, 0.95, "stripes"),
    (0.70, 0.72, 0.94, 0.92, "checker"),
)


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, int(round(value))))


@functools.lru_cache(maxsize=4)
def scene_background(width: int, height: int) -> bytes:
    """The scene's static luma plane: smooth gradients, a low-frequency ripple and fixed
    blocks. Deterministic (no randomness), proportional to the frame size."""
    low, high = SCENE_BACKGROUND_RANGE
    two_pi = 2 * math.pi
    rows: list[bytes] = []
    for y in range(height):
        w = y / height
        ripple = math.cos(two_pi * 2.5 * w)
        row = [
            _clip(78 + 48 * (x / width) + 22 * w + 9 * math.sin(two_pi * (3 * x / width + 0.5 * w)) * ripple, low, high)
            for x in range(width)
        ]
        for x0, y0, x1, y1, luma in SCENE_BLOCKS:
            if not int(y0 * height) <= y < int(y1 * height):
                continue
            a, b = int(x0 * width), int(x1 * width)
            if luma == "stripes":
                step = max(1, width // 80)
                row[a:b] = [90 if (x // step) % 2 else 130 for x in range(a, b)]
            elif luma == "checker":
                cell = max(1, height // 24)
                row[a:b] = [72 if ((x // cell) + (y // cell)) % 2 else 150 for x in range(a, b)]
            else:
                row[a:b] = [int(luma)] * (b - a)
        rows.append(bytes(row))
    return b"".join(rows)


def _noise_offsets(amplitude: int) -> bytes:
    """Maps a uniformly random byte to amplitude + a noise value in [-amplitude, amplitude]
    with a triangular distribution (inverse CDF), i.e. an offset in 0..2 * amplitude."""
    table = []
    for r in range(256):
        u = (r + 0.5) / 256
        noise = amplitude * (math.sqrt(2 * u) - 1) if u < 0.5 else amplitude * (1 - math.sqrt(2 * (1 - u)))
        table.append(amplitude + _clip(noise, -amplitude, amplitude))
    return bytes(table)


class ImageError(Exception):
    """An image that cannot be used as a scene picture (the message names the reason)."""


def _decode_image(path: str, tail: str, crop: tuple[int, int, int, int] | None = None):
    """Decodes a JPEG or PNG file with GStreamer: `filesrc ! decodebin ! videoconvert ! RGB
    [! videocrop] ! <tail> ! appsink`, crop = pixels cut off (left, top, right, bottom).
    Returns the sample.

    Through RGB on purpose: videoconvert between two YUV formats keeps JPEG's full range
    as it is, while RGB -> YUV converts to the colorimetry the tail asks for."""
    try:
        with open(path, "rb") as file:
            magic = file.read(8)
    except OSError as error:
        raise ImageError(f"cannot read {path!r} ({error.strerror})") from None
    if not magic.startswith(SCENE_PICTURE_MAGIC):
        raise ImageError(f"{path!r} is not a JPEG or PNG file")

    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst

    Gst.init(None)
    cropper = "! videocrop name=crop " if crop is not None else ""
    try:
        pipeline = Gst.parse_launch(
            "filesrc name=file ! decodebin ! videoconvert ! video/x-raw,format=RGB "
            f"{cropper}! {tail} ! appsink name=sink sync=false max-buffers=1"
        )
    except GLib.Error as error:  # a missing plugin
        raise ImageError(f"cannot build a decoder ({error.message})") from None
    # The path is a property, never spliced into the description.
    pipeline.get_by_name("file").set_property("location", path)
    if crop is not None:
        left, top, right, bottom = crop
        element = pipeline.get_by_name("crop")
        for name, value in (("left", left), ("top", top), ("right", right), ("bottom", bottom)):
            element.set_property(name, value)
    try:
        pipeline.set_state(Gst.State.PLAYING)
        sample = pipeline.get_by_name("sink").emit("try-pull-sample", 10 * Gst.SECOND)
        if sample is None:
            message = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
            reason = message.parse_error()[0].message if message is not None else "no picture within 10 s"
            raise ImageError(f"cannot decode {path!r} ({reason})")
        return sample
    finally:
        pipeline.set_state(Gst.State.NULL)


@functools.lru_cache(maxsize=16)
def image_size(path: str) -> tuple[int, int]:
    """(width, height) in pixels of a JPEG or PNG, decoding it whole (so it is known to decode)."""
    sample = _decode_image(path, "identity")
    structure = sample.get_caps().get_structure(0)
    return structure.get_value("width"), structure.get_value("height")


def _even(value: float) -> int:
    return 2 * math.floor(value / 2 + 0.5)


@dataclass(frozen=True)
class PicturePlanes:
    """A scene picture decoded for one frame size: the visible part of its rectangle
    (x0, y0, x1, y1, all even, clipped to the frame), its luma there as `luma - 16` (0..219,
    row after row, one big integer so noise adds to it in one operation) and the frame's
    whole chroma (U then V, neutral outside the picture)."""

    rect: tuple[int, int, int, int]
    luma: int
    chroma: bytes

    @property
    def pixels(self) -> int:
        x0, y0, x1, y1 = self.rect
        return max(0, x1 - x0) * max(0, y1 - y0)


def picture_rect(picture: ScenePicture, width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) of a picture's whole rectangle in frame pixels, all even (so chroma,
    at half resolution, lines up exactly); may reach outside the frame."""
    h = max(2, _even(picture.height * height))
    w = max(2, _even(h * picture.crop[2] / picture.crop[3]))
    return _even(picture.at[0] * width - w / 2), _even(picture.at[1] * height - h / 2), w, h


@functools.lru_cache(maxsize=32)  # 16 pictures at two sizes (main and sub-stream)
def scene_picture_planes(picture: ScenePicture, width: int, height: int) -> PicturePlanes:
    """Decodes, crops and scales a picture once for a frame size (raises ImageError)."""
    import gi

    gi.require_version("GstVideo", "1.0")
    from gi.repository import GstVideo

    x0, y0, w, h = picture_rect(picture, width, height)
    if w > SCENE_PICTURE_MAX_WIDTHS * width:
        raise ImageError(
            f"the crop's aspect ratio makes the picture {w} px wide at {width}x{height}, more than "
            f"{SCENE_PICTURE_MAX_WIDTHS} frame widths: crop the image narrower"
        )
    # Same colorimetry as GStreamer assumes for the scene's own caps (which name none).
    colorimetry = "bt709" if height > 576 else "bt601"
    image_w, image_h = image_size(picture.image)
    cx, cy, cw, ch = picture.crop
    sample = _decode_image(
        picture.image,
        "videoscale add-borders=false ! videoconvert ! "
        f"video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1,colorimetry={colorimetry}",
        (cx, cy, image_w - cx - cw, image_h - cy - ch),
    )
    info = GstVideo.VideoInfo.new_from_caps(sample.get_caps())
    buffer = sample.get_buffer()
    data = buffer.extract_dup(0, buffer.get_size())
    vx0, vy0, vx1, vy1 = max(0, x0), max(0, y0), min(width, x0 + w), min(height, y0 + h)
    if vx1 <= vx0 or vy1 <= vy0:
        return PicturePlanes((vx0, vy0, vx0, vy0), 0, bytes([128]) * (2 * (width // 2) * (height // 2)))
    studio = bytes(_clip(v, *STUDIO_RANGE) - STUDIO_RANGE[0] for v in range(256))
    stride, offset = info.stride[0], info.offset[0]
    luma = b"".join(
        data[offset + (y - y0) * stride + vx0 - x0 : offset + (y - y0) * stride + vx1 - x0] for y in range(vy0, vy1)
    ).translate(studio)
    half_w, half_h = width // 2, height // 2
    chroma_parts: list[bytes] = []
    for plane in (1, 2):
        canvas = bytearray([128]) * (half_w * half_h)
        stride, offset = info.stride[plane], info.offset[plane]
        a, b = vx0 // 2, vx1 // 2
        for y in range(vy0 // 2, vy1 // 2):
            row = offset + (y - y0 // 2) * stride
            canvas[y * half_w + a : y * half_w + b] = data[row + a - x0 // 2 : row + b - x0 // 2]
        chroma_parts.append(bytes(canvas))
    return PicturePlanes((vx0, vy0, vx1, vy1), int.from_bytes(luma, "big"), b"".join(chroma_parts))


class ScenePainter:
    """Builds I420 frames of the scripted scene (spec: rtsp/README.md).

    Per frame: fresh noise is one randbytes + translate; it is added to the background by
    adding the two planes as big integers (each byte stays <= 255, so no carry crosses a
    pixel); one more translate removes the noise offset and applies the lighting gain and
    the studio-range clip; the square is a few row slices of a noisy tile. A picture works
    like the background (its precomputed luma plus noise as big integers, one translate for
    noise offset, gain and clip) and is pasted as row slices; its chroma is a precomputed
    whole chroma plane. All C-speed: about 1.5 ms of Python for 640x360.
    """

    def __init__(
        self, width: int, height: int, script: SceneScript, noise: int, rng: random.Random | None = None
    ) -> None:
        low, high = SCENE_BACKGROUND_RANGE
        if not (0 <= noise and high + 2 * noise <= 255 and low - noise >= 0):
            raise ValueError(f"noise amplitude {noise} does not fit the background's luma range")
        self.width = width
        self.height = height
        self.script = script
        self.noise = noise
        self.rng = rng or random.Random()
        self.background = scene_background(width, height)
        self.background_int = int.from_bytes(self.background, "big")
        self.offsets = _noise_offsets(noise)
        self.chroma = bytes([128]) * (2 * (width // 2) * (height // 2))
        # Pictures: luma - 16 (0..219) plus a noise offset must fit a byte, so their noise
        # is at most +-18 levels.
        self.picture_noise = min(noise, SCENE_PICTURE_NOISE_MAX)
        self.picture_offsets = _noise_offsets(self.picture_noise)
        self.pictures = tuple(scene_picture_planes(p, width, height) for p in script.pictures)
        self.tables: dict[float, tuple[bytes, bytes, bytes]] = {}

    def _tables(self, gain: float) -> tuple[bytes, bytes, bytes]:
        """(background + noise offset -> output luma, random byte -> output luma of the square,
        picture luma - 16 + noise offset -> output luma)."""
        tables = self.tables.get(gain)
        if tables is None:
            low, high = STUDIO_RANGE

            def lit(luma: int) -> int:
                return _clip(_clip(luma, low, high) * gain, low, high)

            background = bytes(lit(v - self.noise) for v in range(256))
            square = bytes(lit(SCENE_SQUARE_LUMA + self.offsets[r] - self.noise) for r in range(256))
            picture = bytes(lit(v + low - self.picture_noise) for v in range(256))
            tables = self.tables[gain] = (background, square, picture)
        return tables

    def square_rect(self, x: float, y: float, size: float) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) in pixels of the square centred at (x, y), clipped to the frame."""
        side = max(2, round(size * self.height))
        x0 = round(x * self.width - side / 2)
        y0 = round(y * self.height - side / 2)
        return max(0, x0), max(0, y0), min(self.width, x0 + side), min(self.height, y0 + side)

    def _paste(self, plane: bytearray, rect: tuple[int, int, int, int], tile: bytes) -> None:
        """Copies a tile (rows of x1 - x0 bytes) into the luma plane at rect, row slice by row slice."""
        x0, y0, x1, y1 = rect
        w = x1 - x0
        view = memoryview(tile)
        for row in range(y1 - y0):
            start = (y0 + row) * self.width + x0
            plane[start : start + w] = view[row * w : (row + 1) * w]

    def frame(self, epoch_ms: int, frame_index: int) -> bytes:
        seconds = self.script.cycle_seconds(epoch_ms)
        background_table, square_table, picture_table = self._tables(self.script.gain_at(seconds))
        pixels = self.width * self.height
        if self.noise:
            noise = self.rng.randbytes(pixels).translate(self.offsets)
            noisy = (self.background_int + int.from_bytes(noise, "big")).to_bytes(pixels, "big")
        else:
            noisy = self.background
        luma = noisy.translate(background_table)
        chroma = self.chroma
        index = self.script.picture_at(seconds)
        picture = self.pictures[index] if index is not None else None
        square = self.script.square_at(seconds)
        square_rect = self.square_rect(*square) if square is not None else None
        if square_rect is not None and (square_rect[2] <= square_rect[0] or square_rect[3] <= square_rect[1]):
            square_rect = None
        if (picture is None or picture.pixels == 0) and square_rect is None:
            return luma + chroma
        plane = bytearray(luma)
        if picture is not None and picture.pixels:
            # The picture replaces the background; then the square, in front of it.
            count = picture.pixels
            if self.picture_noise:
                noise = self.rng.randbytes(count).translate(self.picture_offsets)
                tile = (picture.luma + int.from_bytes(noise, "big")).to_bytes(count, "big")
            else:
                tile = picture.luma.to_bytes(count, "big")
            self._paste(plane, picture.rect, tile.translate(picture_table))
            chroma = picture.chroma
        if square_rect is not None:
            x0, y0, x1, y1 = square_rect
            self._paste(plane, square_rect, self.rng.randbytes((x1 - x0) * (y1 - y0)).translate(square_table))
            if chroma is not self.chroma:
                chroma = self._neutral_chroma(chroma, square_rect)
        return b"".join((plane, chroma))

    def _neutral_chroma(self, chroma: bytes, rect: tuple[int, int, int, int]) -> bytearray:
        """The chroma planes with the rect (luma pixels; chroma cells it touches) made neutral."""
        half_w, half_h = self.width // 2, self.height // 2
        x0, y0, x1, y1 = rect[0] // 2, rect[1] // 2, (rect[2] + 1) // 2, (rect[3] + 1) // 2
        out = bytearray(chroma)
        grey = bytes([128]) * (x1 - x0)
        for plane in (0, half_w * half_h):
            for y in range(y0, y1):
                start = plane + y * half_w + x0
                out[start : start + x1 - x0] = grey
        return out


# --------------------------------------------------------------------------- generated frames


class Painter(Protocol):
    def frame(self, epoch_ms: int, frame_index: int) -> bytes: ...


class FrameOutput:
    """One stream that a FrameProducer feeds: a media's appsrc and a painter for its size."""

    def __init__(self, appsrc, painter: Painter, label: str) -> None:
        self.appsrc = appsrc
        self.painter = painter
        self.label = label  # the mount as served: "cam", or "cam/sub" for its sub-stream
        self.index = 0  # frames pushed
        self.last_gop = -1
        self.attached = False  # attached once: a stream that refused a frame is not fed again


class FrameProducer:
    """The simulated sensor of one mount: a thread that, at RTSP_FPS on a wall-clock grid,
    paints frames (timecode or scene) for the wall-clock time read right before painting
    and pushes them into the appsrc of every stream of the mount that is playing.

    Without RTSP_SUBSTREAM that is the mount's one media, and appsrc stamps each buffer at
    push time (do-timestamp). With it, the main stream and the sub-stream (two medias, two
    encoders) are fed by the same thread: at each tick of the grid the time is read once and
    painted into a frame of each size, both buffers are stamped from one pipeline-clock
    reading taken with it (running time of each media), and keyframes are forced on the
    same ticks. So the same instant carries the same painted time in both streams, and
    their timestamps differ by a constant (the medias' base-time difference) however the
    thread is scheduled.
    """

    def __init__(self, cfg: Config, mount: str, kind: str, **details: object) -> None:
        self.cfg = cfg
        self.mount = mount
        self.kind = kind
        self.details = details
        self.lock = threading.Lock()
        self.outputs: list[FrameOutput] = []
        self.stopping: threading.Event | None = None  # the running thread's stop flag
        self.thread: threading.Thread | None = None

    def attach(self, output: FrameOutput) -> None:
        """Starts feeding a stream (on its first need-data: only then is its media PLAYING with
        a clock, so timestamps taken at push time are valid)."""
        with self.lock:
            if output.attached:
                return
            output.attached = True
            self.outputs.append(output)
            if self.thread is None:
                self.stopping = threading.Event()
                self.thread = threading.Thread(
                    target=self._run, args=(self.stopping,), name=f"{self.kind}-{self.mount}", daemon=True
                )
                self.thread.start()
        log(f"{self.kind}-started", mount=output.label, **self.details)

    def detach(self, output: FrameOutput | None = None) -> None:
        """Stops feeding a stream (its media is gone; None: every stream); the thread ends
        with the last one."""
        with self.lock:
            if output is None:
                self.outputs.clear()
            elif output in self.outputs:
                self.outputs.remove(output)
            if self.outputs:
                return
            thread, stopping = self.thread, self.stopping
            self.thread = self.stopping = None
            if stopping is not None:
                stopping.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)

    def stop(self) -> None:
        self.detach(None)

    def _drop(self, output: FrameOutput, stopping: threading.Event) -> bool:
        """Forgets a stream whose appsrc refused a frame; True when the thread should end."""
        with self.lock:
            if output in self.outputs:
                self.outputs.remove(output)
            if self.outputs and not stopping.is_set():
                return False
            if self.stopping is stopping:
                self.thread = self.stopping = None
            stopping.set()
            return True

    @staticmethod
    def _running_times(outputs: list[FrameOutput]) -> list[int | None]:
        """Each stream's running time now, from one reading per clock (every media runs on the
        system clock, so one reading serves all); None for a media without a clock."""
        readings: dict[object, int] = {}
        times: list[int | None] = []
        for output in outputs:
            clock = output.appsrc.get_clock()
            if clock is None:
                times.append(None)
                continue
            now = readings.get(clock)
            if now is None:
                now = readings[clock] = clock.get_time()
            times.append(max(0, now - output.appsrc.get_base_time()))
        return times

    def _run(self, stopping: threading.Event) -> None:
        from gi.repository import Gst

        import gi

        gi.require_version("GstVideo", "1.0")
        from gi.repository import GstVideo

        # Frames sit on a wall-clock grid (frame k at k * period since the epoch), and a
        # keyframe starts every GOP of that grid, like a camera's: when this thread is
        # starved and skips frames, a GOP counted in produced frames would stretch past its
        # seconds, and a keyframe-only reader would see fewer than one keyframe a second.
        # Deciding on the grid index, not on the time read, keeps it free of sleep jitter
        # (and puts the keyframes of a main and a sub-stream on the same ticks).
        period_ns = 1_000_000_000 // self.cfg.fps
        duration = Gst.SECOND // self.cfg.fps
        gop = self.cfg.key_int_max
        stamp = self.cfg.substream is not None  # appsrc do-timestamp=false: we stamp
        k = time.time_ns() // period_ns + 1
        while not stopping.is_set():
            now = time.time_ns()
            if k * period_ns > now:
                time.sleep((k * period_ns - now) / 1e9)
            elif now - k * period_ns > period_ns:
                # Fell behind (CPU starved): skip ahead instead of bursting late frames.
                k = now // period_ns
            # The capture time: read right before the frames are painted and pushed; appsrc
            # (do-timestamp) stamps a buffer with the pipeline clock at the same moment, or,
            # with a sub-stream, we do, from the clock read right here.
            epoch_ms = time.time_ns() // 1_000_000
            with self.lock:
                if stopping.is_set():
                    return
                outputs = list(self.outputs)
            running_times = self._running_times(outputs) if stamp else [None] * len(outputs)
            for output in outputs:
                if k // gop != output.last_gop:
                    output.last_gop = k // gop
                    output.appsrc.send_event(
                        GstVideo.video_event_new_downstream_force_key_unit(
                            Gst.CLOCK_TIME_NONE, Gst.CLOCK_TIME_NONE, Gst.CLOCK_TIME_NONE, True, 0
                        )
                    )
            tick = k
            k += 1
            buffers = []
            for output, running_time in zip(outputs, running_times):
                if stamp and running_time is None:
                    buffers.append(None)  # its media has no clock (yet, or any more)
                    continue
                # With a sub-stream, the grid index moves the timecode's bar, so both streams
                # show the same picture at a tick.
                buffer = Gst.Buffer.new_wrapped(output.painter.frame(epoch_ms, tick if stamp else output.index))
                buffer.duration = duration
                if stamp:
                    buffer.pts = buffer.dts = running_time
                buffers.append(buffer)
            # Painted first, pushed back to back: the streams leave together.
            for output, buffer in zip(outputs, buffers):
                if buffer is None:
                    continue
                result = output.appsrc.emit("push-buffer", buffer)
                output.index += 1
                if result not in (Gst.FlowReturn.OK,):
                    log(f"{self.kind}-stopped", mount=output.label, flow=result.value_nick)
                    if self._drop(output, stopping):
                        return


# --------------------------------------------------------------------------- file relay


class FileRelay:
    """Plays RTSP_FILE forever in a private pipeline and hands its frames to the media's appsrc.

    The private pipeline runs unsynchronised and loops with segment seeks (seamless: no
    flush at the loop point). A relay thread pulls its frames, re-times them onto one
    continuous timeline in the media pipeline's running time, and pushes each when the
    media clock reaches it. That makes the served stream behave like a live camera (not
    seekable, late joiners share it) while copy mode never touches the H.264 payload.

    Why our own timeline instead of the demuxer's running time: qtdemux accumulates a
    looped segment from the start of the last frame, not its end, so its running time
    repeats one frame per loop; over hours that would be a visible drift.
    """

    def __init__(self, cfg: Config, appsrc, mount: str) -> None:
        self.cfg = cfg
        self.appsrc = appsrc
        self.mount = mount
        self.pipeline = None
        self.sink = None
        self.bus_watch = 0
        self.loops = 0
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with self.lock:
            if self.thread is not None or self.stopped.is_set():
                return
            self.thread = threading.Thread(target=self._run, name=f"file-{self.mount}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self._teardown()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=2)

    def _teardown(self) -> None:
        from gi.repository import GLib, Gst

        with self.lock:
            pipeline, self.pipeline = self.pipeline, None
            watch, self.bus_watch = self.bus_watch, 0
        if watch:
            GLib.source_remove(watch)
        if pipeline is not None:
            pipeline.set_state(Gst.State.NULL)

    def _build(self):
        from gi.repository import Gst

        pipeline = Gst.Pipeline.new(f"file-{self.mount}")
        filesrc = Gst.ElementFactory.make("filesrc")
        filesrc.set_property("location", self.cfg.file)
        demux = Gst.ElementFactory.make("parsebin" if self.cfg.file_copy else "decodebin")
        if self.cfg.file_copy:
            # config-interval=-1: SPS/PPS before every IDR, as mp4 keeps them out of band.
            tail_description = (
                "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au "
                "! appsink name=sink sync=false max-buffers=4 drop=false"
            )
        else:
            tail_description = (
                "videoconvert ! videoscale add-borders=true "
                f"! video/x-raw,format=I420,width={self.cfg.width},height={self.cfg.height},pixel-aspect-ratio=1/1 "
                "! appsink name=sink sync=false max-buffers=4 drop=false"
            )
        tail = Gst.parse_bin_from_description(tail_description, True)
        for element in (filesrc, demux, tail):
            pipeline.add(element)
        filesrc.link(demux)
        linked = threading.Event()
        wanted = "video/x-h264" if self.cfg.file_copy else "video/x-raw"

        def on_pad(_demux, pad) -> None:
            caps = pad.get_current_caps() or pad.query_caps(None)
            name = caps.get_structure(0).get_name() if caps.get_size() else ""
            if name == wanted and not linked.is_set():
                linked.set()
                pad.link(tail.get_static_pad("sink"))
                return
            # Audio and extra streams: a probe drops their buffers on the spot. Not a fakesink:
            # in PAUSED it would hold the demuxer's only thread in preroll and starve the
            # video; not left unlinked either, which some demuxers treat as an error.
            pad.add_probe(Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, lambda *_: Gst.PadProbeReturn.DROP)

        demux.connect("pad-added", on_pad)
        return pipeline, tail.get_by_name("sink"), linked

    def _open(self) -> bool:
        from gi.repository import Gst

        pipeline, sink, linked = self._build()
        with self.lock:
            if self.stopped.is_set():
                return False
            self.pipeline, self.sink = pipeline, sink
            self.bus_watch = pipeline.get_bus().add_watch(0, self._on_message)
        pipeline.set_state(Gst.State.PAUSED)
        result, _, _ = pipeline.get_state(20 * Gst.SECOND)
        if result == Gst.StateChangeReturn.FAILURE or not linked.is_set():
            log("file-failed", level="error", mount=self.mount, file=self.cfg.file, reason="no playable video stream")
            return False
        # A segment seek makes the demuxer post SEGMENT_DONE instead of EOS at the end.
        pipeline.seek(
            1.0, Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.SEGMENT, Gst.SeekType.SET, 0, Gst.SeekType.NONE, -1
        )
        pipeline.get_state(20 * Gst.SECOND)
        pipeline.set_state(Gst.State.PLAYING)
        log("file-started", mount=self.mount, file=self.cfg.file, copy=self.cfg.file_copy)
        return True

    def _on_message(self, _bus, message) -> bool:
        from gi.repository import Gst

        pipeline = self.pipeline
        if pipeline is None:
            return True  # _teardown removes this watch
        if message.type == Gst.MessageType.SEGMENT_DONE:
            # Non-flushing: frames already queued still play out.
            self.loops += 1
            pipeline.seek(1.0, Gst.Format.TIME, Gst.SeekFlags.SEGMENT, Gst.SeekType.SET, 0, Gst.SeekType.NONE, -1)
            if self.loops == 1 or self.loops % 100 == 0:
                log("file-looped", mount=self.mount, loops=self.loops)
        elif message.type == Gst.MessageType.EOS:
            # Demuxers without segment seeks end here instead: restart with a flushing seek
            # (the relay's timeline bridges the jump back like any other loop point).
            self.loops += 1
            pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH, 0)
        elif message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            log("file-error", level="error", mount=self.mount, error=error.message, debug=debug or "")
            self.stopped.set()
        return True

    def _run(self) -> None:
        try:
            if not self._open():
                self.appsrc.emit("end-of-stream")
                return
            self._relay()
        except Exception as error:  # a dead relay thread would otherwise freeze the stream silently
            log("file-error", level="error", mount=self.mount, error=repr(error))
            self.appsrc.emit("end-of-stream")
        finally:
            self._teardown()

    def _relay(self) -> None:
        from gi.repository import Gst

        none = Gst.CLOCK_TIME_NONE
        sink = self.sink
        shift: int | None = None  # media running time = file running time + shift
        segment_key = None
        next_pts = None  # where the next loop's first frame belongs on our timeline
        max_pts = 0
        frame = Gst.SECOND // 30
        caps = None
        while not self.stopped.is_set():
            sample = sink.emit("try-pull-sample", Gst.SECOND // 2)
            if sample is None:
                if sink.get_property("eos"):
                    return
                continue
            buffer = sample.get_buffer()
            segment = sample.get_segment()
            if buffer.pts == none:
                continue  # cannot be placed on a timeline; never seen from qtdemux/matroskademux
            pts = segment.to_running_time(Gst.Format.TIME, buffer.pts)
            if pts in (-1, none):
                continue
            clock = self.appsrc.get_clock()
            if clock is None:
                return
            now = clock.get_time() - self.appsrc.get_base_time()
            key = (segment.base, segment.start)
            # Keep the file's reordering delay (B-frames) for the decode timestamp.
            delay = buffer.pts - buffer.dts if buffer.dts != none and buffer.dts <= buffer.pts else 0
            if shift is None:
                shift = now - pts + delay  # the first frame is due now (its decode time, that is)
            elif key != segment_key and next_pts is not None:
                # Loop point: continue exactly one frame after the last frame shown.
                shift = next_pts - pts
            segment_key = key
            if buffer.duration != none and buffer.duration > 0:
                frame = buffer.duration
            out_pts = pts + shift
            out_dts = out_pts - delay
            if now - out_dts > Gst.SECOND:
                # Starved of CPU for over a second: jump to now rather than serve stale frames.
                shift += now - out_dts
                out_pts += now - out_dts
                out_dts = now
            max_pts = max(max_pts, out_pts)
            next_pts = max_pts + frame
            # Pace: push when the media clock reaches the decode time.
            while not self.stopped.is_set():
                wait = out_dts - (clock.get_time() - self.appsrc.get_base_time())
                if wait <= 0:
                    break
                time.sleep(min(wait, 200 * Gst.MSECOND) / Gst.SECOND)
            if caps is None or not sample.get_caps().is_equal(caps):
                caps = sample.get_caps()
                self.appsrc.set_property("caps", caps)
            out = buffer.copy()  # shallow: shares the memory, only the metadata is ours
            out.pts = out_pts
            out.dts = out_dts
            result = self.appsrc.emit("push-buffer", out)
            if result != Gst.FlowReturn.OK:
                log("file-stopped", mount=self.mount, flow=result.value_nick)
                return


# --------------------------------------------------------------------------- RTSP server


def encoder_description(cfg: Config) -> str:
    # scenecut=0: keyframes come strictly every key-int-max frames, never early, so the
    # downstream one-thumbnail-a-second logic sees a regular GOP.
    return (
        f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={cfg.key_int_max} "
        f"bitrate={cfg.bitrate_kbps} option-string=scenecut=0 "
        "! video/x-h264,stream-format=byte-stream,alignment=au "
        "! rtph264pay name=pay0 pt=96 config-interval=1"
    )


# Between an appsrc and the rest: without it the live sinks cannot honour their 20 ms
# processing deadline (GStreamer warns "please add queues"), and a slow encoder would
# block the thread that paints/relays frames instead of appsrc dropping the oldest.
QUEUE = "queue max-size-buffers=8 max-size-bytes=0 max-size-time=0"


def raw_caps(cfg: Config) -> str:
    return f"video/x-raw,format=I420,width={cfg.width},height={cfg.height},framerate={cfg.fps}/1"


def build_media_bin(cfg: Config, have_overlay: bool):
    """The per-media element tree (rtsp-server wraps it in a pipeline and adds the sinks)."""
    from gi.repository import Gst

    encode = encoder_description(cfg)
    if cfg.source == "testpattern":
        overlay = ""
        if have_overlay:
            overlay = (
                '! clockoverlay time-format="%Y-%m-%d %H:%M:%S %Z" halignment=left valignment=top '
                'shaded-background=true font-desc="Sans 16" '
                "! timeoverlay halignment=right valignment=bottom shaded-background=true "
                'font-desc="Sans 12" '
            )
        description = (
            "videotestsrc name=testsrc is-live=true pattern=smpte "
            f"! video/x-raw,width={cfg.width},height={cfg.height},framerate={cfg.fps}/1 "
            f"{overlay}! videoconvert ! {raw_caps(cfg)} ! {encode}"
        )
    elif cfg.source in ("timecode", "scene"):
        # With a sub-stream the FrameProducer stamps the buffers itself (one clock reading for
        # the main and the sub-stream's frame of a tick).
        stamped = "false" if cfg.substream is not None else "true"
        description = (
            f"appsrc name=src is-live=true format=time do-timestamp={stamped} block=false "
            f'max-buffers={2 * cfg.fps} leaky-type=downstream caps="{raw_caps(cfg)}" ! {QUEUE} ! {encode}'
        )
    elif cfg.source == "v4l2":
        description = (
            "v4l2src name=src ! decodebin ! videoconvert ! videoscale ! videorate "
            f"! {raw_caps(cfg)} ! {encode}"
        )
    elif cfg.source == "file" and cfg.file_copy:
        description = (
            "appsrc name=src is-live=true format=time do-timestamp=false block=false max-buffers=64 "
            f"! {QUEUE} ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1"
        )
    elif cfg.source == "file":
        description = (
            "appsrc name=src is-live=true format=time do-timestamp=false block=false max-buffers=64 "
            f"! {QUEUE} ! videorate ! {raw_caps(cfg)} ! {encode}"
        )
    else:  # rtsp relay
        description = (
            "rtspsrc name=src protocols=tcp latency=200 "
            "! rtph264depay ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1"
        )
    element = Gst.parse_bin_from_description(description, False)
    # Paths and URLs are set as properties, never spliced into the description, so no
    # character in them can change the pipeline's shape.
    if cfg.source == "v4l2":
        element.get_by_name("src").set_property("device", cfg.device)
    elif cfg.source == "rtsp":
        element.get_by_name("src").set_property("location", cfg.upstream_url)
    return element


def make_producer(cfg: Config, mount: str) -> FrameProducer:
    """The frame producer of a mount (timecode, scene), shared by its main and sub-stream."""
    if cfg.source == "timecode":
        return FrameProducer(cfg, mount, "timecode")
    return FrameProducer(cfg, mount, "scene", script=cfg.scene_script.as_json(), noise=cfg.scene_noise)


def make_painter(cfg: Config) -> Painter:
    """A painter for one stream, at cfg's size (the sub-stream's config for a sub-stream)."""
    if cfg.source == "timecode":
        return TimecodePainter(cfg.width, cfg.height)
    return ScenePainter(cfg.width, cfg.height, cfg.scene_script, cfg.scene_noise)


def main() -> int:
    env = dict(os.environ)
    cfg, errors = parse_config(env)
    unknown = sorted(k for k in env if k.startswith("RTSP_") and k not in KNOWN_KEYS)

    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    gi.require_version("GstPbutils", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)

    if not errors and cfg.source == "file" and cfg.file_copy:
        problem = check_file_is_h264(cfg.file)
        if problem:
            errors.append(f"RTSP_FILE_COPY: {problem}")
    if not errors and cfg.source == "scene":
        # Every picture decoded, cropped and scaled once for the mounts' frame size, before
        # we listen (cached: each media's painter reuses the planes).
        sizes = [(cfg.width, cfg.height)] + ([cfg.substream] if cfg.substream is not None else [])
        for picture in cfg.scene_script.pictures:
            for width, height in sizes:
                try:
                    scene_picture_planes(picture, width, height)
                except ImageError as error:
                    at = f" at the sub-stream's {width}x{height}" if (width, height) != sizes[0] else ""
                    errors.append(f"RTSP_SCENE_SCRIPT: pictures ({picture.start}..{picture.end}){at}: {error}")
                    break
    if errors:
        keys = sorted({e.split(":", 1)[0] for e in errors})
        sys.stderr.write(f"rtsp/server.py: invalid settings: {', '.join(keys)}\n")
        for message in errors:
            sys.stderr.write(f"  {redact(message)}\n")
        sys.stderr.flush()
        return 2
    if unknown:
        log("unknown-settings", level="warn", keys=unknown)

    if cfg.source == "scene":
        # Built once (about 0.1 s at 640x360, 1 s at 1080p) before we listen, not while the
        # first client's DESCRIBE waits for its media.
        scene_background(cfg.width, cfg.height)
        if cfg.substream is not None:
            scene_background(*cfg.substream)
        if cfg.scene_script.pictures:
            pictures: list[dict[str, object]] = [
                {"start": p.start, "end": p.end, "rect": list(picture_rect(p, cfg.width, cfg.height))}
                for p in cfg.scene_script.pictures
            ]
            if cfg.substream is not None:
                for entry, p in zip(pictures, cfg.scene_script.pictures):
                    entry["sub_rect"] = list(picture_rect(p, *cfg.substream))
            log("scene-pictures", pictures=pictures)

    have_overlay = Gst.ElementFactory.find("clockoverlay") is not None
    if cfg.source == "testpattern" and not have_overlay:
        log("no-clockoverlay", level="warn", hint="install gstreamer1.0-x for the wall-clock overlay")

    active: set = set()  # producers/relays of live medias, stopped at shutdown
    producers: dict[str, FrameProducer] = {}  # per mount (timecode, scene): feeds its main and sub-stream
    sub_cfg = cfg.sub_config() if cfg.substream is not None else None

    class Factory(GstRtspServer.RTSPMediaFactory):
        def __init__(self, mount: str, stream_cfg: Config, sub: bool = False) -> None:
            super().__init__()
            self.mount = mount
            self.cfg = stream_cfg
            self.sub = sub
            self.label = mount + SUBSTREAM_SUFFIX if sub else mount  # the path served, for logs

        def do_create_element(self, _url):
            return build_media_bin(self.cfg, have_overlay)

    def on_element_added(_pipeline, _bin, element) -> None:
        factory = element.get_factory()
        if factory is not None and factory.get_name() == "rtpbin":
            # RTCP sender reports then map RTP time to the wall-clock time of capture (the
            # buffer's timestamp), not of sending: a client that syncs on them recovers the
            # capture time, which is what Fathom indexes.
            element.set_property("rtcp-sync-send-time", False)

    def on_media_configure(factory, media) -> None:
        mount = factory.label
        log("media-configure", mount=mount)
        element = media.get_element()
        pipeline = element.get_parent()
        if pipeline is not None:
            # rtsp-server owns the bus watch; a sync handler still lets us log failures.
            bus = pipeline.get_bus()
            bus.enable_sync_message_emission()
            bus.connect("sync-message::error", lambda _b, m: log_bus_error(mount, m))
            bus.connect("sync-message::warning", lambda _b, m: log_bus_error(mount, m))
            pipeline.connect("deep-element-added", on_element_added)
        testsrc = element.get_by_name("testsrc")
        if testsrc is not None:
            # ffmpeg's PLAY asks for "Range: npt=0.000-". rtsp-server seeks a seekable shared media to
            # it, and a live videotestsrc answers a seek by starting its timestamps over from 0: every
            # client already watching would see its stream time jump back, as no camera's does. Like a
            # camera, the test pattern is not seekable, and says so (rtsp-server then skips the seek).
            def not_seekable(_pad, info):
                query = info.get_query()
                if query is not None and query.type == Gst.QueryType.SEEKING:
                    query.set_seeking(Gst.Format.TIME, False, 0, -1)
                    return Gst.PadProbeReturn.HANDLED
                return Gst.PadProbeReturn.OK

            testsrc.get_static_pad("src").add_probe(Gst.PadProbeType.QUERY_UPSTREAM, not_seekable)
        worker = None
        output = None
        producer = None
        appsrc = element.get_by_name("src") if cfg.source in ("timecode", "scene", "file") else None
        if appsrc is not None and cfg.source == "file":
            worker = FileRelay(factory.cfg, appsrc, mount)
            active.add(worker)
        elif appsrc is not None:
            # One producer per mount, shared by its main and sub-stream; each media is a stream of it.
            producer = producers.get(factory.mount)
            if producer is None:
                producer = producers[factory.mount] = make_producer(cfg, factory.mount)
                active.add(producer)
            output = FrameOutput(appsrc, make_painter(factory.cfg), mount)
        if appsrc is not None:
            # Started on the first need-data: only then is the media PLAYING with a clock,
            # so timestamps taken at push time are valid.
            def on_need_data(_src, _length) -> None:
                if worker is not None:
                    worker.start()
                else:
                    producer.attach(output)

            appsrc.connect("need-data", on_need_data)

        def on_unprepared(_media) -> None:
            log("media-unprepared", mount=mount)
            if worker is not None:
                worker.stop()
                active.discard(worker)
            if output is not None:
                producer.detach(output)

        media.connect("unprepared", on_unprepared)

    def log_bus_error(mount: str, message) -> None:
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            log("media-error", level="error", mount=mount, error=error.message, debug=debug or "")
        else:
            warning, debug = message.parse_warning()
            log("media-warning", level="warn", mount=mount, warning=warning.message, debug=debug or "")

    server = GstRtspServer.RTSPServer()
    server.set_address(cfg.bind)
    server.set_service(str(cfg.port))
    mount_points = server.get_mount_points()
    for mount in cfg.mounts:
        factory = Factory(mount, cfg)
        # One encoder per mount however many clients watch it, like a real camera.
        factory.set_shared(True)
        factory.connect("media-configure", on_media_configure)
        mount_points.add_factory(f"/{mount}", factory)
        if sub_cfg is not None:
            # The sub-stream: the same source at RTSP_SUBSTREAM's size, with its own encoder.
            factory = Factory(mount, sub_cfg, sub=True)
            factory.set_shared(True)
            factory.connect("media-configure", on_media_configure)
            mount_points.add_factory(f"/{mount}{SUBSTREAM_SUFFIX}", factory)

    def on_client(_server, client) -> None:
        connection = client.get_connection()
        ip = connection.get_ip() if connection is not None else "?"
        log("client-connected", ip=ip)
        client.connect("closed", lambda _c: log("client-closed", ip=ip))

    server.connect("client-connected", on_client)

    try:
        source = server.create_source(None)
    except GLib.Error as error:
        log("listen-failed", level="error", bind=cfg.bind, port=cfg.port, error=error.message)
        return 1
    source.attach(None)
    port = server.get_bound_port()

    loop = GLib.MainLoop()

    def on_signal(name: str) -> bool:
        log("stopping", signal=name)
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, on_signal, "SIGTERM")
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, on_signal, "SIGINT")

    ready: dict[str, object] = {"event": "ready", "port": port, "mounts": cfg.mounts}
    if cfg.substream is not None:
        ready["sub_mounts"] = [mount + SUBSTREAM_SUFFIX for mount in cfg.mounts]
    sys.stdout.write(json.dumps(ready, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    substream = {"substream": f"{cfg.substream[0]}x{cfg.substream[1]}"} if cfg.substream is not None else {}
    log(
        "listening",
        bind=cfg.bind,
        port=port,
        mounts=cfg.mounts,
        **substream,
        source=cfg.source,
        width=cfg.width,
        height=cfg.height,
        fps=cfg.fps,
        key_int_max=cfg.key_int_max,
        bitrate_kbps=cfg.bitrate_kbps,
        file=cfg.file or None,
        file_copy=cfg.file_copy,
        upstream_url=cfg.upstream_url or None,
    )
    loop.run()

    for worker in list(active):
        worker.stop()
    source.destroy()
    log("stopped")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # GStreamer's streaming threads may still call into Python while the interpreter
    # finalises; leaving without finalisation makes the exit code reliable.
    os._exit(code)
