"""A widget change's run is seen however its messages reach the page.

On a busy machine the browser can fall behind the server: the messages of a whole
script run (``new_session``, the elements, ``script_finished``) wait in the page's task
queue and are handled back to back, and React draws the page once. ``stApp``'s
``data-test-script-state`` then goes from ``notRunning`` to ``notRunning``: it never
shows the run. The browser tests once counted runs from that attribute and took such a
run for a change the page had dropped (about one suite run in ten, more under load).

Here the page holds back every message of the run that follows a view change until the
server has finished it, then hands them all over in one task, as a busy page does; the
run must still be counted, the view drawn, and the attribute must indeed never have
shown ``running``.
"""

from __future__ import annotations

from playwright.sync_api import WebSocket, expect

from tests.browser.conftest import StreamlitPage

#: Installed after the run counts: while ``window.__holdRun`` is set, the messages of
#: Streamlit's stream are kept from every listener of the page; ``window.__releaseRun()``
#: dispatches them again, one after the other, in one task. Each value that
#: ``data-test-script-state`` takes is recorded in ``window.__scriptStates``.
HOLD_RUN = """(() => {
  window.__scriptStates = [];
  new MutationObserver((records) => {
    for (const r of records) {
      window.__scriptStates.push(r.target.getAttribute('data-test-script-state'));
    }
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ['data-test-script-state']});
  const Counted = window.WebSocket;
  window.WebSocket = class extends Counted {
    constructor(url, protocols) {
      super(url, protocols);
      const held = [];
      // the first listener of the socket: it sees each message before any other does
      EventTarget.prototype.addEventListener.call(this, 'message', (event) => {
        if (event.replayed || !window.__holdRun) return;
        event.stopImmediatePropagation();
        held.push(event.data);
      });
      window.__releaseRun = () => {
        window.__holdRun = false;
        for (const data of held.splice(0)) {
          const replay = new MessageEvent('message', {data});
          replay.replayed = true;
          this.dispatchEvent(replay);
        }
      };
    }
  };
})()"""


def _run_finished(payload: str | bytes) -> bool:
    """Whether a frame the server sent ends a run (a ``script_finished`` not followed by
    the rerun it stopped for)."""
    # deferred: Streamlit's protocol modules import streamlit itself
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    message = ForwardMsg()
    message.ParseFromString(payload)
    return bool(message.WhichOneof("type") == "script_finished"
                and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN)


def test_a_run_whose_messages_arrive_together_is_counted(
        streamlit_server: str, st_page: StreamlitPage) -> None:
    page = st_page.page
    page.add_init_script(HOLD_RUN)
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    st_page.open(streamlit_server)
    stream = next(ws for ws in sockets if ws.url.endswith("/_stcore/stream"))
    page.evaluate("() => { window.__scriptStates = []; window.__holdRun = true; }")
    radio = page.get_by_test_id("stButtonGroup").get_by_role("radio", name="Cost", exact=True)

    with st_page.rerun():  # fails unless the run is counted
        with stream.expect_event("framereceived", predicate=_run_finished):
            radio.click()
        page.evaluate("() => window.__releaseRun()")

    assert "running" not in page.evaluate("() => window.__scriptStates"), \
        "the page drew the run as running: its messages did not arrive together"
    expect(radio).to_have_attribute("aria-checked", "true")
    assert "view=cost" in page.url
    st_page.assert_healthy()
