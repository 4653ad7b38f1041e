"""Distribution to many workspaces: install, state, per-workspace tokens, rotation, uninstall, purge."""

from __future__ import annotations

import html
import http.client
import logging
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml
from sqlalchemy import text
from waitress.server import create_server

from bot.domain.records import Actor
from bot.oauth import BOT_SCOPES, TeamClients, build_store, token_cipher
from bot.server import build_wsgi
from bot.services.digests import run_digests
from bot.settings import Settings, SettingsError, load_settings
from bot.slack import build_client
from bot.tokens import generate_key
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from storage.interactions import InteractionDraft, create_interaction
from tests.app_harness import SIGNING_SECRET
from tests.serving import ROOT, clean_env
from tests.slack_requests import SlackSender

KEY = generate_key()


def oauth_settings(db_url: str, fake, *, key: str | None = KEY) -> Settings:
    return Settings(
        slack_bot_token=None,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=None,
        database_url=db_url,
        slack_api_url=fake.url,
        log_level="INFO",
        port=0,
        slack_client_id=fake.client_id,
        slack_client_secret=fake.client_secret,
        token_key=key,
    )


class OAuthApp:
    """The app in OAuth mode served by waitress on 127.0.0.1 (as `touchbase serve` builds it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.served = build_wsgi(settings, server_threads=8, scheduler_threads=0)
        self.server = create_server(
            self.served.wsgi, host="127.0.0.1", port=0, threads=8, asyncore_loop_timeout=0.05
        )
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.closing = False

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            if not self.closing:
                raise

    def __enter__(self) -> OAuthApp:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing = True
        self.server.close()
        self.thread.join(timeout=5)
        self.served.db.dispose()

    @property
    def store(self):
        return self.served.app.installation_store

    def get(self, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def start_install(self) -> str:
        """GET /slack/install: the state, from the cookie it set and the authorize link it shows."""
        status, headers, body = self.get("/slack/install")
        assert status in (200, 302), body
        cookie = headers["set-cookie"]
        assert cookie.startswith("slack-app-oauth-state=") and "HttpOnly" in cookie
        state = cookie.split(";")[0].split("=", 1)[1]
        link = headers.get("location") or html.unescape(body.split('<a href="', 1)[1].split('"', 1)[0])
        query = parse_qs(urlsplit(link).query)
        assert query["state"] == [state]
        assert query["client_id"] == [self.settings.slack_client_id]
        assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
        return state

    def callback(self, code: str, state: str, *, cookie_state: str | None = None) -> tuple[int, str]:
        cookie = f"slack-app-oauth-state={cookie_state or state}" if cookie_state != "" else None
        status, _, body = self.get(
            "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}), cookie
        )
        return status, body

    def install(self, team_id: str) -> None:
        status, body = self.callback(f"code-{team_id}", self.start_install())
        assert status == 200, body

    def sender(self, team_id: str, fake) -> SlackSender:
        return SlackSender(self.url, SIGNING_SECRET, team_id=team_id, response_url_base=fake.url)


@pytest.fixture
def oauth_app(db_url, fake_slack):
    with OAuthApp(oauth_settings(db_url, fake_slack)) as served:
        yield served


def bot_rows(db_url: str, team_id: str) -> list[dict]:
    db = Database(db_url)
    try:
        with db.read() as session:
            return [
                dict(r)
                for r in session.execute(
                    text("SELECT * FROM slack_bots WHERE team_id = :t"), {"t": team_id}
                ).mappings()
            ]
    finally:
        db.dispose()


def bearer(call) -> str:
    return call.headers["authorization"].removeprefix("Bearer ")


# --- settings --------------------------------------------------------------------------------------


def test_bot_scopes_are_the_manifests():
    manifest = yaml.safe_load((ROOT / "app.manifest.yaml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )


def test_oauth_settings_are_checked():
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"}
    settings = load_settings(env)
    assert settings.oauth and settings.require_slack() is settings
    # A bot token means single-workspace mode, unchanged.
    assert not load_settings({**env, "SLACK_BOT_TOKEN": "xoxb-1"}).oauth
    with pytest.raises(SettingsError, match="SLACK_CLIENT_SECRET is required"):
        load_settings({"SLACK_CLIENT_ID": "1.2"})
    with pytest.raises(SettingsError, match="TOUCHBASE_TOKEN_KEY must be a Fernet key"):
        load_settings({**env, "TOUCHBASE_TOKEN_KEY": "short"})
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is required"):
        load_settings({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}).require_slack()


def test_a_missing_token_key_is_warned_about(caplog, fake_slack, sqlite_template):
    with caplog.at_level(logging.WARNING, logger="touchbase.oauth"):
        token_cipher(oauth_settings(sqlite_template.fresh_url(), fake_slack, key=None))
    assert "TOUCHBASE_TOKEN_KEY is not set" in caplog.text


# --- install ---------------------------------------------------------------------------------------


def test_install_exchanges_the_code_and_keeps_the_token_encrypted(oauth_app, fake_slack, db_url):
    oauth_app.install("T222")
    [exchange] = fake_slack.calls("oauth.v2.access")
    assert exchange.args["code"] == "code-T222"
    [row] = bot_rows(db_url, "T222")
    assert row["bot_token"].startswith("gAAAAA") and "xoxb" not in row["bot_token"]
    bot = oauth_app.store.find_bot(enterprise_id=None, team_id="T222")
    assert bot.bot_token == "xoxb-T222-1" and bot.bot_user_id == "UBOT"


def test_forged_or_replayed_state_is_refused(oauth_app, fake_slack, db_url):
    state = oauth_app.start_install()
    assert oauth_app.callback("code-T222", state)[0] == 200
    # The same redirect again (a replay): the state was consumed.
    assert oauth_app.callback("code-T222", state)[0] == 401
    # A state the app never issued, even with a matching cookie.
    assert oauth_app.callback("code-T333", "forged-state", cookie_state="forged-state")[0] == 401
    # A real state from another browser (no cookie, or another cookie).
    fresh = oauth_app.start_install()
    assert oauth_app.callback("code-T333", fresh, cookie_state="")[0] == 400
    assert oauth_app.callback("code-T333", fresh, cookie_state="other")[0] == 400
    assert len(fake_slack.calls("oauth.v2.access")) == 1
    assert bot_rows(db_url, "T333") == []


def test_two_workspaces_are_each_answered_with_their_own_token(oauth_app, fake_slack):
    oauth_app.install("T222")
    oauth_app.install("T333")
    tokens = {}
    for team_id in ("T222", "T333", "T222", "T333", "T222"):
        fake_slack.clear()
        status, _, _ = oauth_app.sender(team_id, fake_slack).command("/log", "")
        assert status == 200
        [opened] = fake_slack.wait_for("views.open")
        tokens.setdefault(team_id, set()).add(bearer(opened))
    assert tokens == {"T222": {"xoxb-T222-1"}, "T333": {"xoxb-T333-2"}}
    # A workspace that never installed gets no answer made with anyone's token.
    fake_slack.clear()
    oauth_app.sender("T999", fake_slack).command("/log", "")
    assert fake_slack.calls("views.open") == []


def test_auth_test_runs_once_per_token_not_per_request(oauth_app, fake_slack):
    oauth_app.install("T222")
    fake_slack.clear()
    for _ in range(4):
        oauth_app.sender("T222", fake_slack).command("/log", "")
    fake_slack.wait_for("views.open", 4)
    assert len(fake_slack.calls("auth.test")) == 1


# --- rotation --------------------------------------------------------------------------------------


def _expire_soon(db_url: str, team_id: str, seconds: int) -> None:
    db = Database(db_url)
    try:
        moment = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(tzinfo=None)
        with db.write() as session:
            for table in ("slack_bots", "slack_installations"):
                session.execute(
                    text(f"UPDATE {table} SET bot_token_expires_at = :m WHERE team_id = :t"),
                    {"m": moment, "t": team_id},
                )
    finally:
        db.dispose()


def _refresh_calls(fake) -> list:
    return [c for c in fake.calls("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]


def test_a_rotated_token_is_refreshed_once_however_many_processes_ask(db_url, fake_slack):
    fake_slack.token_rotation = True
    with OAuthApp(oauth_settings(db_url, fake_slack)) as served:
        served.install("T222")
        first = served.store.find_bot(enterprise_id=None, team_id="T222")
        assert first.bot_token.startswith("xoxe.xoxb-") and first.bot_refresh_token
        _expire_soon(db_url, "T222", 60)

        # Two "processes" (own engines) with four threads each, all at once.
        settings = oauth_settings(db_url, fake_slack)
        databases = [Database(db_url) for _ in range(2)]
        refreshers = [build_store(settings, db, build_client(settings))[1] for db in databases]
        barrier = threading.Barrier(8)

        def refresh(i: int) -> str:
            barrier.wait()
            return refreshers[i % 2].refresh("T222").bot_token

        try:
            with ThreadPoolExecutor(8) as pool:
                tokens = set(pool.map(refresh, range(8)))
        finally:
            for db in databases:
                db.dispose()
        assert len(_refresh_calls(fake_slack)) == 1
        [new] = tokens
        assert new != first.bot_token and fake_slack.team_for_token(new) == "T222"
        assert served.store.find_bot(enterprise_id=None, team_id="T222").bot_token == new

        # A request meeting a token about to expire refreshes it first, then answers with it.
        _expire_soon(db_url, "T222", 120)
        fake_slack.clear()
        served.sender("T222", fake_slack).command("/log", "")
        [opened] = fake_slack.wait_for("views.open")
        assert len(_refresh_calls(fake_slack)) == 1
        assert bearer(opened) == served.store.find_bot(enterprise_id=None, team_id="T222").bot_token != new

        # The scheduled job refreshes what expires within two hours, and nothing else.
        served.install("T333")
        _expire_soon(db_url, "T333", 30 * 60)
        fake_slack.clear()
        assert served.store.refresher.refresh_expiring() == 1
        assert [c.args["refresh_token"].split("-")[2] for c in _refresh_calls(fake_slack)] == ["T333"]


# --- uninstall -------------------------------------------------------------------------------------


def test_app_uninstalled_and_tokens_revoked_drop_the_tokens(oauth_app, fake_slack, db_url):
    oauth_app.install("T222")
    oauth_app.install("T333")
    oauth_app.install("T444")
    status, _, _ = oauth_app.sender("T222", fake_slack).event({"type": "app_uninstalled"})
    assert status == 200
    fake_slack.revoke_team("T222")
    status, _, _ = oauth_app.sender("T444", fake_slack).event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    )
    assert status == 200
    assert bot_rows(db_url, "T222") == [] and bot_rows(db_url, "T444") == []
    assert oauth_app.store.find_installation(enterprise_id=None, team_id="T222") is None
    fake_slack.clear()
    oauth_app.sender("T222", fake_slack).command("/log", "")
    oauth_app.sender("T333", fake_slack).command("/log", "")
    [opened] = fake_slack.wait_for("views.open")
    assert bearer(opened) == "xoxb-T333-2"
    assert {bearer(c) for c in fake_slack.calls() if "authorization" in c.headers} <= {"xoxb-T333-2"}


# --- digests ---------------------------------------------------------------------------------------


def test_digests_go_to_every_installed_workspace_with_its_own_token(oauth_app, fake_slack, db_url):
    oauth_app.install("T222")
    oauth_app.install("T333")
    db = Database(db_url)
    try:
        for team_id in ("T222", "T333", "T999"):  # T999 has data but no installation
            create_contact(
                db,
                Actor(team_id, "U111"),
                ContactDraft(name=f"Stale {team_id}", owner_user_id="U111"),
                now=datetime.now(UTC),
            )
        settings = oauth_settings(db_url, fake_slack)
        clients = TeamClients(build_client(settings), *build_store(settings, db, build_client(settings)))
        assert clients("T999") is None
        fake_slack.clear()
        report = run_digests(
            db, clients, now=datetime.now(UTC) + timedelta(days=90), worker_id="t", force=True
        )
    finally:
        db.dispose()
    posts = fake_slack.calls("chat.postMessage")
    assert report.sent == 2 and len(posts) == 2
    assert {bearer(c) for c in posts} == {"xoxb-T222-1", "xoxb-T333-2"}


# --- purge -----------------------------------------------------------------------------------------


def _seed(db: Database, team_id: str) -> None:
    actor = Actor(team_id, "U111")
    contact = create_contact(db, actor, ContactDraft(name=f"Ada {team_id}"), now=datetime.now(UTC))
    create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact.id,
            type="call",
            occurred_at=datetime.now(UTC) - timedelta(days=1),
            summary="hi",
        ),
        now=datetime.now(UTC),
    )


def _team_rows(db: Database, team_id: str) -> dict[str, int]:
    counts = {}
    with db.read() as session:
        for table in ("contacts", "interactions", "workspaces", "slack_bots", "slack_installations"):
            counts[table] = session.execute(
                text(f"SELECT count(*) FROM {table} WHERE team_id = :t"), {"t": team_id}
            ).scalar()
    return counts


def test_workspace_purge_needs_yes_then_deletes_only_that_workspace(tmp_path, fake_slack):
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'purge.db'}"
    upgrade(url)
    with OAuthApp(oauth_settings(url, fake_slack)) as served:
        served.install("T222")
        served.install("T333")
    db = Database(url)
    try:
        _seed(db, "T222")
        _seed(db, "T333")
        before = _team_rows(db, "T222")
        assert all(before.values())

        def purge(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "bot", "workspace", "purge", *args],
                cwd=tmp_path,
                env=clean_env(DATABASE_URL=url),
                capture_output=True,
                text=True,
                timeout=60,
            )

        refused = purge("T222")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert refused.stdout.startswith("Would delete for T222: ")
        assert _team_rows(db, "T222") == before
        done = purge("T222", "--yes")
        assert done.returncode == 0, done.stderr
        assert "Purged T222" in done.stdout
        assert set(_team_rows(db, "T222").values()) == {0}
        assert all(_team_rows(db, "T333").values())
        assert purge("not-a-team", "--yes").returncode == 2
    finally:
        db.dispose()


def test_single_workspace_mode_has_no_install_pages(touchbase):
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(touchbase.url).port, timeout=5)
    connection.request("GET", "/slack/install")
    assert connection.getresponse().status == 404
    connection.close()
