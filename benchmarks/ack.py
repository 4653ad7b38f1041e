"""Section 1: ack latency over real HTTP, Touchbase next to a bare Bolt app; and section 5's serving memory.

Section 5's serving figure comes from a fresh `touchbase serve` of its own, put under the
same four kinds of request mixed together, 8 concurrent senders, for 10,000 requests:
its peak RSS (VmHWM) after 1,000 and after 10,000 requests should be the same.

Both apps run as subprocesses on waitress (8 threads), talking to one in-process FakeSlack.
Requests are built and signed exactly as Slack sends them (tests/slack_requests.py,
tests/modal_submit.py); only the HTTP round trip is timed: connect, send, read the full
answer (which Bolt sends when the listener calls ack()). Each request opens its own
connection, as a request from Slack would.

Four kinds: `/log` quick text naming an existing contact, the log modal's submission
(view_submission), `/interactions`, and a button press (show_contact). Each is measured
sequentially and with 8 concurrent senders, on Touchbase then on the bare app, turn by
turn; before each turn the server that ran last is left to finish its post-ack work (its
CPU time stops moving), so neither app's backlog lands on the other's figures.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.answer import Sent, answer_rows, answer_times, response_key, token, trigger_key
from benchmarks.common import DATA_DIR, Row, log, summary_ms
from benchmarks.serving import SIGNING_SECRET, Server, bare_server, touchbase_server
from blocks import ids
from blocks.metadata import encode_metadata
from blocks.modals import LogPrefill, log_modal
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.modal_submit import submission
from tests.slack_requests import FORM, SlackSender, form_body, payload_body, signed_headers

KINDS = ("/log quick", "modal submit", "/interactions", "button")
CONCURRENCY = 8
USER = "UBENCH1"
USER_TZ = "America/Los_Angeles"  # FakeSlack's default users.info zone
CONTACT_NAME = "Ada Lovelace"  # unique in the data set: /log resolves it for certain
P99_ABSOLUTE_MS = 100.0
P99_RATIO = 1.3


@dataclass
class Target:
    name: str
    server: Server
    team_id: str


class RequestFactory:
    """Signed request bodies for each kind, built before the clock starts."""

    def __init__(self, base_url: str, team_id: str, contact_id: int, fake: FakeSlack) -> None:
        self.sender = SlackSender(
            base_url, SIGNING_SECRET, team_id=team_id, user_id=USER, response_url_base=fake.url
        )
        self.contact_id = contact_id
        self.views = itertools.count(1)
        self.lock = threading.Lock()
        metadata = encode_metadata({"channel": "C111", "tz": USER_TZ})
        self.modal = log_modal(LogPrefill(), private_metadata=metadata)

    def body(self, kind: str) -> bytes:
        return self.keyed(kind)[0]

    def keyed(self, kind: str) -> tuple[bytes, str | None]:
        """The body, and what identifies its answer at the fake Slack (see benchmarks/answer.py)."""
        with self.lock:  # SlackSender's counters are shared; keep bodies distinct under threads
            if kind == "/log quick":
                fields = self.sender.command_fields(
                    "/log", f"{CONTACT_NAME} call yesterday 3pm 30m pricing follow-up"
                )
                return form_body(fields), None  # the ack body is the answer
            if kind == "/interactions":
                fields = self.sender.command_fields("/interactions", "")
                return form_body(fields), trigger_key(fields["trigger_id"])
            if kind == "button":
                payload = self.sender.block_actions_payload(
                    [
                        {
                            "action_id": ids.ACTION_SHOW_CONTACT,
                            "value": str(self.contact_id),
                            "text": {"type": "plain_text", "text": CONTACT_NAME},
                        }
                    ],
                    message={"text": "Several contacts match", "blocks": []},
                )
                return payload_body(payload), response_key(payload.get("response_url"))
            if kind == "modal submit":
                yesterday = (datetime.now(ZoneInfo(USER_TZ)) - timedelta(days=1)).date().isoformat()
                n = next(self.views)
                view = submission(
                    self.modal,
                    view_id=f"VBENCH{n:07d}",
                    contact=str(self.contact_id),
                    type="meeting",
                    date=yesterday,
                    time="15:00",
                    duration="30",
                    summary=f"Quarterly review {token(n)}",  # the confirmation repeats it
                    notes="Benchmark submission",
                )
                return payload_body(self.sender.view_submission_payload(view)), token(n)
        raise ValueError(kind)


def post_once(port: int, body: bytes) -> tuple[float, int]:
    """One signed POST on a fresh connection; (seconds to the full answer, HTTP status)."""
    headers = signed_headers(body, SIGNING_SECRET, content_type=FORM)
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return time.perf_counter() - started, status


def run_batch(
    port: int,
    factory: RequestFactory,
    kinds: list[str],
    concurrency: int,
    sent: list[Sent] | None = None,
) -> tuple[list[float], list[int]]:
    """Send `kinds` (one request each) with `concurrency` senders; latencies and statuses.

    With `sent`, each request is also noted there (send time, ack, the key of its answer)."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    queue = iter(kinds)
    queue_lock = threading.Lock()

    def worker():
        while True:
            with queue_lock:
                kind = next(queue, None)
            if kind is None:
                return
            body, key = factory.keyed(kind)
            started = time.monotonic()
            try:
                seconds, status = post_once(port, body)
            except OSError:
                seconds, status = float("nan"), 0
            with lock:
                latencies.append(seconds)
                statuses.append(status)
                if sent is not None:
                    sent.append(Sent(kind, started, seconds, status, key))

    if concurrency == 1:
        worker()
    else:
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return latencies, statuses


