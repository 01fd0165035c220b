#!/usr/bin/env bash
# Prints the path of the feed-handler's ffmpeg, building it once if needed.
#
# The same ffmpeg as Debian bookworm's package (5.1.9-0+deb12u1: Debian's source
# tarball and its patches), configured with only what the feed-handler's ffmpeg
# command lines use (src/capture/ffmpeg-args.ts, chunk-audio.ts, keyframe-watch.ts,
# src/restream/restream-args.ts), its libraries linked statically; only glibc and
# OpenSSL stay shared. Debian's full build maps ~215 shared libraries, whose pages are
# most of one camera's ffmpeg RSS: 66 MiB VmRSS there, 21–23 MiB with this one (bench:memory).
#
# Used by the feed-handler image (Dockerfile stage ffmpeg-build), the tests, the
# benches and `npm run stack`. The cached build lives outside the repo
# ($FATHOM_CACHE_DIR, default ~/.cache/fathom, keyed by version and this script's
# hash): ffmpeg-5.1.9-fathom-<hash>/bin/ffmpeg. Cold: about 1.5 min on 2 cores. Needs
# a C compiler, make, nasm (x86 assembly: the H.264 and HEVC decoders, scaling) and
# OpenSSL's headers. All progress goes to stderr; stdout carries only the binary's path.
#
# TLS (rtsps:// cameras, rtmps:// restream targets) is OpenSSL 3, linked from the
# system's shared libssl3/libcrypto3 (libssl-dev to build).
#
# Not in it: ffprobe, ffplay, hardware acceleration, encoders other than the JPEG,
# raw and AAC ones, lavfi sources other than the silent track, and the codecs no
# camera of ours sends (AV1, VP8/9, MPEG-2, AMR...): such a camera fails with
# "Decoder ... not found" in the feed-handler's log. FFMPEG_PATH=/usr/bin/ffmpeg
# (Debian's full build) is the way back.
set -euo pipefail

FFMPEG_VERSION=5.1.9
DEBIAN_REVISION=0+deb12u1
# From Debian's signed Sources index (bookworm and bookworm-security/main both list them).
ORIG_SHA256=d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176
DEBIAN_SHA256=71b20472ecd2764bc98e3229d34c0f7c8dcfe4a6cbacc23fd5604c23bac04632
POOLS=(
  http://deb.debian.org/debian/pool/main/f/ffmpeg
  http://deb.debian.org/debian-security/pool/updates/main/f/ffmpeg
)

CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
# Keyed by this script's own hash too: a changed component list is a new build, never a stale one.
BUILD_KEY=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
OUT_DIR="$CACHE_ROOT/ffmpeg-$FFMPEG_VERSION-fathom-$BUILD_KEY"
OUT_BIN="$OUT_DIR/bin/ffmpeg"

log() { printf '[provide-ffmpeg] %s\n' "$*" >&2; }
usable() { [[ -x "$OUT_BIN" ]] && "$OUT_BIN" -hide_banner -version >/dev/null 2>&1; }

if usable; then echo "$OUT_BIN"; exit 0; fi

NEEDS="Debian: apt-get install -y build-essential nasm curl xz-utils patch pkgconf libssl-dev"
for tool in cc make nasm curl sha256sum tar xz patch flock pkg-config; do
  command -v "$tool" >/dev/null || { log "missing '$tool', needed to build ffmpeg ($NEEDS)"; exit 1; }
done
pkg-config --exists openssl || { log "missing OpenSSL's headers, needed to build ffmpeg ($NEEDS)"; exit 1; }

mkdir -p "$OUT_DIR/bin"
# One build at a time: a second caller waits for the first to finish.
exec 9>"$OUT_DIR/.lock"
flock 9
if usable; then echo "$OUT_BIN"; exit 0; fi

WORK="$CACHE_ROOT/ffmpeg-build/$FFMPEG_VERSION-fathom-$BUILD_KEY"
rm -rf "$WORK"; mkdir -p "$WORK"
started=$(date +%s)
log "building ffmpeg $FFMPEG_VERSION-$DEBIAN_REVISION (lean, static) in $WORK"

fetch() { # fetch FILE SHA256: from the first pool that has it, checked against the pinned hash
  local file=$1 sha=$2 pool
  for pool in "${POOLS[@]}"; do
    if curl -fsSL --retry 3 -o "$WORK/$file" "$pool/$file"; then
      if echo "$sha  $WORK/$file" | sha256sum -c --quiet - >&2; then return 0; fi
      log "$pool/$file: checksum mismatch"
    fi
  done
  log "could not get $file with sha256 $sha from ${POOLS[*]}"
  return 1
}
fetch "ffmpeg_$FFMPEG_VERSION.orig.tar.xz" "$ORIG_SHA256"
fetch "ffmpeg_$FFMPEG_VERSION-$DEBIAN_REVISION.debian.tar.xz" "$DEBIAN_SHA256"

