"""Admin pages: passwords, CLI, login, throttling, cookies, sessions, CSRF
(SQLite and PostgreSQL)."""

import io
import ipaddress
import logging
import subprocess
import sys
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.admin import audit, auth, cli, sessions, users
from bot.admin.passwords import Passwords, WeakPassword, check_policy
from bot.core.admin_models import AdminSession, AdminUser, AuditEntry
from tests.support.admin import (
    ADMIN,
    ADMIN_PASSWORD,
    CHEAP_HASHER,
    READER,
    READER_PASSWORD,
    add_user,
    admin_client,
    login,
    origin,
    page_token,
    session_cookie,
)
from tests.support.declarations import ROOT

# The test client connects from 127.0.0.1: as if it were the reverse proxy.
PROXIES = (ipaddress.ip_network("127.0.0.0/8"),)


def audit_rows(store, action=None):
    with store.session() as session:
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            statement = statement.where(AuditEntry.action == action)
        return session.execute(statement).scalars().all()


def user_row(store, login_name):
    with store.session() as session:
        return session.execute(select(AdminUser).where(AdminUser.login == login_name)).scalars().one()


# --- Password policy and hashing ------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("Court-1!", "au moins 12 caractères"),
        ("motdepasse2024!", "trop courant"),
        ("Azertyuiop123", "trop courant"),
        ("soleilsoleilsoleil", "trop courant"),
        ("abcdefghijklmnop", "trop courant"),
        ("aaaaaaaaaaaaabbb", "caractères différents"),
        ("jean.dupont-Ma-Phrase", "identifiant"),
        ("x" * 1025, "dépasser"),
    ],
)
def test_policy_refuses_weak_passwords_in_french(password, message):
    with pytest.raises(WeakPassword, match=message):
        check_policy(password, "jean.dupont")


def test_policy_accepts_a_long_passphrase():
    check_policy("Le chat dort sur la box", "jean.dupont")


def test_default_hash_is_argon2id_and_verifies():
    passwords = Passwords()
    stored = passwords.hash(ADMIN_PASSWORD)
    assert stored.startswith("$argon2id$") and ADMIN_PASSWORD not in stored
    assert passwords.verify(stored, ADMIN_PASSWORD) == (True, None)
    assert passwords.verify(stored, ADMIN_PASSWORD + "x") == (False, None)
    assert passwords.verify(None, ADMIN_PASSWORD) == (False, None)
    assert passwords.verify("pas un hash", ADMIN_PASSWORD) == (False, None)


def test_a_hash_with_old_parameters_is_replaced_at_login(store, clock):
    add_user(store, ADMIN, ADMIN_PASSWORD, "administrateur", clock)
    old_hash = user_row(store, ADMIN).password_hash
    result = auth.authenticate(store, Passwords(PasswordHasher()), clock(), ADMIN, ADMIN_PASSWORD, "1.2.3.4")
    assert result.outcome == auth.OK
    new_hash = user_row(store, ADMIN).password_hash
    assert new_hash != old_hash
    assert not PasswordHasher().check_needs_rehash(new_hash)
    assert CHEAP_HASHER.check_needs_rehash(new_hash)


# --- CLI ------------------------------------------------------------------------