def seed_database(path: str, *, contacts: int, interactions: int) -> tuple[str, int]:
    """A small team's SQLite file: the loader's data plus the contact /log names."""
    from benchmarks.loader import MAIN_TEAM, Spec, generate, load_sqlite

    data = generate(
        Spec(
            contacts=contacts,
            interactions=interactions,
            now=datetime.now(UTC),
            owners=8,
            authors=6,
            heavy_contacts=3,
        )
    )
    report = load_sqlite(path, data)
    db = Database(report.url)
    try:
        ada = create_contact(
            db,
            Actor(MAIN_TEAM, USER),
            ContactDraft(name=CONTACT_NAME, company="Analytical Engines"),
            now=datetime.now(UTC),
        )
    finally:
        db.dispose()
    return report.url, ada.id


@dataclass
class AckResult:
    rows: list[Row]
    database_url: str
    contact_id: int
    bare_hwm_kib: int | None


def prepare_database(*, contacts: int, interactions: int) -> tuple[str, int]:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (DATA_DIR / f"ack.db{suffix}").unlink(missing_ok=True)
    return seed_database(str(DATA_DIR / "ack.db"), contacts=contacts, interactions=interactions)


def seed_postgres(url: str, *, contacts: int, interactions: int) -> int:
    """The same small team in an (empty) PostgreSQL database; returns the /log contact's id."""
    from benchmarks.loader import MAIN_TEAM, Spec, generate, load_postgres

    spec = Spec(
        contacts=contacts,
        interactions=interactions,
        now=datetime.now(UTC),
        owners=8,
        authors=6,
        heavy_contacts=3,
    )
    load_postgres(url, generate(spec))
    db = Database(url)
    try:
        draft = ContactDraft(name=CONTACT_NAME, company="Analytical Engines")
        return create_contact(db, Actor(MAIN_TEAM, USER), draft, now=spec.now).id
    finally:
        db.dispose()


