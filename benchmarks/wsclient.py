"""A Streamlit client that speaks the browser's own websocket protocol, without a browser.

It connects to ws://127.0.0.1:PORT/_stcore/stream, sends BackMsg `rerun_script` protos (the
page to run and the widget values, exactly as the frontend does) and reads ForwardMsg protos
until `script_finished`, collecting the elements the run drew. One client is one browser tab
(one Streamlit session). Used by benchmarks/load.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
# A run that ends early for a rerun (st.rerun, a widget callback) is followed by the real run.
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class Element:
    kind: str  # the proto's oneof name: heading, markdown, alert, button, selectbox, ...
    proto: object

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "")

    @property
    def text(self) -> str:
        for name in ("body", "label"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str) and value:
                return value
        return ""


@dataclass
class Run:
    """What one script run drew, and how long the server took to send it all."""

    seconds: float
    elements: list[Element] = field(default_factory=list)
    bytes: int = 0  # ForwardMsg bytes the server sent for the run
    page_not_found: bool = False

    def of(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    def texts(self, kind: str) -> list[str]:
        return [e.text for e in self.of(kind)]

    @property
    def exceptions(self) -> list[str]:
        return [f"{e.proto.type}: {e.proto.message}" for e in self.of("exception")]

    def widget(self, *, key: str | None = None, label: str | None = None, kind: str | None = None):
        """The first widget whose user key or label matches (and of `kind`, if given)."""
        for e in self.elements:
            if kind and e.kind != kind:
                continue
            if key is not None and e.id.endswith("-" + key):
                return e
            if label is not None and e.text == label:
                return e
        return None

    def has_text(self, fragment: str) -> bool:
        return any(fragment in e.text for e in self.elements)


class StreamlitClient:
    """One Streamlit session over the websocket (what one browser tab is to the server)."""

    def __init__(self, ws_url: str, headers: dict[str, str] | None = None, timeout: float = 120):
        self.timeout = timeout
        self.ws = connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers=headers or {},
            max_size=None,
            open_timeout=timeout,
            proxy=None,  # loopback only, whatever the environment says
        )

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> StreamlitClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, page: str = "", widgets: list[WidgetState] = ()) -> Run:
        """Ask the server to run `page` (its URL path, "" for the default) with these widget
        values, and wait for the run to finish."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_name = page
        state.widget_states.widgets.extend(widgets)
        started = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        run = Run(0.0)
        while True:
            fwd = ForwardMsg()
            data = self.ws.recv(timeout=self.timeout)
            run.bytes += len(data)
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                name = element.WhichOneof("type")
                run.elements.append(Element(name, getattr(element, name)))
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                if fwd.script_finished in DONE:
                    run.seconds = time.perf_counter() - started
                    return run
                if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    run.elements.clear()  # the next run redraws the page

    def click(self, page: str, button) -> Run:
        """Click a button (or a form's submit button) on `page`."""
        return self.run(page, [WidgetState(id=button.id, trigger_value=True)])


def trigger(element) -> WidgetState:
    return WidgetState(id=element.id, trigger_value=True)


def choose(element, option: str) -> WidgetState:
    """A selectbox's value: the option's label as shown (Streamlit sends the formatted text)."""
    return WidgetState(id=element.id, string_value=option)