def run_cli(store, *args, stdin=""):
    out = io.StringIO()
    code = cli.main(["--database-url", store.url, "users", *args], stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def test_cli_adds_lists_changes_and_disables_users(store, capsys):
    code, out = run_cli(
        store, "add", "Chef.Garde", "--role", "administrateur", "--password-stdin", stdin="Une phrase assez longue\n"
    )
    assert code == 0 and "« chef.garde » créé" in out
    assert run_cli(store, "add", "lea", "--password-stdin", stdin="Autre phrase assez longue\n")[0] == 0
    code, out = run_cli(store, "list")
    assert "chef.garde" in out and "administrateur" in out and "lea" in out and "lecteur" in out
    assert run_cli(store, "set-role", "lea", "administrateur")[0] == 0
    assert user_row(store, "lea").role == "administrateur"
    assert run_cli(store, "disable", "lea")[0] == 0
    assert user_row(store, "lea").active is False
    assert run_cli(store, "enable", "lea")[0] == 0
    assert user_row(store, "lea").active is True
    stored = user_row(store, "chef.garde").password_hash
    assert stored.startswith("$argon2id$") and "Une phrase" not in stored
    actions = [(row.login, row.action, row.target) for row in audit_rows(store)]
    assert actions == [
        (audit.CLI_ACTOR, audit.USER_CREATED, "chef.garde"),
        (audit.CLI_ACTOR, audit.USER_CREATED, "lea"),
        (audit.CLI_ACTOR, audit.USER_ROLE_CHANGED, "lea"),
        (audit.CLI_ACTOR, audit.USER_DISABLED, "lea"),
        (audit.CLI_ACTOR, audit.USER_ENABLED, "lea"),
    ]


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add", "bob", "--password-stdin"], "motdepasse123\n", "trop courant"),
        (["add", "bob", "--password-stdin"], "court\n", "12 caractères"),
        (["add", "Bob Martin", "--password-stdin"], "Une phrase assez longue\n", "Identifiant invalide"),
        (["disable", "personne"], "", "Aucun utilisateur"),
    ],
)
def test_cli_refuses_in_french(store, capsys, args, stdin, message):
    code, _ = run_cli(store, *args, stdin=stdin)
    assert code == 1
    assert message in capsys.readouterr().err
    assert users.list_users(store) == []


def test_cli_refuses_a_duplicate_and_the_last_administrator(store, capsys):
    run_cli(store, "add", "chef", "--role", "administrateur", "--password-stdin", stdin="Une phrase assez longue\n")
    assert run_cli(store, "add", "chef", "--password-stdin", stdin="Une autre phrase longue\n")[0] == 1
    assert "déjà utilisé" in capsys.readouterr().err
    assert run_cli(store, "disable", "chef")[0] == 1
    assert "dernier administrateur" in capsys.readouterr().err
    assert run_cli(store, "set-role", "chef", "lecteur")[0] == 1
    assert user_row(store, "chef").role == "administrateur" and user_row(store, "chef").active


