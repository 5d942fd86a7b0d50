"""Password policy and argon2id hashing.

Hashes are argon2id (``argon2.PasswordHasher``); a hash made with older
parameters is replaced at the next successful login (``Passwords.verify``).
Unknown logins are checked against a dummy hash so that they cost as much time
as known ones.
"""

import secrets
import unicodedata
from typing import Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 5

# Frequent passwords and words of the domain; a candidate is refused when, lower-cased,
# without accents and with digits and symbols stripped from its ends, it is one of them
# or repeats one of them.
WEAK_WORDS = frozenset(
    """
password motdepasse motdepass mdp azerty azertyuiop qwerty qwertyuiop abc abcdef
abcdefghijkl admin administrateur administrator root superuser utilisateur user
bonjour bonsoir salut soleil doudou chouchou loulou tresor jetaime amour coucou
marseille paris lyon toulouse france liberte vigie sante hopital clinique
ehpad cert certsante ars anssi cnil secret secure securite bienvenue welcome
changeme changezmoi test testtest demo login connexion iloveyou football
dragon monkey letmein master sunshine princess chocolat
""".split()
)
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
)


class WeakPassword(ValueError):
    """The message is French and meant for the person choosing the password."""


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _core(text: str) -> str:
    """Lower-cased, unaccented, without the digits and symbols around it."""
    plain = _plain(text)
    return plain.strip("0123456789!?.,;:-_+*/=@#$%&'\"()[]{}<>~^ ")


def _is_repetition(core: str) -> bool:
    return any(core == word * (len(core) // len(word)) for word in WEAK_WORDS if len(core) % len(word) == 0)


def _is_sequence(text: str) -> bool:
    plain = _plain(text)
    return any(plain in seq or plain in seq[::-1] for seq in SEQUENCES)


def check_policy(password: str, login: Optional[str] = None) -> None:
    """Raise ``WeakPassword`` with a French message when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Le mot de passe doit comporter au moins {MIN_LENGTH} caractères.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Le mot de passe ne doit pas dépasser {MAX_LENGTH} caractères.")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassword(f"Le mot de passe doit comporter au moins {MIN_DISTINCT_CHARACTERS} caractères différents.")
    core = _core(password)
    if not core or core in WEAK_WORDS or _is_repetition(core) or _is_sequence(password):
        raise WeakPassword(
            "Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un autre, "
            "par exemple une phrase de plusieurs mots."
        )
    if login and len(login) >= 3 and _plain(login) in _plain(password):
        raise WeakPassword("Le mot de passe ne doit pas contenir l'identifiant.")


class Passwords:
    """Hash and verify; ``hasher`` defaults to argon2-cffi's recommended parameters."""

    def __init__(self, hasher: Optional[PasswordHasher] = None):
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: Optional[str], password: str) -> Tuple[bool, Optional[str]]:
        """(matches, new hash to store if the parameters changed, else None).

        ``stored_hash`` None (unknown or disabled login) verifies against the dummy
        hash and always fails."""
        try:
            self.hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False, None
        if stored_hash is None:
            return False, None
        if self.hasher.check_needs_rehash(stored_hash):
            return True, self.hasher.hash(password)
        return True, None