def run_ack_section(
    *,
    requests_per_mode: int,
    contacts: int,
    interactions: int,
    database_url: str | None = None,
    contact_id: int | None = None,
    workers: int = 1,
    label: str = "",
    on_progress: Callable[[str], None] = log,
) -> AckResult:
    """Touchbase and the bare app in turns. Default: a fresh SQLite file, one process;
    with `database_url` (e.g. PostgreSQL) and `workers`, `touchbase serve --workers N` on it."""
    from benchmarks.loader import MAIN_TEAM

    if database_url is None or contact_id is None:
        database_url, contact_id = prepare_database(contacts=contacts, interactions=interactions)
    url = database_url
    prefix = f"{label}: " if label else ""
    rows: list[Row] = []
    with FakeSlack(team_id=MAIN_TEAM) as fake:
        log_name = f"touchbase-serve-{workers}w-{url.split(':', 1)[0]}.log"
        touchbase = touchbase_server(url, fake.url, workers=workers, log_name=log_name).start()
        bare = bare_server(fake.url).start()
        try:
            targets = [Target("touchbase", touchbase, MAIN_TEAM), Target("bare", bare, MAIN_TEAM)]
            factories = {t.name: RequestFactory(t.server.url, t.team_id, contact_id, fake) for t in targets}
            failures: dict[tuple[str, str], int] = {}

            # Warm-up: first requests pay auth.test, users.info, imports and caches (every worker).
            for target in targets:
                for kind in KINDS:
                    run_batch(target.server.port, factories[target.name], [kind] * 5 * workers, 1)
                target.server.wait_idle()

            results: dict[tuple[str, str, str], list[float]] = {}
            answers: dict[tuple[str, str], tuple[list[float], int]] = {}  # (kind, mode) -> times, missing
            cpu: dict[tuple[str, str], list[float]] = {}  # (app, kind) -> [cpu seconds, requests]
            for mode, concurrency in (("sequential", 1), (f"{CONCURRENCY} concurrent", CONCURRENCY)):
                for kind in KINDS:
                    for target in targets:
                        on_progress(f"section 1: {prefix}{target.name} {kind} {mode} x{requests_per_mode}")
                        fake.clear()
                        sent: list[Sent] = []
                        cpu_before = target.server.cpu_seconds()
                        latencies, statuses = run_batch(
                            target.server.port,
                            factories[target.name],
                            [kind] * requests_per_mode,
                            concurrency,
                            sent,
                        )
                        bad = sum(1 for s in statuses if s != 200)
                        if bad:
                            failures[(target.name, f"{kind}, {mode}")] = bad
                        results[(target.name, kind, mode)] = latencies
                        target.server.wait_idle()
                        if target.name == "touchbase":
                            answers[(kind, mode)] = answer_times(sent, fake.calls())
                        spent = cpu.setdefault((target.name, kind), [0.0, 0])
                        spent[0] += target.server.cpu_seconds() - cpu_before
                        spent[1] += len(latencies)
            bare_hwm = bare.hwm_kib()
        finally:
            touchbase.stop()
            bare.stop()

    for mode in ("sequential", f"{CONCURRENCY} concurrent"):
        for kind in KINDS:
            mine = summary_ms(results[("touchbase", kind, mode)])
            floor = summary_ms(results[("bare", kind, mode)])
            for stat in ("p50", "p99", "max"):
                is_p99 = stat == "p99"
                rows.append(
                    Row(
                        "1",
                        f"{prefix}{kind}, {mode}: {stat}",
                        mine[stat],
                        "ms",
                        floor=floor[stat],
                        floor_name=f"bare Bolt app, same request, {stat}" if is_p99 else "",
                        limit=P99_RATIO if is_p99 else None,
                        absolute_max=P99_ABSOLUTE_MS if is_p99 else None,
                        note=f"n={mine['n']}" if is_p99 else "",
                    ).judge()
                )
    rows += answer_rows(results, answers, prefix=prefix, workers=workers, dialect=url.split(":", 1)[0])
    for kind in KINDS:
        mine_cpu, mine_n = cpu[("touchbase", kind)]
        bare_cpu, bare_n = cpu[("bare", kind)]
        rows.append(
            Row(
                "1",
                f"{prefix}{kind}: server CPU per request",
                mine_cpu / max(mine_n, 1) * 1000,
                "ms",
                floor=bare_cpu / max(bare_n, 1) * 1000,
                floor_name="bare Bolt app, same requests",
                note="diagnostic: process CPU (user+sys, workers included) incl. the work after the ack, "
                "both modes",
            ).judge()
        )
    mine_bad = sum(n for (app, _), n in failures.items() if app == "touchbase")
    bare_bad = sum(n for (app, _), n in failures.items() if app == "bare")
    rows.append(
        Row(
            "1",
            f"{prefix}non-200 answers (touchbase; floor: bare)",
            mine_bad,
            "requests",
            floor=bare_bad,
            expect=0,
            note="; ".join(f"{app} {what}: {n}" for (app, what), n in failures.items()) or "none",
        ).judge()
    )
    return AckResult(rows, url, contact_id, bare_hwm)


