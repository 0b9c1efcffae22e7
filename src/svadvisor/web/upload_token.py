"""An uploaded pipeline sheet, carried in the result page as one signed hidden field, so
its downloads need no store on the server: nothing to clean up, nothing one officer could
see of another's, and a restart loses nothing. The signature (checked before anything is
decompressed) stops a changed field from passing itself off as the app's own; zlib keeps
a CSV's field far smaller than the file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

UPLOAD_FIELD = "upload"
TOKEN_OVERHEAD = 64 * 1024
"""Room, beyond the file itself, for the token's header and signature and the form's
other fields."""


class BadUpload(ValueError):
    """A field that is not one this app signed."""


@dataclass(frozen=True)
class Upload:
    """The file as the officer sent it, and what the batch needs to read it again."""

    name: str
    """The file's own name (no folders), shown escaped and used to name the downloads."""
    suffix: str
    """".csv" or ".xlsx": the saved copy's suffix, which picks the reader."""
    sheet: str | None
    """The workbook sheet the officer named, if any."""
    content: bytes


class _HeaderThenBytes:
    """The signed payload: a JSON header line, then the file's bytes as they are (JSON
    would need them in base64, which zlib could then barely shrink)."""

    @staticmethod
    def dumps(obj: Any) -> bytes:
        header, content = obj if isinstance(obj, tuple) else (obj, b"")  # itsdangerous tries {}
        return json.dumps(header).encode("utf-8") + b"\n" + bytes(content)

    @staticmethod
    def loads(payload: bytes) -> tuple[Any, bytes]:
        header, _, content = payload.partition(b"\n")
        return json.loads(header), content


class UploadCodec:
    """Turns an Upload into a URL-safe, compressed, signed token and back."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeSerializer(
            secret, salt="svadvisor-pipeline-upload", serializer=_HeaderThenBytes
        )

    def dumps(self, upload: Upload) -> str:
        header = {"n": upload.name, "x": upload.suffix, "s": upload.sheet}
        token: str | bytes = self._signer.dumps((header, upload.content))
        return token.decode("ascii") if isinstance(token, bytes) else token

    def loads(self, token: object) -> Upload:
        """The upload in `token`; BadUpload when it is missing or was not signed here."""
        if not isinstance(token, str) or not token:
            raise BadUpload("the form did not carry the uploaded file")
        try:
            header, content = self._signer.loads(token)
        except BadSignature:
            raise BadUpload("this form was not made by this svadvisor") from None
        name, suffix, sheet = (header.get(key) for key in ("n", "x", "s"))
        if not (isinstance(name, str) and isinstance(suffix, str)):
            raise BadUpload("this form was not made by this svadvisor")
        return Upload(name, suffix, sheet if isinstance(sheet, str) else None, content)


def token_limit(max_upload_bytes: int) -> int:
    """The largest token an upload within the limit can make: base64 takes 4 characters
    for 3 bytes, and zlib never grows a file by more than a few bytes in a thousand."""
    return max_upload_bytes * 4 // 3 + TOKEN_OVERHEAD
