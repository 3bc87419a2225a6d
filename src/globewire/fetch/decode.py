"""Bounded, streaming Content-Encoding decoders (gzip, deflate, br, zstd).

httpx's own decoders hand a whole network chunk to the decompressor at once, so a 64 KiB chunk of a
gzip bomb can expand to tens of megabytes in one call. These decoders never produce more than
``OUTPUT_STEP`` bytes per step, so the caller can stop as soon as the body cap is passed.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli
import zstandard

#: Largest piece a decoder emits at once. 64 KiB keeps the overshoot past the body cap negligible
#: while keeping the per-call overhead low for ordinary pages.
OUTPUT_STEP = 64 * 1024

#: zstd's decompressobj has no output limit, so input is fed in slices. The worst case is an RLE
#: block: 4 bytes of input -> 128 KiB of output, so 32 input bytes produce at most ~1 MiB.
ZSTD_INPUT_SLICE = 32


class DecodeError(Exception):
    pass


class UnsupportedEncoding(Exception):
    pass


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class IdentityDecoder:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class ZlibDecoder:
    """gzip (wbits 16+15), zlib-wrapped deflate, or raw deflate (guessed on the first bytes)."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._obj: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS) if kind == "gzip" else None
        self._pending = b""

    def _ensure(self, data: bytes) -> bytes:
        if self._obj is not None:
            return data
        data = self._pending + data
        if len(data) < 2:
            self._pending = data
            return b""
        # "deflate" is meant to be zlib-wrapped, but many servers send raw deflate.
        cmf, flg = data[0], data[1]
        wrapped = (cmf & 0x0F) == 8 and ((cmf << 8) | flg) % 31 == 0
        self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        self._pending = b""
        return data

    def feed(self, data: bytes) -> Iterator[bytes]:
        data = self._ensure(data)
        if self._obj is None:
            return
        try:
            while data:
                if self._obj.eof:
                    # trailing bytes after the end of the stream: a new gzip member, or padding
                    if self._kind != "gzip" or not data.strip(b"\0"):
                        return
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out = self._obj.decompress(data, OUTPUT_STEP)
                if out:
                    yield out
                data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail
        except zlib.error as exc:
            raise DecodeError(f"{self._kind}: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        if self._obj is None and self._pending:
            yield from self.feed(b"")
        if self._obj is not None:
            try:
                out = self._obj.flush(OUTPUT_STEP)
            except zlib.error as exc:
                raise DecodeError(f"{self._kind}: {exc}") from exc
            if out:
                yield out


class BrotliDecoder:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=OUTPUT_STEP)
            if out:
                yield out
            # The limit is soft (the decoder may return a little more) and pending output is only
            # released by further calls with empty input, so drain until nothing comes out.
            while out and not self._obj.is_finished():
                out = self._obj.process(b"", output_buffer_limit=OUTPUT_STEP)
                if out:
                    yield out
        except brotli.error as exc:
            raise DecodeError(f"br: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        return iter(())


class ZstdDecoder:
    def __init__(self) -> None:
        self._obj = zstandard.ZstdDecompressor().decompressobj()

    def feed(self, data: bytes) -> Iterator[bytes]:
        view = memoryview(data)
        try:
            for i in range(0, len(view), ZSTD_INPUT_SLICE):
                if self._obj.eof:
                    return
                out = self._obj.decompress(view[i : i + ZSTD_INPUT_SLICE].tobytes())
                if out:
                    yield out
        except zstandard.ZstdError as exc:
            raise DecodeError(f"zstd: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        return iter(())


class ChainDecoder:
    """Several encodings applied in order (``Content-Encoding: gzip, br`` -> undo br, then gzip)."""

    def __init__(self, decoders: list[Decoder]) -> None:
        self._decoders = decoders

    def _through(self, chunks: Iterator[bytes], idx: int) -> Iterator[bytes]:
        if idx == len(self._decoders):
            yield from chunks
            return
        dec = self._decoders[idx]

        def stage() -> Iterator[bytes]:
            for c in chunks:
                yield from dec.feed(c)

        yield from self._through(stage(), idx + 1)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(iter((data,)), 0)

    def flush(self) -> Iterator[bytes]:
        for idx, dec in enumerate(self._decoders):
            yield from self._through(dec.flush(), idx + 1)


def decoder_for(content_encoding: str | None) -> Decoder:
    """A decoder for a Content-Encoding header value; raises UnsupportedEncoding."""
    names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
    decoders: list[Decoder] = []
    for name in reversed(names):  # the last encoding applied is undone first
        if name in ("identity", ""):
            continue
        if name in ("gzip", "x-gzip"):
            decoders.append(ZlibDecoder("gzip"))
        elif name == "deflate":
            decoders.append(ZlibDecoder("deflate"))
        elif name == "br":
            decoders.append(BrotliDecoder())
        elif name == "zstd":
            decoders.append(ZstdDecoder())
        else:
            raise UnsupportedEncoding(name)
    if not decoders:
        return IdentityDecoder()
    if len(decoders) == 1:
        return decoders[0]
    return ChainDecoder(decoders)


def decompress_capped(data: bytes, encoding: str, cap: int) -> bytes:
    """Decode a whole buffer (e.g. a ``.xml.gz`` sitemap); raises ValueError past ``cap`` bytes."""
    dec = decoder_for(encoding)
    out = bytearray()
    for piece in itertools.chain(dec.feed(data), dec.flush()):
        out += piece
        if len(out) > cap:
            raise ValueError(f"decompressed size exceeds {cap} bytes")
    return bytes(out)
