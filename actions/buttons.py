"""Buttons offered under more than one question."""

# "Je ne sais pas" under a question: the form notes the field as not known and goes on.
DONT_KNOW = {"title": "Je ne sais pas", "payload": "/dont_know"}
