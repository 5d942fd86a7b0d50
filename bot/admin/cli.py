"""Manage the admin pages' users from the command line.

    python -m bot.admin users add <login> [--role lecteur|administrateur] [--password-stdin]
    python -m bot.admin users list
    python -m bot.admin users disable <login>
    python -m bot.admin users enable <login>
    python -m bot.admin users set-role <login> <role>

The database is DATABASE_URL (or --database-url), migrated first. The password
is asked twice with getpass, or read from the first line of stdin with
--password-stdin; it is never an argument (it would show in the process list
and the shell history).
"""

import argparse
import getpass
import sys
from typing import List, Optional, TextIO

from bot.admin import audit, users
from bot.admin.display import datetime_short
from bot.admin.passwords import Passwords, WeakPassword
from bot.core.admin_models import ROLES
from bot.core.paris_time import utc_now
from bot.core.storage import DeclarationStore


class CliError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.admin", description="Utilisateurs des pages d'administration.")
    parser.add_argument("--database-url", help="base de données (par défaut : DATABASE_URL)")
    groups = parser.add_subparsers(dest="group", required=True)
    commands = groups.add_parser("users", help="gérer les utilisateurs").add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="créer un utilisateur")
    add.add_argument("login")
    add.add_argument("--role", choices=ROLES, default="lecteur")
    add.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    commands.add_parser("list", help="lister les utilisateurs")
    for name, text in (
        ("disable", "désactiver un utilisateur (ferme ses sessions)"),
        ("enable", "réactiver un utilisateur"),
    ):
        commands.add_parser(name, help=text).add_argument("login")
    set_role = commands.add_parser("set-role", help="changer le rôle d'un utilisateur")
    set_role.add_argument("login")
    set_role.add_argument("role", choices=ROLES)
    return parser


def _read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != password:
        raise CliError("Les deux mots de passe saisis sont différents.")
    return password


def _list(store, out: TextIO) -> None:
    rows = users.list_users(store)
    if not rows:
        print("Aucun utilisateur.", file=out)
        return
    print(f"{'identifiant':<24} {'rôle':<15} {'état':<10} {'créé le':<17} dernière connexion", file=out)
    for row in rows:
        state = "actif" if row.active else "désactivé"
        print(
            f"{row.login:<24} {row.role:<15} {state:<10} {datetime_short(row.created_at):<17} "
            f"{datetime_short(row.last_login_at)}",
            file=out,
        )


def _run(args: argparse.Namespace, store, stdin: TextIO, out: TextIO) -> None:
    kwargs = {"actor": audit.CLI_ACTOR, "ip": None}
    if args.command == "list":
        _list(store, out)
    elif args.command == "add":
        password = _read_password(args.password_stdin, stdin)
        created = users.create_user(store, Passwords(), utc_now(), args.login, password, args.role, **kwargs)
        print(f"Utilisateur « {created.login} » créé avec le rôle {created.role}.", file=out)
    elif args.command == "disable":
        changed = users.disable(store, utc_now(), args.login, **kwargs)
        print(f"Utilisateur « {changed.login} » désactivé ; ses sessions sont fermées.", file=out)
    elif args.command == "enable":
        changed = users.enable(store, utc_now(), args.login, **kwargs)
        print(f"Utilisateur « {changed.login} » réactivé.", file=out)
    elif args.command == "set-role":
        changed = users.set_role(store, utc_now(), args.login, args.role, **kwargs)
        print(f"Rôle de « {changed.login} » : {changed.role}.", file=out)


def main(argv: Optional[List[str]] = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    store = DeclarationStore(args.database_url)
    try:
        store.migrate()
        _run(args, store, stdin, out)
    except (CliError, users.UserError, WeakPassword) as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    return 0
