"""Attacks on a real ``nextround serve``, and what each one now gets.

One server is started for this module, with ``--max-sessions 3``, so the
burst test can reach the limit and the throttle test can lock its own
address out without touching the other browser tests' server. The tests
run in file order: the last one reads the whole log of the session, which
by then holds refused hosts, refused origins, wrong tokens and throttled
logins.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import websocket
from browser_harness import eventually, start_server, stop_server

MAX_SESSIONS = 3


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    served = start_server(db=None, temp_dir=tmp_path_factory.mktemp("guarded"),
                          label="security", extra=["--max-sessions", str(MAX_SESSIONS)])
    yield served
    stop_server(served)


def request(port: int, path: str, *, method: str = "GET", token: str | None = None,
            headers: dict[str, str] | None = None, body: bytes | None = None,
            timeout: float = 120) -> tuple[int, dict[str, str], str]:
    """One HTTP request, headers exactly as given (Host included)."""
    sent = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if token:
        sent["Authorization"] = f"token {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def page_kernel(served) -> tuple[int, str]:
    """Load the app with the token; its status and the kernel id it was given."""
    status, _headers, html = request(served.port, "/", token=served.token)
    found = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    return status, found.group(1) if found else ""


def shut_down(served, kernel_id: str) -> int:
    return request(served.port, f"/voila/api/shutdown/{kernel_id}", method="POST",
                   token=served.token, body=b"")[0]


def server_processes(served) -> list[int]:
    """The server and every process it started (kernels), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, changed = {served.process.pid}, True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                changed = True
    return sorted(family)


def is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- 1: the token, Host and Origin ------------------------------------------------


def test_without_the_token_there_is_no_app(guarded):
    status, headers, body = request(guarded.port, "/")
    assert status == 302 and "/login" in headers["location"]
    assert "jupyter-config-data" not in body
    status, _, body = request(guarded.port, f"/api/kernels/{uuid.uuid4()}")
    assert status == 403
    status, _, body = request(guarded.port, "/?token=wrong-token-0123456789")
    assert status == 302 and "jupyter-config-data" not in body


def test_a_valid_token_logs_in_and_leaves_the_address(guarded):
    status, headers, _ = request(guarded.port, f"/?token={guarded.token}&client=abc123")
    assert status == 302
    assert headers["location"] == "/?client=abc123"
    assert "set-cookie" in headers


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "192.168.1.20:{port}"])
def test_a_foreign_host_gets_403_even_with_the_token(guarded, host):
    """DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1."""
    headers = {"Host": host.format(port=guarded.port)}
    for path in ("/", "/voila/templates/nextround/static/nextround.css",
                 f"/api/kernels/{uuid.uuid4()}", "/login"):
        status, _, body = request(guarded.port, path, token=guarded.token, headers=headers)
        assert status == 403, (path, status)
        assert "jupyter-config-data" not in body


def test_a_foreign_origin_gets_403_even_with_the_token(guarded):
    status, _, _ = request(guarded.port, "/", token=guarded.token,
                           headers={"Origin": "http://evil.example"})
    assert status == 403
    status, kernel_id = page_kernel(guarded)
    assert status == 200 and kernel_id
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(
                f"ws://127.0.0.1:{guarded.port}/api/kernels/{kernel_id}/channels",
                header=[f"Authorization: token {guarded.token}"],
                origin="http://evil.example", timeout=30)
        assert refused.value.status_code == 403
    finally:
        assert shut_down(guarded, kernel_id) == 204


def test_loopback_names_work(guarded):
    status, _, _ = request(guarded.port, "/voila/templates/nextround/static/nextround.css",
                           headers={"Host": f"localhost:{guarded.port}"})
    assert status == 200


# --- 2: bounded kernels -----------------------------------------------------------


def test_a_burst_of_30_loads_never_holds_more_than_the_limit(guarded, capsys):
    peak = {"kernels": 0, "rss": 0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            family = server_processes(guarded)
            kernels = [pid for pid in family if is_kernel(pid)]
            if len(kernels) >= peak["kernels"]:
                peak["kernels"] = len(kernels)
                peak["rss"] = max(peak["rss"], sum(rss_bytes(pid) for pid in family))
            time.sleep(0.05)

    results: list[tuple[int, str, float]] = []

    def load() -> None:
        started = time.monotonic()
        status, _, html = request(guarded.port, "/", token=guarded.token, timeout=180)
        found = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
        results.append((status, found.group(1) if found else html, time.monotonic() - started))

    watcher = threading.Thread(target=watch)
    watcher.start()
    loaders = [threading.Thread(target=load) for _ in range(30)]
    for thread in loaders:
        thread.start()
    for thread in loaders:
        thread.join(240)
    stop.set()
    watcher.join()

    served = [kernel for status, kernel, _ in results if status == 200]
    busy = [text for status, text, _ in results if status == 503]
    try:
        assert len(results) == 30
        assert sorted({status for status, _, _ in results}) == [200, 503]
        assert 1 <= len(served) <= MAX_SESSIONS
        assert peak["kernels"] <= MAX_SESSIONS
        assert all("NextRound is busy" in text for text in busy)
        slowest_busy = max(seconds for status, _, seconds in results if status == 503)
        with capsys.disabled():
            print(f"\nburst of 30: {len(served)} served, {len(busy)} told busy "
                  f"(slowest busy answer {slowest_busy:.2f} s); peak {peak['kernels']} "
                  f"kernels, server and kernels {peak['rss'] / 2**20:.0f} MiB resident")
    finally:
        for kernel_id in served:
            shut_down(guarded, kernel_id)
    # Closed pages free their places: the app answers again.
    status, kernel_id = eventually(lambda: page_kernel(guarded), lambda r: r[0] == 200,
                                   timeout=120, what="a page after the burst")
    assert shut_down(guarded, kernel_id) == 204


# --- 4: /voila/query --------------------------------------------------------------


def test_voila_query_gives_an_unauthenticated_listener_nothing(guarded):
    status, kernel_id = page_kernel(guarded)
    assert status == 200
    try:
        for headers in ([], [f"Authorization: token {guarded.token}"],
                        ["X-NextRound-Kernel-Proof: " + "0" * 64]):
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                websocket.create_connection(
                    f"ws://127.0.0.1:{guarded.port}/voila/query/{kernel_id}",
                    header=headers, timeout=30)
            assert refused.value.status_code == 403
    finally:
        shut_down(guarded, kernel_id)


def test_the_page_still_gets_its_own_query(guarded):
    """The pre-heated kernel proves itself and receives ``?client=``."""
    from nextround.app import LAST_CLIENT
    from nextround.store import Store

    with Store(guarded.db) as store:
        clients = store.list_clients()
        target = clients[-1]
        store.set_setting(LAST_CLIENT, clients[0].id)
    status, _, html = request(guarded.port, f"/?client={target.id}", token=guarded.token)
    kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html).group(1)
    try:
        assert status == 200
        with Store(guarded.db) as store:
            eventually(lambda: store.get_setting(LAST_CLIENT), lambda v: v == target.id,
                       what="the client named in the address to be opened")
    finally:
        shut_down(guarded, kernel_id)