@dataclass
class ServingMemory:
    curve: list[tuple[int, int | None]]  # (requests so far, VmHWM KiB) after each batch
    failures: dict[str, int]  # kind -> non-200 answers
    latencies: dict[str, list[float]]  # kind -> ack seconds under the sustained mix
    bare_hwm_kib: int | None = None

    def at(self, requests: int) -> tuple[int, int | None]:
        """The first reading taken at or after `requests` requests."""
        return next(((n, kib) for n, kib in self.curve if n >= requests), self.curve[-1])


def run_serving_memory(
    *,
    database_url: str | None,
    contact_id: int | None,
    total: int,
    batch: int,
    contacts: int,
    interactions: int,
    log_name: str = "touchbase-serve-memory.log",
    on_progress: Callable[[str], None] = log,
) -> ServingMemory:
    """A fresh `touchbase serve` under the section-1 mix (8 concurrent senders); VmHWM after each batch."""
    from benchmarks.loader import MAIN_TEAM

    if database_url is None or contact_id is None:
        database_url, contact_id = prepare_database(contacts=contacts, interactions=interactions)
    mix = list(KINDS)
    memory = ServingMemory(curve=[], failures={}, latencies={kind: [] for kind in KINDS})
    with FakeSlack(team_id=MAIN_TEAM) as fake:
        server = touchbase_server(database_url, fake.url, log_name=log_name).start()
        try:
            factory = RequestFactory(server.url, MAIN_TEAM, contact_id, fake)
            sent = 0
            while sent < total:
                size = min(batch, total - sent)
                on_progress(
                    f"section 5: touchbase serve ({database_url.split(':', 1)[0]}) under the mix, "
                    f"requests {sent:,} -> {sent + size:,}"
                )
                kinds = [mix[(sent + i) % len(mix)] for i in range(size)]
                latencies, statuses, sent_kinds = _run_mixed(server.port, factory, kinds)
                for kind, seconds, status in zip(sent_kinds, latencies, statuses, strict=True):
                    memory.latencies[kind].append(seconds)
                    if status != 200:
                        memory.failures[kind] = memory.failures.get(kind, 0) + 1
                sent += size
                server.wait_idle(timeout=300)
                memory.curve.append((sent, server.hwm_kib()))
        finally:
            server.stop()
    return memory


def _run_mixed(
    port: int, factory: RequestFactory, kinds: list[str]
) -> tuple[list[float], list[int], list[str]]:
    """Like run_batch, but remembers which kind each answer was for."""
    latencies: list[float] = []
    statuses: list[int] = []
    sent_kinds: list[str] = []
    lock = threading.Lock()
    queue = iter(kinds)

    def worker():
        while True:
            with lock:
                kind = next(queue, None)
            if kind is None:
                return
            body = factory.body(kind)
            try:
                seconds, status = post_once(port, body)
            except OSError:
                seconds, status = float("nan"), 0
            with lock:
                latencies.append(seconds)
                statuses.append(status)
                sent_kinds.append(kind)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, sent_kinds