tar -xJf "$WORK/ffmpeg_$FFMPEG_VERSION.orig.tar.xz" -C "$WORK"
SRC="$WORK/ffmpeg-$FFMPEG_VERSION"
tar -xJf "$WORK/ffmpeg_$FFMPEG_VERSION-$DEBIAN_REVISION.debian.tar.xz" -C "$SRC"
# Debian's patches, in their order (5.1.9-0+deb12u1: one, a range-coder revert).
while read -r p; do
  [[ -z "$p" || "$p" == \#* ]] && continue
  log "applying debian/patches/$p"
  patch -d "$SRC" -p1 --quiet < "$SRC/debian/patches/$p"
done < "$SRC/debian/patches/series"

CONFIGURE=(
  --prefix="$OUT_DIR"
  --extra-version="$DEBIAN_REVISION-fathom"
  # Debian's hardening: PIE, full RELRO, stack protector, _FORTIFY_SOURCE.
  --toolchain=hardened
  --disable-everything --disable-autodetect
  --disable-doc --disable-debug
  --enable-static --disable-shared
  --disable-ffplay --disable-ffprobe
  # No --enable-small (slower code), no --disable-asm (x86 SIMD matters for decoding and
  # scaling), no --disable-network (RTSP, RTMP). Runtime CPU detection: no -march.

  # INPUT: the camera over RTSP (ffmpeg-args.ts rtspInputOptions): RTP interleaved in the TCP
  # connection, or RTP/RTCP over UDP. rtsp selects http (RTSP-over-HTTP) and rtpdec, which
  # selects the rtp protocol and the asf/mov/mpegts/rm demuxers for those RTP payloads.
  --enable-demuxer=rtsp
  --enable-protocol=tcp,udp,rtp
  # A media file played in a loop as a restream input (restream-args.ts kind 'file': tests, bench).
  --enable-demuxer=mov
  --enable-protocol=file
  # The camera's video, decoded for the thumbnails, the analysis and showinfo's clock (the codecs
  # stream-info.ts names; mpeg4 for older cameras). Parsers: the RTSP demuxer parses H.264/H.265.
  --enable-decoder=h264,hevc,mjpeg,mpeg4
  --enable-parser=h264,hevc,mjpeg,mpeg4video
  # The demuxer's stream probing takes H.264/H.265 parameter sets out of the packets with it.
  --enable-bsf=extract_extradata
  # The camera's sound (chunk-audio.ts): AAC copied, G.711 converted to AAC, and while the codec
  # is not known yet (chunkAudioFor undefined) whatever comes is converted: the RTP audio a
  # camera sends (G.722, G.726, L16, MPEG audio, Opus) must decode, or that first run fails.
  --enable-decoder=aac,pcm_alaw,pcm_mulaw,adpcm_g722,adpcm_g726,adpcm_g726le,pcm_s16be,mp2float,mp3float,opus
  --enable-parser=aac,mpegaudio,opus

  # THUMBNAILS: -vf / -filter_complex of ffmpeg-args.ts (showinfo@clock, the one-a-second select,
  # split, scale, format=gray for the analysis) and keyframe-watch.ts (select=key, showinfo);
  # buffer/buffersink are every graph's ends, null/anull ffmpeg's graph for a stream without
  # -vf/-af, format/aformat/scale/aresample what ffmpeg and lavfi insert to convert formats.
  --enable-filter=buffer,buffersink,abuffer,abuffersink,null,anull
  --enable-filter=showinfo,select,split,scale,format,aformat,aresample
  # JPEGs on stdout (-c:v mjpeg -f image2pipe, pipe:1), the analysis' raw gray frames to a unix
  # socket (-c:v rawvideo -f rawvideo, unix:...), the recorder's and keyframe watch's -f null
  # (keyframe-watch.ts; a camera without thumbnails), whose default encoder is wrapped_avframe:
  # without it "Automatic encoder selection failed ... (codec wrapped_avframe) is probably disabled".
  --enable-encoder=mjpeg,rawvideo,wrapped_avframe
  --enable-muxer=image2pipe,rawvideo,null
  --enable-protocol=pipe,unix

  # CHUNKS: -f segment of -segment_format mp4 (movflags=+faststart), the list on pipe:2; G.711
  # converted with -c:a aac -af aresample=async=1 (chunk-audio.ts). mp4 selects the mov muxer.
  --enable-muxer=segment,mp4
  --enable-encoder=aac
  --enable-bsf=aac_adtstoasc

  # RESTREAM (restream-args.ts): -f flv to rtmp:// or rtmps://; the silent AAC track of a camera
  # without sound is -f lavfi -i anullsrc. TLS for rtmps:// and rtsps:// (both accepted by
  # config.ts): OpenSSL, shared (an LGPL build may use it; Debian's own build uses GnuTLS).
  --enable-muxer=flv
  --enable-protocol=rtmp,rtmps,tls
  --enable-openssl
  --enable-indev=lavfi
  --enable-filter=anullsrc
  # The lavfi device hands anullsrc's samples over as raw PCM of the first format its sink takes,
  # unsigned 8-bit ("Decoder (codec pcm_u8) not found" without it), decoded before the AAC encoder.
  --enable-decoder=pcm_u8
)

cd "$SRC"
log "configure ${CONFIGURE[*]}"
nice -n 10 ./configure "${CONFIGURE[@]}" >"$WORK/configure.log" 2>&1 || {
  tail -30 "$WORK/configure.log" >&2; log "configure failed: $WORK/configure.log"; exit 1
}
nice -n 10 make -j2 ffmpeg >"$WORK/make.log" 2>&1 || {
  tail -30 "$WORK/make.log" >&2; log "make failed: $WORK/make.log"; exit 1
}

# `ffmpeg` is the stripped binary (ffmpeg_g keeps the symbols); nothing else is installed.
./ffmpeg -hide_banner -version >&2
cp ffmpeg "$OUT_BIN.tmp" && mv "$OUT_BIN.tmp" "$OUT_BIN"
rm -rf "$WORK"
log "built in $(( $(date +%s) - started ))s -> $OUT_BIN ($(du -k "$OUT_BIN" | cut -f1) KiB)"
echo "$OUT_BIN"