# --- 5: no tracebacks to the browser ----------------------------------------------


def kernel_message(msg_type: str, content: dict, session: str, channel: str) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "t",
                       "session": session, "date": datetime.now(UTC).isoformat(),
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "buffers": [],
            "channel": channel}


def test_a_bad_comm_open_sends_no_traceback_to_the_browser(guarded):
    status, kernel_id = page_kernel(guarded)
    assert status == 200
    session = uuid.uuid4().hex
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{guarded.port}/api/kernels/{kernel_id}/channels?session_id={session}",
        header=[f"Authorization: token {guarded.token}"], timeout=30)
    received: list[str] = []
    try:
        for target, module in (("jupyter.widget", "no_such_module_for_nextround"),
                               ("no.such.target", None)):
            content = {"comm_id": uuid.uuid4().hex, "target_name": target, "data": {}}
            if module:
                content["target_module"] = module
            ws.send(json.dumps(kernel_message("comm_open", content, session, "shell")))
        probe = kernel_message("kernel_info_request", {}, session, "shell")
        ws.send(json.dumps(probe))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = ws.recv()
            received.append(text if isinstance(text, str) else text.decode("utf-8", "replace"))
            if probe["header"]["msg_id"] in received[-1] and "kernel_info_reply" in received[-1]:
                break
        ws.settimeout(3)
        try:
            while True:
                text = ws.recv()
                received.append(text if isinstance(text, str) else
                                text.decode("utf-8", "replace"))
        except websocket.WebSocketTimeoutException:
            pass
    finally:
        ws.close()
        shut_down(guarded, kernel_id)
    everything = "\n".join(received)
    assert "kernel_info_reply" in everything
    for leak in ("Traceback", "site-packages", "Exception opening comm", "no.such.target",
                 str(Path.home()), 'File \\"/'):
        assert leak not in everything, leak
    # The server's log has what the browser was spared.
    assert eventually(guarded.log_text,
                      lambda log: "Exception opening comm with target" in log
                      and "No such comm target registered: no.such.target" in log,
                      what="the kernel's errors in the server log")


# --- 3: no secret in a log or the process list --------------------------------------


def test_the_token_is_in_no_command_line_and_no_kernel(guarded):
    token = guarded.token.encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                assert token not in (entry / "cmdline").read_bytes(), entry.name
            except OSError:
                continue
    status, kernel_id = page_kernel(guarded)
    assert status == 200
    try:
        kernels = [pid for pid in server_processes(guarded) if is_kernel(pid)]
        assert kernels
        for pid in kernels:
            assert token not in Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        shut_down(guarded, kernel_id)


# --- 1: throttled logins (locks 127.0.0.1 out: keep it late) ------------------------


def test_wrong_tokens_are_throttled(guarded):
    from nextround.serve_guard import MAX_FAILURES

    statuses = [request(guarded.port, f"/?token=wrong-guess-{n:04d}-0123456789")[0]
                for n in range(MAX_FAILURES + 2)]
    # (One wrong token was offered earlier in this module, within the window.)
    assert 429 in statuses, statuses
    locked_from = statuses.index(429)
    assert MAX_FAILURES - 1 <= locked_from <= MAX_FAILURES, statuses
    assert set(statuses[:locked_from]) == {302}
    assert set(statuses[locked_from:]) == {429}
    # While locked out, even the right token is not checked.
    assert request(guarded.port, f"/?token={guarded.token}")[0] == 429
    # A page already logged in (by cookie) is not affected; nor are requests
    # that do not try to log in.
    assert request(guarded.port, "/voila/templates/nextround/static/nextround.css")[0] == 200


def test_the_whole_session_log_holds_no_token(guarded):
    stop_server(guarded)
    log = guarded.log_text()
    # The session had failures of every kind...
    assert re.search(r"\b403 GET ", log) and re.search(r"\b429 GET ", log)
    assert "Refused a request for another site's name" in log
    # ...and the token appears in none of it.
    assert log.count(guarded.token) == 0
    # Refusals and the busy page are answered plainly, never by a failing handler.
    # (The one traceback in the log is the kernel's comm error, kept from the browser.)
    assert "Uncaught exception" not in log
    assert "never retrieved" not in log