def test_cli_asks_the_password_twice_with_getpass(store, monkeypatch, capsys):
    answers = iter(["Une phrase assez longue", "Une phrase assez longue", "Phrase numéro un ok", "Phrase deux"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run_cli(store, "add", "chef")[0] == 0
    assert run_cli(store, "add", "autre")[0] == 1
    assert "différents" in capsys.readouterr().err
    assert [row.login for row in users.list_users(store)] == ["chef"]


def test_cli_runs_as_a_module(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "bot.admin", "--database-url", url, "users", "add", "chef", "--password-stdin"],
        cwd=ROOT,
        input="Une phrase assez longue\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "bot.admin", "--database-url", url, "users", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "chef" in listed.stdout and "lecteur" in listed.stdout


# --- Login ----------------------------------------------------------------------


async def test_login_opens_a_session(store, clock, accounts):
    async with admin_client(store, clock) as client:
        response = await login(client, ADMIN, ADMIN_PASSWORD)
        assert response.status == 303
        assert response.headers["Location"] == "/admin/declarations"
        page = await client.get("/admin/declarations")
        assert page.status == 200
        assert f"Connecté en tant que <strong>{ADMIN}</strong>" in await page.text()
    [entry] = audit_rows(store, audit.LOGIN)
    assert (entry.login, entry.ip, entry.at) == (ADMIN, "127.0.0.1", clock())
    assert user_row(store, ADMIN).last_login_at == clock()


async def test_login_failure_does_not_say_whether_the_login_exists(store, clock, accounts):
    async with admin_client(store, clock) as client:
        wrong_password = await login(client, ADMIN, "Pas le bon mot de passe")
        unknown_login = await login(client, "inconnu", "Pas le bon mot de passe")
        for response in (wrong_password, unknown_login):
            assert response.status == 401
            assert "Identifiant ou mot de passe incorrect." in await response.text()
        assert session_cookie(client) is None
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 303
    motives = [(row.login, row.details["motif"]) for row in audit_rows(store, audit.LOGIN_FAILED)]
    assert motives == [(ADMIN, "mot_de_passe_incorrect"), ("inconnu", "identifiant_inconnu")]


class CountingHasher(PasswordHasher):
    """CHEAP_HASHER's parameters, recording what each verification was against."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


async def test_unknown_and_disabled_logins_still_cost_a_hash_verification(store, clock, accounts):
    hasher = CountingHasher()
    users.disable(store, clock(), READER, actor="test", ip=None)
    async with admin_client(store, clock, password_hasher=hasher) as client:
        await login(client, "inconnu", READER_PASSWORD)
        await login(client, READER, READER_PASSWORD)
        await login(client, ADMIN, ADMIN_PASSWORD)
    dummy, disabled, known = hasher.verified
    assert dummy == disabled and dummy.startswith("$argon2id$")
    assert user_row(store, READER).password_hash != dummy
    assert known == user_row(store, ADMIN).password_hash
    assert [row.login for row in audit_rows(store, audit.LOGIN)] == [ADMIN]


async def test_after_five_failures_each_attempt_waits_longer_and_then_the_right_password_passes(store, clock, accounts):
    async with admin_client(store, clock) as client:
        for _ in range(auth.FREE_FAILURES_PER_PAIR):
            assert (await login(client, ADMIN, "Mauvais mot de passe")).status == 401
        throttled = await login(client, ADMIN, ADMIN_PASSWORD)
        assert throttled.status == 429 and throttled.headers["Retry-After"] == "30"
        assert "veuillez patienter 30 secondes" in await throttled.text()
        assert session_cookie(client) is None
        # Refused attempts while waiting never lengthen the wait (a hard lock did, found in an attack run).
        for _ in range(10):
            clock.advance(seconds=2)
            assert (await login(client, ADMIN, ADMIN_PASSWORD)).status == 429
        clock.advance(seconds=11)
        assert (await login(client, ADMIN, "Toujours faux")).status == 401
        assert (await login(client, ADMIN, ADMIN_PASSWORD)).headers["Retry-After"] == "60"
        clock.advance(seconds=60)
        assert (await login(client, ADMIN, ADMIN_PASSWORD)).status == 303
    delayed = audit_rows(store, audit.LOGIN_DELAYED)
    assert len(delayed) == 12 and all(row.login == ADMIN for row in delayed)


async def test_failures_from_another_address_never_delay_the_owner(store, clock, accounts):
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    async with admin_client(store, clock, trusted_proxies=PROXIES) as client:
        for _ in range(3 * auth.FREE_FAILURES_PER_PAIR):
            await login(client, ADMIN, "Mauvais mot de passe", headers={**origin(client), **attacker})
        assert (await login(client, ADMIN, ADMIN_PASSWORD, headers={**origin(client), **attacker})).status == 429
        owner = {**origin(client), "X-Forwarded-For": "198.51.100.7"}
        assert (await login(client, ADMIN, ADMIN_PASSWORD, headers=owner)).status == 303
    addresses = {row.ip for row in audit_rows(store, audit.LOGIN_FAILED)}
    assert addresses == {"203.0.113.66"}


async def test_unknown_logins_are_delayed_like_known_ones(store, clock, accounts):
    async with admin_client(store, clock) as client:
        for _ in range(auth.FREE_FAILURES_PER_PAIR):
            await login(client, "personne", "Mauvais mot de passe")
        assert (await login(client, "personne", "Mauvais mot de passe")).status == 429


async def test_many_logins_tried_from_one_address_delay_that_address(store, clock, accounts):
    async with admin_client(store, clock) as client:
        for number in range(auth.FREE_FAILURES_PER_ADDRESS):
            await login(client, f"essai{number}", "Mauvais mot de passe")
        assert (await login(client, READER, READER_PASSWORD)).status == 429
        clock.advance(seconds=31)
        assert (await login(client, READER, READER_PASSWORD)).status == 303


@pytest.mark.parametrize(
    "remote_is_proxy, forwarded, expected",
    [
        (False, "198.51.100.7", "127.0.0.1"),  # not from a trusted proxy: the header is anyone's
        (True, "198.51.100.7", "198.51.100.7"),
        (True, "10.9.9.9, 198.51.100.7", "198.51.100.7"),  # the client wrote the start
        (True, "198.51.100.7, 127.0.0.2", "198.51.100.7"),  # a second trusted proxy appended itself
        (True, "pas une adresse", "127.0.0.1"),
        (True, None, "127.0.0.1"),
    ],
)
async def test_the_client_address_comes_from_a_trusted_proxy_only(
    store, clock, accounts, remote_is_proxy, forwarded, expected
):
    proxies = PROXIES if remote_is_proxy else (ipaddress.ip_network("10.0.0.0/8"),)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with admin_client(store, clock, trusted_proxies=proxies) as client:
        await login(client, ADMIN, "Mauvais mot de passe", headers={**origin(client), **headers})
    [entry] = audit_rows(store, audit.LOGIN_FAILED)
    assert entry.ip == expected


@pytest.mark.parametrize("secure", [True, False])
async def test_cookie_flags(store, clock, accounts, secure):
    async with admin_client(store, clock, secure_cookies=secure) as client:
        page = await client.get("/admin/connexion")
        token = page.cookies[auth.cookie_name(auth.LOGIN_CSRF_COOKIE, secure)].value
        response = await client.post(
            "/admin/connexion",
            data={"csrf": token, "login": ADMIN, "password": ADMIN_PASSWORD},
            headers={**origin(client), "Cookie": f"{auth.cookie_name(auth.LOGIN_CSRF_COOKIE, secure)}={token}"},
            allow_redirects=False,
        )
        assert response.status == 303
        headers = response.headers.getall("Set-Cookie")
    name = "__Secure-vigie_admin" if secure else "vigie_admin"
    [raw] = [header for header in headers if header.startswith(f"{name}=")]
    cookie = SimpleCookie(raw)[name]
    assert len(cookie.value) >= 43
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/admin"
    assert bool(cookie["secure"]) is secure
    with store.session() as session:
        [stored] = session.execute(select(AdminSession)).scalars().all()
    assert stored.token_hash == sessions.token_hash(cookie.value) and cookie.value not in stored.token_hash


async def test_session_id_is_rotated_at_login(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        first = session_cookie(client)
        client.session.cookie_jar.update_cookies({auth.LOGIN_CSRF_COOKIE: "jeton-connu"})
        again = await client.post(
            "/admin/connexion",
            headers=origin(client),
            allow_redirects=False,
            data={"csrf": "jeton-connu", "login": ADMIN, "password": ADMIN_PASSWORD},
        )
        assert again.status == 303
        second = session_cookie(client)
        assert second and second != first
        assert (await client.get("/admin/declarations")).status == 200
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({"vigie_admin": first})
        replay = await client.get("/admin/declarations", allow_redirects=False)
        assert replay.status == 303 and replay.headers["Location"] == "/admin/connexion"


async def test_a_logged_in_user_visiting_the_login_page_goes_to_the_list(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get("/admin/connexion", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/admin/declarations"


# --- Session expiry and revocation ----------------------------------------------------


async def test_idle_timeout(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        for _ in range(3):
            clock.advance(minutes=29)
            assert (await client.get("/admin/declarations", allow_redirects=False)).status == 200
        clock.advance(minutes=30)
        response = await client.get("/admin/declarations", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/admin/connexion?motif=expiree"
        page = await client.get(response.headers["Location"])
        assert "Votre session a expiré" in await page.text()


async def test_absolute_lifetime(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        end = clock() + sessions.LIFETIME
        while clock() + timedelta(minutes=20) < end:
            clock.advance(minutes=20)
            assert (await client.get("/admin/declarations", allow_redirects=False)).status == 200
        clock.now = end
        response = await client.get("/admin/declarations", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/admin/connexion?motif=expiree"


async def test_logout_revokes_the_session(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        token = session_cookie(client)
        response = await client.post(
            "/admin/deconnexion", data={"csrf": await page_token(client)}, headers=origin(client), allow_redirects=False
        )
        assert response.status == 303
        assert response.headers["Location"] == "/admin/connexion?motif=deconnecte"
        assert session_cookie(client) is None
        client.session.cookie_jar.update_cookies({"vigie_admin": token})
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 303
    with store.session() as session:
        [row] = session.execute(select(AdminSession)).scalars().all()
    assert row.revoked_at == clock()
    assert [row.login for row in audit_rows(store, audit.LOGOUT)] == [READER]


async def test_disabling_a_user_revokes_their_sessions(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 200
        users.disable(store, clock(), READER, actor="test", ip=None)
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 303
        users.enable(store, clock(), READER, actor="test", ip=None)
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 303


# --- CSRF -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, headers",
    [
        (None, "same"),
        ("faux-jeton", "same"),
        ("right", {"Origin": "http://evil.example"}),
        ("right", {"Referer": "http://evil.example/page"}),
        ("right", {"Sec-Fetch-Site": "cross-site", "Origin": "null"}),
        ("right", {}),
        ("right", {"Origin": "null"}),
    ],
)
async def test_csrf_failures_are_403_and_change_nothing(store, clock, accounts, token, headers):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        right = await page_token(client, "/admin/utilisateurs")
        data = {
            "login": "nouveau",
            "role": "lecteur",
            "password": "Une phrase assez longue",
            "password_confirm": "Une phrase assez longue",
        }
        if token is not None:
            data["csrf"] = right if token == "right" else token
        sent_headers = origin(client) if headers == "same" else headers
        response = await client.post("/admin/utilisateurs", data=data, headers=sent_headers, allow_redirects=False)
        assert response.status == 403
        assert "vérification de sécurité du formulaire a échoué" in await response.text()
        logout = await client.post("/admin/deconnexion", data={"csrf": "faux"}, headers=origin(client))
        assert logout.status == 403
        assert (await client.get("/admin/declarations", allow_redirects=False)).status == 200
    assert users.get_user(store, "nouveau") is None
    assert [row.target for row in audit_rows(store, audit.USER_CREATED)] == [ADMIN, READER]


async def test_a_browser_post_under_no_referrer_passes_on_fetch_metadata(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        response = await client.post(
            "/admin/deconnexion",
            data={"csrf": await page_token(client)},
            headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
        )
        assert response.status == 303


@pytest.mark.parametrize("field", [None, "autre-jeton"])
async def test_the_login_form_needs_its_csrf_token(store, clock, accounts, field):
    async with admin_client(store, clock) as client:
        await client.get("/admin/connexion")
        data = {"login": ADMIN, "password": ADMIN_PASSWORD}
        if field:
            data["csrf"] = field
        response = await client.post("/admin/connexion", data=data, headers=origin(client), allow_redirects=False)
        assert response.status == 403
        assert session_cookie(client) is None
    assert audit_rows(store, audit.LOGIN) == []


async def test_the_login_form_checks_the_origin(store, clock, accounts):
    async with admin_client(store, clock) as client:
        response = await login(client, ADMIN, ADMIN_PASSWORD, headers={"Origin": "https://evil.example"})
        assert response.status == 403
        assert session_cookie(client) is None


# --- Logs -------------------------------------------------------------------------


async def test_logs_hold_no_password_nor_session_id(store, clock, accounts, caplog):
    caplog.set_level(logging.DEBUG)
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, "Mauvais mot de passe secret")
        await login(client, ADMIN, ADMIN_PASSWORD)
        token = session_cookie(client)
        await client.get("/admin/declarations")
        await client.get("/admin/journal")
    text = caplog.text
    assert ADMIN_PASSWORD not in text and "Mauvais mot de passe secret" not in text and token not in text
