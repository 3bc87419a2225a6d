"""Writing WARC records in tests without leaking warcio's temporary files."""

from __future__ import annotations

from typing import Any


def write_record(writer: Any, *args: Any, **kwargs: Any) -> None:
    """``writer.write_record(writer.create_warc_record(...))``, then close the record's stream: warcio spools
    the digested payload to a temporary file it never closes (a ResourceWarning, an error under the
    test suite's ``filterwarnings = ["error"]``)."""
    record = writer.create_warc_record(*args, **kwargs)
    writer.write_record(record)
    record.raw_stream.close()
