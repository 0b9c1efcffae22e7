"""What every page handler needs: the rule pack and case library (loaded once, shared
read-only), the settings, the page renderer, the answer-state codec, the CSRF check and
the codec that carries a pipeline upload in its result page."""

from __future__ import annotations

from dataclasses import dataclass

from svadvisor.cases.matching import CaseLibrary
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.pages import Pages
from svadvisor.web.security import Csrf
from svadvisor.web.settings import WebSettings
from svadvisor.web.state import StateCodec
from svadvisor.web.upload_token import UploadCodec


@dataclass(frozen=True)
class WebContext:
    pack: RulePack
    library: CaseLibrary | None
    """The case library, or None when the built-in one does not fit a council's pack."""
    settings: WebSettings
    pages: Pages
    codec: StateCodec
    csrf: Csrf
    uploads: UploadCodec
