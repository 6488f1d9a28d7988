"""Opening the dashboard in AppTest and reading its state as the views receive it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from calc.dashboard import APP
from calc.dashboard.compute import scenario as compute
from calc.dashboard.context import Context
from calc.dashboard.session import STATE_KEY

#: Seconds one run of the page may take in a test (a sampled view on a busy machine).
TIMEOUT_S = 120


def open_page(query: dict[str, str], upload: tuple[str, bytes] | None = None, *,
              errors: bool = False) -> AppTest:
    """The page a link with ``query`` opens (then ``upload``, a file name and its bytes),
    checked to hold no exception and, unless ``errors``, no error line."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params.update(query)
    at.run()
    if upload is not None:
        at.file_uploader(key="w:__upload").set_value((*upload, "application/x-yaml")).run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    if not errors:
        assert not at.error, [e.value for e in at.error]
    return at


def context_of(at: AppTest) -> Context:
    """The page's state as its views receive it (what the downloads are written from)."""
    s = at.session_state[STATE_KEY]
    result, baseline = compute.results(s.key)
    return Context(key=s.key, library=compute.library_for(s.upload), scenario=result.scenario,
                   result=result, baseline=baseline, phases=s.phases, settings=s.settings)
