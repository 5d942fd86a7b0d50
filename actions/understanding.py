"""Turn one user message into candidate values for the declaration's fields.

The NLU pipeline already found the facts (entities named after the spec's
fields, see bot/nlu/components.py). Here we add what depends on the
conversation: which question was pending, whether the message is the opening
one, what the words imply (a DPI holds health data...). The form's validation
action then checks every candidate.
"""

import re
from datetime import datetime, timedelta
from typing import AbstractSet, Any, Dict, Iterable, List, Optional, Tuple

from actions import structure, type_guess
from actions.contact import read_contact
from bot.core import fields as registry
from bot.core import schema
from bot.core.fields import Reading
from bot.core.paris_time import PARIS, said_without_hour
from bot.core.register_search import query_words
from bot.core.validators import InvalidValue, parse_count
from bot.nlu import lexicon
from bot.nlu.french_dates import find_dates
from bot.nlu.incident_facts import extract_facts
from bot.nlu.requests import explicit_request
from bot.nlu.text import fold, is_question

ANSWER_INTENTS = {"inform", "declare_incident", "affirm", "deny", "dont_know"}
# Requests about the conversation itself: never the answer to a text question, when NLU is sure.
REQUESTS = {"cancel", "resume_declaration", "go_back", "help", "greet", "thank", "goodbye", "ask_status"}
SURE_REQUEST = 0.8
# Questions answered with the message itself rather than with an entity.
FREE_TEXT_FIELDS = {f.name for f in registry.REGISTRY if f.reading in (Reading.FREE_TEXT, Reading.TEXT_ONLY)}
# Answers that describe what was done or why: their words ("un courriel piégé")
# are not facts about the incident's type or impacts.
TEXT_ONLY_FIELDS = {f.name for f in registry.REGISTRY if f.reading is Reading.TEXT_ONLY}
# Fields typed by the user that an entity may carry; the raw text is used otherwise,
# so that the validator can say precisely what is wrong with it.
RAW_TEXT_FIELDS = {f.name for f in registry.REGISTRY if f.reading is Reading.RAW_TEXT}
# Who declares, for which structure: once given, a name or function met in another answer is
# someone else's, unless the message corrects it.
IDENTITY_FIELDS = ("structure_name", "declarant_name", "declarant_role")
# Known, they change only when put right: "le labo de Monod passe en mode dégradé" told later is a unit
# of the hospital, not its type
KEPT_UNLESS_CORRECTED = (*IDENTITY_FIELDS, "structure_type", "region")
# "CHU" says the structure is an OSE where the structure is told (the opening, its name); later, a
# CHU named is another place, and only "nous sommes OSE" says it.
OSE_READ_AT = {None, "description", "structure_name", "is_ose", "confirmed"}
GHT_SUPPORT = re.compile(r"\bsupport\b|\bght\b|\bgroupement hospitalier\b")
OSE_SAID = re.compile(lexicon.OSE_ACRONYM + r"|operateur de services? essentiels?|\boiv\b|etablissement support")
# what a correction said while an establishment is offered never changes (the offer answers for them)
NOT_CORRECTED_AT_MATCH = {"description", "structure_name", "structure_type", "region", "finess", "detected_at"}
NOT_AT_NEWS = NOT_CORRECTED_AT_MATCH | {"is_ose"}
SENTENCE_START = re.compile(r"\W*(?:on|nous|j'|je|il|ils|elle|elles|ca|cela)\b")
# where the person works ("on est au Puy", "je suis à la MAS", "j'appelle de la clinique"), not a thing
# that "est coupé" nor "recevoir d'appels"
WORKPLACE = re.compile(
    r"\b(?:travaill\w*|bosse\w*|exerce\w*)\b|(?:\b(?:je|on|nous|vous|ici)\s+|\bc'\s*|\bc\s+)(?:suis|sommes|est|etes)\b"
    r"|\bs'appel\w*|\bappel\w* (?:de|du|des|depuis)\b"
)
NEWS_WORDS = 6
LONG_NEWS_WORDS = 12
NEWS_FACTS = {"incident_type", "care_impact", "patient_endangerment", "affected_systems", "perimeter", "data_impact"}
# Two words with a capital, as names are written ("Synlab Barla, Nice"; "mets un réveil" is not).
NAME_LIKE = re.compile(r"\b[A-ZÀ-Ý][\w'-]*\b.*\b[A-ZÀ-Ý][\w'-]*\b")
REQUEST_WORDS = re.compile(
    r"\b(?:j'annule|annuler|on annule|on arrete|laisse[zr]? tomber"
    r"|on reprend|je reprends|reprenons|reprendre la declaration|on continue|je continue|continuons)\b"
)
CARE_SYSTEMS = {"dpi", "pacs_ris", "laboratoire_sil", "prescription_pharmacie", "biomedical", "regulation_samu"}
MACHINE_SYSTEMS = {"poste_de_travail", "serveurs_infrastructure"}
HEALTH_DATA_SYSTEMS = {"dpi", "pacs_ris", "laboratoire_sil", "prescription_pharmacie"}
INTENT_ANSWERS = {
    "affirm": "oui",
    "deny": "non",
    "dont_know": "inconnu",
}
DENY_ANSWERS = {"care_impact": "aucun", "patient_endangerment": "aucune", "provider_involved": "non"}
# A complaint or a CNIL notification to come: planned, said, or put in the future. "Pas encore" alone
# is only not done, and a procedure "en cours" may be another one ("procédure disciplinaire en cours").
PLANNED = re.compile(
    r"\bprevu|\b(?:va|vais|vont|allons|ira|irai|iront|irons|doit|devons|veut|veulent)\s+(?:\w+\s+){0,2}?"
    r"(?:aller|faire|deposer|notifier|porter|declarer|prevenir|saisir|appeler|s'en (?:occuper|charger)"
    r"|a la (?:gendarmerie|police)|au commissariat)"
    r"|\b(?:sera|seront|deposera|deposerons|notifiera|fera|ferons|faudra)\b"
    r"|\b(?:plainte|notification|depot) (?:est )?en cours\b"
    r"|\bc'est en cours\b|\bbientot\b|\bdemain\b|\bplus tard\b|\bs'en (?:occupe|charge)\b|\ba faire\b"
    r"|\bcet? (?:apres-midi|apres midi|aprem|soir)\b|\bdans la (?:journee|matinee|semaine)\b|\bcette semaine\b"
    r"|\bprepare\w* (?:la |une )?notification|\bredige\w* (?:la |une )?notification"
)
# A choice's label said alone: followed by a stop, a comma, a colon… or nothing
LABEL_END = r"\s*(?:[.,;:!)\-]|$)"
# The fields whose "prévue" answers "not yet, but it will be"
PLANNABLE = {name for name, choices in schema.ENUM_FIELDS.items() if "prevue" in choices}
# Not done: "non, pas encore", "on a pas porté plainte", "pas de plainte"
LEADING_NO = re.compile(r"^\s*(?:non|nan)\b")
NOT_DONE = re.compile(
    r"^\s*(?:non|nan|pas encore)\b|\b(?:pas|jamais) (?:encore )?(?:porte|depose|notifie|prevenu|fait|de plainte)"
)
# The plan itself denied: "ce n'est pas prévu", "on ne va pas porter plainte"
NOT_PLANNED = re.compile(r"\bpas (?:encore )?prevu|\bne (?:va|vais|vont|allons) pas\b|\bpas que (?:ce|ca) soit prevu")
UNDECIDED = re.compile(r"\bpas (?:encore )?decide|\bsi (?:on|il) (?:doit|faut)\b")
# "Non, …" answers no, whatever comes after ("non, la direction décidera plus tard des suites"), unless
# a plan is set against it: "non, mais on va le faire", "non, c'est prévu cet après-midi"
NO_BUT_PLANNED = re.compile(r"\bmais\b|\bprevu")
# Words that answer a question when it is pending (not in the lexicon, which reads whole
# descriptions: "papier" alone says nothing there), by field, the strongest answer first.
CARE_ANSWERS = (
    (
        "interruption",
        re.compile(
            r"\b(?:arret\w*|interromp\w*|suspendu\w*|deprogramm\w*|transfer\w*|delestage|ferme\w*|reporte\w*|annule\w*)\b"
        ),
    ),
    (
        "mode_degrade",
        # what replaces the system: "des rondes à la place des appels", "par fax"
        re.compile(
            r"\b(?:degrad\w*|papier|ralenti\w*|a la main|manuel\w*|fiches?|classeurs?|secours"
            r"|a la place d\w*|au lieu d\w*|fax\w*)\b"
        ),
    ),
    (
        "aucun",
        re.compile(
            r"\b(?:normalement|comme d'habitude|rien ne change|rien de change|rien n'a change|pas d'(?:effet|impact)"
            r"|(?:continue|continuent|sont maintenue?s|est maintenue?)(?! (?:en|sur|avec|au|a la))"
            r")\b"
        ),
    ),
)
# The machines a perimeter counts: one ("un seul ordinateur", "ma boîte mail"), or several.
# Who works for the structure from outside it.
_PROVIDER_WORDS = r"editeur|prestataire|hebergeur|fournisseur|operateur|infogerant"
_MACHINE = r"(?:poste|pc|ordi(?:nateur)?|terminal|tablette|portable|telephone|smartphone|cle|machine|compte|boite)"
_MACHINES = (
    r"(?:postes|pcs|ordi(?:nateur)?s|terminaux|tablettes|portables|telephones|smartphones|cles|machines|comptes)"
)
_SEVERAL = r"(?:plusieurs|des|les|tous les|toutes les|quelques|nos|ses|deux|trois|quatre|cinq|six|dix|[2-9]|\d\d+)"
PERIMETER_ANSWERS = (
    (
        "ensemble_si",
        re.compile(
            r"\b(?:tout(?:e)? (?:le |la |l'|l |notre |nos )?(?:si|sih|systeme|informatique|reseau|site|ehpad|"
            r"etablissement|hopital|clinique|centre|structure|batiment|labo\w*)|l'ensemble|ensemble du)\b|^\s*tout\s*$"
        ),
    ),
    ("plusieurs_sites", re.compile(rf"\b(?:{_SEVERAL} (?:sites|etablissements)|plusieurs sites)\b")),
    (
        "site_internet",
        re.compile(r"\b(?:site (?:internet|web|vitrine)|portail|page d'accueil)|^\s*(?:le|notre) site\s*$"),
    ),
    (
        "prestataire",
        re.compile(
            rf"\b(?:chez (?:l'|l |le |la |notre |un |une )?(?:{_PROVIDER_WORDS})|prestataire)\b"
            r"|^\s*(?:l'|l |le |la |notre |un |une )?(?:editeur|hebergeur|infogerant)\b"
        ),
    ),
    ("plusieurs_serveurs", re.compile(r"\bserveurs\b")),
    ("serveur", re.compile(r"\bserveur\b")),
    ("plusieurs_postes", re.compile(rf"\b(?:{_SEVERAL} {_MACHINE}s?|{_MACHINES})\b")),
    # "juste moi", "que ma boîte": one person's machine or account
    ("poste", re.compile(rf"\b{_MACHINE}\b|^\W*(?:juste|seulement|que|uniquement) (?:moi|ma |mon )|\bmoi seule?\b")),
)
# Not over yet, said with a negation ("ce n'est pas fini", "ne marche toujours pas"): read before
# the words of an end, which it contains.
_STOPPED = r"(?:debranche|arrete|bloque|retire|supprime|enleve|efface|coupe|desactive|suspendu|desinstalle)"
_NOT_OVER = (
    r"\bpas (?:encore |tout a fait )?(?:fini|termine|repare|regle|resolu|revenue?s?)"
    # "le compte n'est pas encore désactivé", "personne n'a encore rien bloqué"
    rf"|\b(?:pas|rien) (?:encore |toujours |ete |encore ete )?{_STOPPED}"
    # "personne n'a encore réparé"
    r"|\b(?:n'a|n'ont|pas) (?:encore|toujours pas) (?:ete )?(?:repare|regle|corrige|remis)"
    r"|\btoujours pas\b|\ben train de\b|\b(?:cherche|travaille|attend)\w* encore\b|\brien n'a ete\b"
    r"|\bon (?:est|y est|travaille) (?:dessus|encore)\b|\btoujours (?:en cours|dessus|comme ca|pareil|en panne)\b"
)
# "C'est fini" answers "où en est le traitement ?"; in an account ("c'est fini, tout est chiffré")
# it says nothing of the kind.
HANDLING_ANSWERS = (
    ("en_cours", re.compile(_NOT_OVER)),
    (
        "resolu",
        re.compile(
            r"\b(?:c'?est|c|est|a ete|sont|ont ete) (?:fini|termine|regle|repare|resolu)e?s?\b"
            r"|\b(?:re)?tourne (?:de nouveau|a nouveau)\b"
        ),
    ),
    # contained, and watched: "mot de passe changé, ils surveillent", "c'est bon pour l'instant"; what
    # was done to stop it: "la publication a été retirée", "l'informatique a enlevé le boîtier"
    (
        "maitrise",
        re.compile(
            r"\b(?:contenu|isole\w*|stabilise\w*|surveill\w*|pour l'?\s?instant|c'?\s?est bon"
            rf"|{_STOPPED}(?:e|s|es)?|en quarantaine|hors (?:ligne|reseau)|sortie?s? du reseau)\b"
        ),
    ),
)
# To "d'origine malveillante ?": an accident, or an attack, in the person's words.
_ATTACK = r"(?:une |d'|d |de |un )?(?:attaque|malveill\w*|piratage|acte malveillant)"
ORIGIN_ANSWERS = (
    (
        "indeterminee",
        re.compile(r"\b(?:jsp|j'?sais pas|je ne sais pas|on ne sait pas|on sait pas) (?:encore )?si\b|\bindetermin\w*"),
    ),
    (
        "non_malveillante",
        re.compile(
            rf"\b(?:pas|rien de|non|ni) {_ATTACK}|\b(?:pense|crois) pas que ce soit {_ATTACK}"
            r"|\b(?:accident\w*|involontaire\w*|erreur\w*|panne\w*|bug\w*)\b"
        ),
    ),
    ("malveillante", re.compile(r"\b(?:malveill\w*|attaque\w*|pirat\w*|criminel\w*|volontaire\w*|hack\w*)\b")),
)
# To "un prestataire est-il concerné ?": none, or the one named.
_PROVIDER = rf"(?:{_PROVIDER_WORDS}|sous-traitant)s?"
PROVIDER_ANSWERS = (
    ("non", re.compile(rf"\b(?:pas d'|pas de|aucun|sans) {_PROVIDER}|\b(?:en interne|que nous)\b")),
    (
        "oui",
        re.compile(
            rf"\b{_PROVIDER}\b"
            r"|\b(?:informaticien|technicien|societe|entreprise|intervenant|maintenance)s? (?:exterieure?|externe)s?\b"
        ),
    ),
)
# To "des patients ont-ils été mis en danger ?": a risk without harm, or nobody.
ENDANGERMENT_ANSWERS = (
    ("potentielle", re.compile(r"\b(?:possible\w*|potenti\w*|risque\w*|aurai(?:t|ent) pu|pourrai\w*)\b")),
    (
        "aucune",
        re.compile(
            r"\b(?:personne n'a ete mise? en danger|pas a ce stade|(?:pas de|aucun) (?:danger|patient|risque))\b"
        ),
    ),
)
# "Public", "une pharmacie" answer "quel type de structure ?" (a pharmacy, a health centre or a
# practice is none of the spec's kinds of establishment: "autre"); elsewhere they name no structure.
STRUCTURE_ANSWERS = (
    (
        "etablissement_sante_prive_non_lucratif",
        re.compile(
            r"^\s*(?:c'est )?(?:un |une )?(?:etablissement |structure )?(?:privee? )?"
            r"(?:a but |a caractere )?non lucrati|\bespic\b|\bprivee? d'interet collectif"
        ),
    ),
    (
        "etablissement_sante_public",
        re.compile(r"^\s*(?:c'est )?(?:un |une )?(?:(?:etablissement |structure )?publi(?:c|que)|eps)\b"),
    ),
    (
        "etablissement_sante_prive",
        re.compile(
            r"^\s*(?:c'est )?(?:un |une )?(?:etablissement |structure )?privee?\b"
            r"(?! (?:a but |a caractere )?non lucrati| d'interet collectif)"
        ),
    ),
    ("autre", re.compile(r"\b(?:pharmacie|officine|cabinet|efs)\b")),
)
ANSWER_CUES = {
    "care_impact": CARE_ANSWERS,
    "perimeter": PERIMETER_ANSWERS,
    "handling_status": HANDLING_ANSWERS,
    "structure_type": STRUCTURE_ANSWERS,
    "origin": ORIGIN_ANSWERS,
    "provider_involved": PROVIDER_ANSWERS,
    "patient_endangerment": ENDANGERMENT_ANSWERS,
}
# what makes "serveur" an application's: "de résultats", "des images", "TPS", "biomédicaux", not "de fichiers"
_SERVER_OF = (
    r"\s+(?:de |du |des |d')?(?:resultats?|images?|applications?|calcul|gestion|dosimetri|planification|labo"
    r"|logiciel|pharmacie|paie|messagerie|biomedic|medic|administrati|tps\b|metier)"
)
# The same for the questions that take several answers ("disponibilité et intégrité").
LIST_ANSWER_CUES = {
    "data_impact": (
        (
            "disponibilite",
            re.compile(
                r"\b(?:disponib\w*|indisponib\w*|dispo|inaccessib\w*|plus (?:d')?acces\w*|ne (?:peut|peuvent|peux|"
                r"s'affichen?t?|s'ouvren?t?|marchen?t?|fonctionnen?t?|repond(?:ent)?) plus"
                r"|n'est plus (?:disponible|accessible)|pertes?|perdu\w*|bloque\w*"
                r"|disparu\w*|n'arriv\w* plus|plus moyen|impossible d'(?:acceder|ouvrir|voir))\b"
            ),
        ),
        (
            "integrite",
            re.compile(r"\b(?:integr\w*|modifi\w*|alter\w*|corromp\w*|detrui\w*|efface\w*|supprim\w*|chiffr\w*)\b"),
        ),
        (
            "confidentialite",
            re.compile(
                r"\b(?:confidenti\w*|consult\w*|(?<!rien )vue?s?|lue?s?|vol\w*|fuite|exfiltr\w*|copi\w*|divulg\w*|"
                r"publi\w*|expos\w*|trouv\w*)\b"
            ),
        ),
    ),
    # words that name a system only when the question asks which ones ("les serveurs, le labo")
    "affected_systems": (
        ("laboratoire_sil", re.compile(r"\blabos?\b|\blaboratoires?\b|\bresultats? d'analyses?\b")),
        ("pacs_ris", re.compile(r"\bimagerie\b|\bradios?\b|\bscanners?\b|\birm\b")),
        ("prescription_pharmacie", re.compile(r"\bpharmacie\b|\bprescriptions?\b|\bmedicaments?\b")),
        # "le portable" alone may be a laptop: only a phone when said so
        ("telephonie", re.compile(r"\btelephon\w*|\btel\b|\bstandard\b|\btelephones? portables?\b|\bsmartphones?\b")),
        ("reseau_telecom", re.compile(r"\breseaux?\b|\btelecoms?\b|(?<!site )\binternet\b|\bwifi\b|\bfibre\b")),
        # "le serveur de résultats du labo", "les serveurs biomédicaux": an application's server is that application
        (
            "serveurs_infrastructure",
            re.compile(rf"\bserveurs?\b(?!{_SERVER_OF})|\binfrastructures?\b|\bvirtualisation\b|\bstockage\b"),
        ),
        ("sauvegardes", re.compile(r"\bsauvegardes?\b|\bbackups?\b")),
        ("poste_de_travail", re.compile(r"\bpostes?\b|\bpcs?\b|\bordinateurs?\b|\bordis?\b")),
        (
            "dpi",
            re.compile(
                r"\bdossiers? (?:des |du |de (?:la |l')?|d')?"
                r"(?:patients?|residents?|jeunes|enfants|usagers|malades|soins|dialyse|hospitalises)\b"
                r"|\b(?:logiciels?|appli\w*) (?:de |des |du )?(?:soins|dialyse|dossiers?)\b"
            ),
        ),
        ("biomedical", re.compile(r"\bbiomedic\w*|\bdispositifs? medicaux\b|\bappareils? medicaux\b")),
        ("rh_paie", re.compile(r"\bpaie\b|\brh\b|\bressources humaines\b")),
        ("gestion_administrative", re.compile(r"\badministrati\w+|\badmissions?\b|\bfacturation\b|\bgam\b")),
        ("site_internet", re.compile(r"\bsite (?:internet|web)\b|\bportail\b")),
    ),
}
# To "disponibilité, intégrité, confidentialité ?": all of them.
ALL_THREE = re.compile(r"^\s*(?:les trois|tous les trois|toutes les trois|les 3|tout|toutes)\s*$")
# "confidentialité des boîtes à vérifier", "on ne sait pas encore si elles ont été volées": not said.
HEDGED_CLAUSE = re.compile(r"a verifier|ne sai[st] pas|pas encore si|peut-etre|on verra")
CLAUSE_SEPARATORS = re.compile(r"[,;.:]|\bmais\b")
# "aucun transfert", "sans papier": a negated word is no cue (except for the "none" answers).
NEGATED_WORD = re.compile(r"\b(?:pas de|pas d'|aucune?|sans)\s*\w+")
# A choice's label this long is recognised at the start of a longer word too.
LONG_LABEL = 6
# "aucune idée" is not knowing.
NEGATIVE = (
    r"non|nan|pas du tout|aucun\w*(?! idee)|jamais|je ne (?:crois|pense) pas|pas a ma connaissance|pas que je sache"
    r"|(?:je (?:crois|pense)|il me semble|bien sur) que non|pas besoin"
    r"|pas (?:pour l'?\s?instant|pour le moment|a ce stade|jusqu'?\s?ici)"  # "pas pour l'instant, les livraisons…"
    r"|(?:tres )?(?:surement|probablement|certainement) pas"
)
# "Sûrement, la société a plein d'autres clients": likely is a yes ("sûrement pas" is a no)
LIKELY = r"(?:tres )?(?:surement|probablement|certainement)(?! pas)|sans (?:aucun )?doute"
NEGATIVE_START = re.compile(rf"^\s*(?:{NEGATIVE})\b")
YES_NO = re.compile(
    r"^\s*(?:((?:(?:je (?:crois|pense)|il me semble) que )?oui|ouais|yes|absolument|tout a fait|volontiers"
    r"|(?:bien sur|effectivement)(?![\s,]+(?:que )?non)|avec plaisir|(?:on|je) (?:veut|veux|voudrait|voudrais) bien"
    rf"|{LIKELY})"
    rf"|pas encore|{NEGATIVE})\b"
)
CONCLUDED = re.compile(r"\b(?:donc|alors|bref|du coup) (oui|non)\s*$")
# "pas vraiment un virus, on ne sait pas, mettez autre": the choice Vigie is told to write, said last
DIRECTED_CHOICE = re.compile(
    r"\b(?:mettez|mettons|notez|cochez|choisissez|indiquez|ecrivez|disons)\s+(?:plutot\s+|donc\s+|alors\s+)?"
    r"(\w[^.;!?]{1,40}?)\W*$"
)
# "PCA papier partout ; et la direction déprogramme le bloc, donc interruption": the choice said last
CONCLUDED_CHOICE = re.compile(r"\b(?:donc|bref|du coup|au final|finalement) (?:c'est |plutot |en )?(\w.{2,40}?)\s*$")
# Folded (no accents, lower case): "je me suis trompée", "je me suis trompe" alike.
CORRECTION_CUES = (
    "c'etait",
    "c etait",  # typed fast, without the apostrophe
    "en fait",
    "plutot",
    # "je corrige", "je me corrige", "corrigé :", not "le temps que l'éditeur corrige"
    "je corrige",
    "me corrige",
    "corrige :",
    "corrige:",
    "corrige,",
    "correction",
    "erreur",
    "non,",
    "non ",
    "tromp",
    "rectifi",
    "precision :",
    "precision:",
    "je voulais dire",
)
WORD_SEPARATORS = re.compile(r"[^\w']+")
YES_NO_THEN = re.compile(r"^\s*(oui|non|pas encore)\s*[,.;:!]")
# To "when did it begin, before it was noticed?": at the same moment.
SAME_TIME = re.compile(
    r"^\W*(?:pareil|idem|la meme(?: heure| chose)?|le meme moment|au meme moment|en meme temps|a la meme heure|"
    r"c'est la meme(?: heure)?|meme heure|meme moment)\b"
)
NOT_KNOWN = re.compile(
    r"^\W*(?:(?:bof|euh+|hmm+|ben)\W+)?"  # "bof, je sais plus trop"
    r"(?:je ne sais (?:pas|plus)|je sais (?:pas|plus)|sais pas|j'en sais rien|on ne sait (?:pas|plus)|on sait pas"
    r"|nous ne savons pas|(?:je|on|nous) ne l(?:e |')sa(?:is|it|vons) pas|jsp|aucune idee|je ne suis (?:pas|plus) sur"
    r"|pas la moindre idee|(?:c'est |c est |encore )?(?:impossible|difficile|trop tot) (?:a|pour) (?:le |l')?"
    r"(?:dire|savoir|chiffrer|estimer|evaluer|preciser|determiner)"
    r"|pas encore (?:connu|chiffre|evalue|estime|determine)e?s?|inconnue?s?|non connue?s?|indeterminee?s?"
    r"|on ne peut pas (?:encore )?(?:le |l')?(?:dire|savoir|chiffrer|estimer|evaluer))\b"
)
# "Je ne sais pas… oui, si ça peut aider", "jsp, non je crois pas": a doubt, then the answer (folded);
# not "je ne sais pas, non" nor "je ne sais pas non plus", which say the doubt again
DOUBT_THEN_YES_NO = re.compile(NOT_KNOWN.pattern + r"[\s.,;!:…-]+(?=oui\b|non\b(?!\s*(?:plus\b|[\W_]*$)))")
NOT_AT_HAND = re.compile(
    r"^\W*(?:non,?\s*)?(?:je ne l'ai pas|je l'ai pas|je ne le connais pas|je le connais pas|je ne l'ai plus|"
    r"pas sous la main|pas en tete|pas sur moi|je ne m'en souviens pas|je ne le trouve pas)\b"
)
# "pas là" to "what is the number / the address?" (a no is read by _no_without_value); not
# to "how many?", where a no is none.
NOT_HERE = re.compile(r"^\W*(?:pas la|pas ici)\W*$")
NOT_AT_HAND_ONLY = ("finess", "declarant_email", "declarant_phone")
SURE_OUT_OF_SCOPE = 0.9
# An answer given with a doubt, often ending with "?" ("donc je dirais maîtrisé ?").
HEDGE = re.compile(r"\b(?:je dirais|je pense|je crois|j'imagine|je suppose|plutot|sans doute|probablement|a priori)\b")
# What a request to do something begins with: an imperative that no past participle folds to
# ("trouvé ce matin…" is a statement), "tu peux", "je veux", a question word.
REQUEST = re.compile(
    r"\W*(?:(?:s'il te plait|stp|svp|bonjour|salut|et)\W+)?"
    r"(?:mets?|donnez?|donne-moi|dis|dites|raconte|fais|faites|ecris|joue|envoie|reserve|traduis|calcule|"
    r"allume|eteins|"
    r"peux[- ]tu|tu peux|pourrais[- ]tu|tu pourrais|pouvez[- ]vous|vous pouvez|je veux|je voudrais|j'aimerais|"
    r"quel|quelle|quels|quelles|comment|pourquoi|combien|ou est)\b"
)
MISREAD_INTENTS = ("faq", "out_of_scope", "nlu_fallback", "check_seriousness")
# "c'est quoi un numéro FINESS ?", "ça veut dire quoi ?": what the pending question means.
WHAT_IS = re.compile(
    r"\b(?:c'?est quoi|c koi|qu'?est[- ]ce que?|qu'?est[- ]ce qu'|ca veut dire quoi|que veut dire|"
    r"ca correspond a quoi|ca sert a quoi|kesako|quesaco|c'?est a dire)\b"
)
ASIDE_WORDS = re.compile(
    r"\b(?:un|une|le|la|les|l|de|du|des|d|ca|cela|ce|ces|exactement|au juste|donc|svp|s'il vous plait"
    r"|veut dire|veulent dire|signifie|signifient)\b"  # "qu'est-ce que ça veut dire ?"
)
TYPE_WORD = re.compile(r"\btypes?\b")  # "le type c'est une compromission de compte": about the type
LEXICON = "IncidentFactsExtractor"  # bot.nlu.components: the entities our lexicon found
# When the incident was noticed, as far as the person said it without an hour ("cette nuit"):
# {"value": ISO date-time, "text": the words}; the detection question then asks the hour.
DAY_ONLY = "detected_day"
START_WORDS = re.compile(r"^(?:depuis|à partir d[e']|a partir d[e']|dès|des)\s*", re.I)
CONTACT_SIGN = re.compile(r"@|(?:\d[\s.-]?){8,}")
RELATIVE = re.compile(r"\b(?:il y a|il ya|y a|ya|ca fait|cela fait|voila)\b")  # "ya 30 min", typed fast
SAME_MOMENT = timedelta(hours=1)
JOINED_TIME = re.compile(r"^\s*(?:vers|a|à|autour|aux alentours|depuis|entre|des|dès|peu|juste)\b")
START_CUES = ("debut", "commenc", "a debute", "depuis")  # folded
# what an incident came from (folded): "Origine : une clé USB branchée vers 14 h"
ORIGIN = re.compile(r"\b(?:origine|point d'entree|cause(?:e|s|es)? par|a cause d\w*|provient|provenait)\b")
# the clause of a date that says the incident's first moment, of several dates before the detection
BEGAN = re.compile(r"\b(?:premier|premiere|premiers|premieres|initiale?s?|debut\w*|commenc\w*|demarr\w*)\b")
COMPLAINT_CUES = ("plainte", "commissariat", "gendarmerie")
# "signalé par des patients depuis hier 18h": reports have come in since then, the incident is older.
NOTICED = re.compile(
    r"\b(?:(?:signale|constate|remarque|detecte|decouvert|repere|apercus?|alerte|(?<!\bai )(?<!\bavons )prevenus?|"
    r"plaintes? de|notifie|trouve|vu|sonne)e?s?|rendue?s? compte|detection|constat|alarmes?)\b"
    r"|\b(?:l'a|l'ont|l'avons|on a|avons|ai) su\b"  # "on l'a su hier vers 11h20"; "j'ai prévenu X" is told, not noticed
    r"|\b(?:a|ont|avons|ai|avait) releve\b"  # "notre DPO a relevé l'anomalie", not "la relève de 6h45"
    r"|\b(?:l'a|l'ont|l'avait|a|ont|avait) notee?\b"  # "la veilleuse l'a noté dans le cahier à 5 h 10"
    r"|\bremontee?s?\b(?!\s+(?:a|au|aux)\b)"  # "remonté par le SOC", not "remonte à hier": when it began
    r"|\bappels? (?:de|des|d')"
    # "des appels de patients", not "j'ai appelé l'opérateur à 7h15": an action after the detection
)
# "l'équipe de nuit m'a appelée", "une collègue me l'a montré", "un journaliste nous a informés": someone
# told the person. The detection when no time is said with a word of noticing ("l'alerte de l'EDR à
# 6h15… l'astreinte m'a appelé à 7h").
TOLD = re.compile(
    r"(?:\bm'|\bm |\bme |\bnous |\bl')(?:a|ont|avait|avaient) "
    r"(?:r?appele|montre|telephone|informe|prevenu|contacte|ecrit)e?s?\b"
)
# "le scan de 2h n'avait rien vu", "sans rien remarquer": nothing was noticed then
UNNOTICED = re.compile(r"\b(?:rien|pas|jamais|sans)\s+(?:ete\s+|encore\s+)?$")
GERUND = re.compile(r"\s*en \w+ant\b")
WHEN_CLAUSE = re.compile(r"\b(?:quand|lorsqu'?e?|des que|au moment ou|en arrivant|a mon arrivee)\b")
# Times of other events told beside the incident, in the date's clause: a backup that ran normally
# ("la sauvegarde de 23h s'était terminée sans erreur"); said just before the date, an appointment, a
# meeting, a call from or to a provider, the management met, the ARS told ("patients convoqués à 8h30",
# "la cellule de crise s'est réunie à 9h", "l'éditeur nous a rappelés à 9h15", "on a vu la direction
# à 8h", "l'ARS a été prévenue à 8h30");
# said just after it, a visit for something else ("l'informaticien était passé à 9h pour autre chose").
BACKUP_DONE = re.compile(r"\bsauvegardes?\b.*\b(?:termine|reussi|normalement|sans erreur|bien passe|ok)")
EVENT_BEFORE = re.compile(
    r"\b(?:convoque|rendez[- ]vous|rdv|reunion|reuni|staff|point (?:avec|presse|prestataire|editeur|direction)"
    # a crisis cell, "cellule ce matin à 9h"; not a team ("la cellule cyber nous a alertés à 3h")
    r"|conference de presse|visio|cellule de crise|cellule(?=\W*$)|joindre|l'ars\b"
    # a call we made afterwards ("j'ai appelé l'opérateur ce matin à 8 h pour bloquer la ligne"), a visit
    # that was due ("il devait passer à 10 heures")
    r"|(?:ai|avons|on a) (?:r?appele|contacte|joint|telephone)|doi(?:t|vent)|devai(?:t|ent)|devr(?:ait|aient)"
    rf"|(?:{_PROVIDER_WORDS})\b(?:\W+\w+){{0,3}}\W+rappele"
    r"|(?:vu|informe|contacte|joint) (?:la direction|le directeur|la directrice)"
    # someone met ("nous avons rencontré le comptable public ce matin"), not a problem met
    r"|rencontre(?!\w*\W+(?:un|une|des|de|d)\W+(?:\w+\W+)?(?:probleme|erreur|difficulte|souci|bug|panne|incident))"
    # a task planned for then ("le scan complet planifié à 2h")
    r"|planifie|prevue?s?)\w*(?:\W+\w+){0,4}\W*$"
)
# a part of a day that names no day: "en fin de matinée", "dans la soirée" (not "ce matin", today)
DAYLESS_PART = re.compile(
    r"^(?:(?:dans|pendant|durant|au cours de) (?:la |l')|en |au )?(?:(?:tout|tres) )?"
    r"(?:(?:debut|fin|milieu) (?:de (?:la )?|d'))?(?:petit )?"
    r"(?:matinee|matin|apres[- ]midi|aprem|soiree|soir|nuit|journee)$"
)
# A time in the day's schedule: "la première séance était à 7 h", "j'ai un atelier cuisine à 10 h" (not
# "pendant l'atelier de 10h on a vu…", when it was noticed).
_ACTIVITY = (
    r"(?:seance|consultation|atelier|livraison|pause|repas|animation|fete|formation|cours|goute|ronde|tournee)s?"
)
SCHEDULED = re.compile(
    rf"\b{_ACTIVITY}(?:\W+\w+){{0,3}}?\W+(?:etai(?:t|ent)|est|sont|commenc\w*|debut\w*|prevue?s?)\W*$"
    rf"|\b(?:j'ai|j ai|on a|nous avons)\W+(?:un|une|des|mon|ma|notre)\W+{_ACTIVITY}(?:\W+\w+){{0,2}}\W*$"
    # someone who came by or comes: "le premier patient est passé à 9 h", "le prestataire passe à 14h"
    r"|\b(?:est|sont|etait|etaient) passee?s?\W*$|\b(?:passe|passera|vient|viendra)\W*$"
    # people gone on their rounds: "les infirmières étaient parties en tournée de prélèvements à 7h"
    r"|\bpartie?s? (?:en|pour)\b(?:\W+\w+){0,3}\W*$"
)
# "les séances de 6 h 30 ont démarré": the time that names one of the day's activities (unless it
# is when something was seen: "à la séance de 10 h, on a vu…")
ACTIVITY_OF = re.compile(rf"\b{_ACTIVITY}\W+de\W*$")
# "l'alarme a sonné à 3h58, personne ne l'a entendue": the alarm went off, nobody noticed it then
UNHEARD = re.compile(
    r"^[^.;!?\n]*?\b(?:personne (?:ne |n')\s*l?'?\s*(?:a|ont|avait) (?:entendue?|vue?|remarquee?)"
    r"|sans que personne|n'a (?:pas|jamais) ete (?:entendue?|vue?))"
)
EVENT_AFTER = re.compile(r"^\W*(?:\w+\W+){0,3}pour (?:autre chose|une autre raison)\b")
# The last moment all was well, not the start: "hier soir à la fermeture, à 20h, tout allait bien".
LAST_GOOD = re.compile(
    r"\btout (?:allait|etait) (?:bien|normalement|ok)\b|\brien (?:a signaler|d'anormal)\b"
    r"|\btout (?:fonctionnait|marchait)\b(?!\s+(?:mal|plus|de travers))"  # with or without "bien"
    r"|\b(?:fonctionn|march|tourn|s'ouvr)\w* (?:encore )?(?:bien|normalement|correctement)\b"
    r"|\bderni\w+ (?:\w+ ){0,2}(?:sains?|saines?|intacte?s?|bons?|bonnes?)\b"
    r"|\b(?:s'est|se sont) (?:bien )?(?:passee?s?|deroulee?s?) "
    r"(?:normalement|sans (?:probleme|souci|encombre|incident)|bien)\b"
)
# the end of the incident, or a measure taken, never its detection nor its start: "la synchronisation
# est revenue ce matin à 6h", "le service a été rétabli hier soir"
ENDED = re.compile(
    r"\b(?:est|sont) (?:revenue?s?|repartie?s?)\b|\bretablie?s?\b|\bremise?s? en (?:route|service|marche)\b"
    r"|\bretour a la normale\b|\b(?:a nouveau|de nouveau) (?:accessible|disponible|fonctionnel)"
    r"|\b(?:a|ont) ete restaure"
    # a measure taken after the detection: "le service informatique a bloqué mon compte ce matin à 8h"
    r"|\b(?:a|ont|avons) (?:bloque|desactive|isole|reinitialise|suspendu) (?:mon|son|le|les|nos|ses|leurs?)\b"
)
# "22h, c'est l'heure où un collègue l'a transféré": in a correction, the time of another event.
EXPLAINED = re.compile(r"^\W*c'?est (?:l'heure|le moment|quand|ce que)\b")
# "les prescriptions d'hier", "le planning de cette nuit": a day that dates a thing, not the incident
# (unless the thing is the incident or its cause: "l'attaque d'hier", "la mise à jour de cette nuit").
DATED_THING = re.compile(r"\b(?P<noun>[a-z]{3,}) (?:d'|de )$")
INCIDENT_NOUNS = re.compile(
    r"^(?:incident|attaque|panne|coupure|intrusion|alerte|bug|crash|mail|courriel|message|probleme|virus"
    r"|chiffrement|piratage|fuite|vol|perte|plantage|arret|vague|campagne|sauvegarde|jour|maj|connexion"
    r"|envoi|intervention|modification|operation)s?$"
)
# the moments of a day people give for its hour, with no hour in them (folded)
NO_HOUR_MOMENT = re.compile(
    r"\b(?:a l'aube|l'aurore|au petit matin|(?:tres |assez )?tot (?:le matin|ce matin)|de bonne heure|en arrivant"
    r"|(?:a|des) (?:mon|notre|son|l') ?arrivee|(?:a|des) la (?:prise de (?:poste|service|garde)|releve)"
    r"|au (?:debut|commencement) (?:de|du) (?:mon |notre |la )?(?:service|poste|garde|journee))\b"
)
# in a correction, "je me suis trompée tout à l'heure": a moment of the talk, not of the incident
VAGUE_MOMENT = re.compile(r"^(?:tout a l'heure|a l'instant|tantot)$")
# "hier soir, pas ce matin": the date after it is the one set aside (not "ça ne marche pas depuis hier").
SET_ASIDE = re.compile(
    r"(?:^|[,;.(]|\bet|\bmais|\bnon|\bc'?etait|\bc'?est|\bn'?est)\s*(?:non\s+|et\s+)?pas\s*$"
    r"|\bplutot que\s*$|\bet non\s*$"
    r"|\bjusqu'?\s*(?:a|au|vers)?\s*$"  # "indisponibles jusqu'à 9h20": when it ended, not began
)


# "environ quatre heures avant qu'on s'en aperçoive", "quarante minutes plus tôt": how long before the detection
BEFORE_NOTICED = re.compile(
    r"(?<=\w) (?:avant (?:qu'on|que nous|que l'on|notre|le constat|la detection|de (?:s'en|nous en))|plus tot\b"
    r"|avant\b(?=\s*(?:[,.;:!]|$)))"  # to the start question, "à peu près une heure avant, l'ordinateur a redémarré"
)
# between two times of one answer, words that take the first back: "6 h 40… non attendez, 6 h 04"
TAKEN_BACK = re.compile(r"\b(?:non|pardon|plutot|je veux dire|je me trompe|je corrige|correction)\b")
BARE_DURATION = re.compile(r"^\d{1,2}\s?h(?:\s?[0-5]\d)?$")
BARE_PAS = re.compile(r"\bpas\s*$")
NEGATION = re.compile(r"\bn(?:e\b|')")
SENTENCE_END = re.compile(r"[.;!?\n]")


def understand(message: Dict[str, Any], requested: Optional[str], slots: Dict[str, Any]) -> Dict[str, Any]:
    """Candidate slot values carried by `message` (Rasa's `latest_message`)."""
    if requested == "structure_name":
        message = _place_said(message)
    intent = (message.get("intent") or {}).get("name")
    text = (message.get("text") or "").strip()
    confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
    doubt = DOUBT_THEN_YES_NO.match(fold(text)) if "oui" in schema.ENUM_FIELDS.get(requested or "", {}) else None
    if doubt:
        text = fold(text)[doubt.end() :]  # the yes or the no the person came to is the answer
        message, intent = {**message, "text": text, "entities": []}, None
    chosen = _directed_choice(requested, text)
    if chosen:
        return {**chosen, **_implied(chosen, slots)}
    if requested == structure.MATCH:
        if is_question(text) or _surely_out_of_scope(intent, confidence) or explicit_request(text):
            # "non en fait il me dit de continuer, on reprend" resumes the declaration, it refuses no place
            return {}  # answered by the rules, then the confirmation again
        if is_correction(text) and not _starts_negative(text):
            # "pardon, ce n'est pas 7h, c'est 6h30", "je corrige : 39 dossiers, pas 37" put a fact
            # right, they do not refuse the place: the confirmation is asked again
            corrected = _corrected_facts(message, text, slots)
            if corrected:
                return corrected
        if _says_not_known(requested, text):
            return {structure.MATCH: structure.NONE}  # "bof, je sais plus trop": not sure it is this one
        if _news(text, named_later=not YES_NO_THEN.match(fold(text))) and not _starts_negative(text):
            # "Info en plus : deux patients de réanimation…" refuses nothing either: kept, then the same question
            return _news_facts(message, slots)
        return structure.read_answer(message, slots)
    if requested == "region" and intent != "dont_know" and not is_question(text):
        region = structure.region_of_place(text)  # "Landes", "40", "Dax": the register knows the region
        if region:
            return {"region": region}
    if requested in FREE_TEXT_FIELDS and intent not in ANSWER_INTENTS and is_question(text):
        return {}  # "attendez, est-ce qu'on doit payer la rançon ?" is not a name: it gets its answer
    if requested in IDENTITY_FIELDS and (is_question(text) or REQUEST_WORDS.search(fold(text))):
        # a question, "j'annule", "laisse tomber", "c bon je reprends": never a name or a function
        return {}
    if (
        requested == "structure_name"
        and (_news(text) or _corrects_a_date(message, text, slots))
        and not _says_not_known(requested, text)
    ):
        # "on vient de transférer les urgences…": what happens, said first; the name is asked again,
        # after what it puts right ("je corrige, ça a coupé vers 2h, pas 3h", "correction : pas 8h,
        # c'était 7h40 quand la collègue est arrivée, moi je suis arrivé à 8h")
        return _corrected_facts(message, text, slots) if is_correction(text) else _news_facts(message, slots)
    if requested == "declarant_name" and not CONTACT_SIGN.search(text) and _news(text):
        # "Update : l'attaque touche aussi le VPN, ils viennent sur site": news, not a name; the
        # contact block is asked again
        return _news_facts(message, slots)
    if requested == "declarant_name" and _answers_free_text(requested, intent, confidence):
        # a correction is of another answer ("non, c'était hier"), unless it gives a number or an address
        if intent != "dont_know" and not is_question(text) and (not is_correction(text) or CONTACT_SIGN.search(text)):
            # the whole contact block at once; a remark with no contact in it may still tell news
            return read_contact(text, message.get("entities") or []) or _news_facts(message, slots)
    if _shaped_answer(requested, text):
        return {requested: text}  # the pending question's answer comes first, whatever the intent
    if requested == "started_at" and slots.get("detected_at") and SAME_TIME.match(fold(text)):
        return {"started_at": slots["detected_at"]}  # begun when it was noticed
    if requested == "detected_at" and slots.get(DAY_ONLY) and _moment_without_hour(text, message):
        return {"detected_at": slots[DAY_ONLY]["value"]}  # "à l'aube, en arrivant": the day said, no hour
    if (
        requested in registry.BY_NAME
        and (intent not in ANSWER_INTENTS or requested in RAW_TEXT_FIELDS)
        and _says_not_known(requested, text)
        and not (intent == "faq" and is_question(text))  # "je ne sais pas si c'est grave, on doit… ?"
    ):
        intent = "dont_know"  # "je ne l'ai pas sous la main", "on ne sait pas si…", whatever NLU saw
    if intent not in ANSWER_INTENTS and not _answers_free_text(requested, intent, confidence, text):
        intent = _choice_answer(requested, text, message) or _date_answer(requested, text, message)
        if intent is None:
            return {}
    if requested in TEXT_ONLY_FIELDS and text and intent != "dont_know" and not is_correction(text):
        return {requested: text}
    if requested == "incident_type" and slots.get(type_guess.GUESSES):
        # a type named ("je dirais « autre »") is read below; words only choose among the guesses
        named = _named_type(message, requested)
        answer = type_guess.read_answer(_yes_no(intent, text), slots, {} if named else message)
        if answer:
            return {**answer, **_implied(answer, slots)}
    entities = _our_entities(message.get("entities") or [])
    opening = requested in (None, "description") and intent in ("declare_incident", "inform")
    values = _facts(_beside_the_question(entities, requested), slots)
    if opening and not values.get("structure_name") and not slots.get("structure_name"):
        values["structure_name"] = structure.named_in_lower_case(text)
    if requested == "detected_at" and intent == "dont_know" and slots.get(DAY_ONLY):
        return {"detected_at": slots[DAY_ONLY]["value"]}  # "ce matin", the hour not known
    values.update(_dates(entities, text, requested, opening, slots))
    values.update(_answer(requested, intent, text, values, slots))
    if opening and _has_incident_facts(entities) and not slots.get("description"):
        values["description"] = text
    values.update(_guessed_type(message, requested, intent, values, slots))
    if requested != "incident_type" and _type_said(slots) and not _puts_type_right(requested, text):
        # "un compte VPN compromis" as the cause never changes a ransomware, nor does it when told
        # beside the summary ("point important : le compte de service compromis sert aussi au GHT")
        values.pop("incident_type", None)
    _keep_what_is_known(values, requested, text, slots)
    values.update(_implied(values, slots))
    for name in KEPT_UNLESS_CORRECTED:
        if name != requested and slots.get(name) and name in values and not _may_correct(name, text, slots, requested):
            values.pop(name)  # "deux autres CH du GHT" in a later answer is not the structure
    if "is_ose" in values and not OSE_SAID.search(fold(text)) and not _ose_by_its_name(values, requested):
        values.pop("is_ose")  # "les urgences sont orientées vers le CHU": another place than the structure
    if values.get(requested) is None and _leads_with_not_known(requested, text):
        values[requested] = _not_known(requested)  # "jsp du tout, faut demander à l'informaticien"
    return {field: value for field, value in values.items() if value is not None}


def _ose_by_its_name(values: Dict[str, Any], requested: Optional[str]) -> bool:
    """A CHU is an OSE, when the CHU is the structure: in an opening that names the structure, its
    name must be the CHU ("pour le CH du Nord Caraïbe, … nos liaisons avec le CHU de Martinique")."""
    if requested not in OSE_READ_AT:
        return False
    name = values.get("structure_name")
    if requested in ("is_ose", "structure_name") or not name:
        return True
    return any(fact.field == "is_ose" for fact in extract_facts(name))


def _leads_with_not_known(requested: Optional[str], text: str) -> bool:
    """ "Je ne sais pas" said first to a choice, and nothing after it that answers: not known, whatever
    intent NLU saw."""
    entry = registry.BY_NAME.get(requested or "")
    if not entry or not (registry.UNKNOWN in entry.values or entry.not_known):
        return False  # the form says what "je ne sais pas" does to the others
    return NOT_KNOWN.match(fold(text)) is not None and not is_question(text)


def _may_correct(name: str, text: str, slots: Dict[str, Any], requested: Optional[str]) -> bool:
    """Whether ``text`` may replace who declares or for which structure. A structure with its FINESS
    number (confirmed from the register, typed, or declared before a completion) keeps its name:
    "non, le support du GHT c'est le CHU de Rouen" answers the OSE question, and a new name would
    no longer be the number's. Nor does a name without a number change at the OSE question, when
    the name said is the GHT's support."""
    confirmed = slots.get(structure.MATCH) not in (None, structure.NONE)
    numbered = slots.get("finess") not in (None, registry.UNKNOWN)
    if name == "structure_name" and (confirmed or numbered):
        return False
    if name == "structure_name" and requested == "is_ose" and GHT_SUPPORT.search(fold(text)):
        return False
    return is_correction(text)


def _keep_what_is_known(values: Dict[str, Any], requested: Optional[str], text: str, slots: Dict[str, Any]) -> None:
    """A message that answers the pending question only adds the other facts it holds: "tous les
    serveurs, le DPI, le labo" answers which systems, it does not make a hospital a laboratory nor
    change the extent already given. Without an answer to the question, or said as a correction,
    a fact replaces the one known ("Pour corriger, écrivez-la simplement")."""
    if requested in (None, "description", "confirmed") or requested not in values or is_correction(text):
        return
    for name in [n for n in values if n != requested and n in registry.BY_NAME and n not in schema.LIST_FIELDS]:
        if slots.get(name) not in (None, registry.UNKNOWN):
            values.pop(name)


def _puts_type_right(requested: Optional[str], text: str) -> bool:
    """A correction, or at the summary words about the type ("le type c'est une compromission de compte")."""
    return is_correction(text) or (requested == "confirmed" and bool(TYPE_WORD.search(fold(text))))


def _type_said(slots: Dict[str, Any]) -> bool:
    return slots.get("incident_type") not in (None, "autre")


def _guessed_type(
    message: Dict[str, Any],
    requested: Optional[str],
    intent: Optional[str],
    values: Dict[str, Any],
    slots: Dict[str, Any],
) -> Dict[str, Any]:
    """The type read from the whole description (or from the answer to the type question): the
    classifier when it is sure, else the lexicon's words, else the likeliest types to offer. On
    the dev personas the sure classifier was right 96 % of the time, the lexicon 86 %
    (bench/type_classifier.py)."""
    if intent == "dont_know" or "description" not in values and requested != "incident_type":
        return {}
    if slots.get("incident_type") and requested != "incident_type" or _named_type(message, requested):
        return {}
    guessed = type_guess.from_ranking(message)
    if "incident_type" in guessed or "incident_type" not in values:
        return guessed
    return {}


def _named_type(message: Dict[str, Any], requested: Optional[str]) -> bool:
    """A type clicked (a button's payload, not our lexicon's words) or typed by its label."""
    clicked = any(
        e.get("entity") == "incident_type" and e.get("extractor") != LEXICON for e in message.get("entities") or []
    )
    typed = requested == "incident_type" and _enum_from_words("incident_type", message.get("text") or "")
    return clicked or bool(typed)


def _yes_no(intent: Optional[str], text: str) -> Optional[str]:
    """ "affirm" or "deny" for a yes or a no, by NLU or by the first words."""
    if intent in ("affirm", "deny"):
        return intent
    folded = f" {WORD_SEPARATORS.sub(' ', fold(text))} "
    if re.match(r"^\s*aucun", folded):
        return "deny"
    leading = YES_NO.match(folded)
    if not leading or "pas encore" in leading.group(0):
        return None
    return "affirm" if leading.group(1) else "deny"


def misread_answer(message: Dict[str, Any], requested: Optional[str]) -> bool:
    """A message NLU took for the FAQ or for out of scope while a question was pending, and that
    asks nothing ("aucun chez nous, on vérifie d'où viennent les numéros"): an answer, even one
    not understood, never a detour to another subject's answer."""
    intent = (message.get("intent") or {}).get("name")
    confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
    text = (message.get("text") or "").strip()
    if requested not in registry.BY_NAME or intent not in MISREAD_INTENTS or text.startswith("/"):
        return False
    if is_question(text):
        return False
    # NLU may be sure a statement is out of scope ("l'agence a remis la bonne page, mais ils cherchent
    # encore"): with a question pending, only a request is ("mets un réveil à 6h30")
    return not _surely_out_of_scope(intent, confidence) or not REQUEST.match(fold(text))


def asks_what_it_means(text: str, requested: Optional[str]) -> bool:
    """ "C'est quoi un numéro FINESS ?" while the FINESS is asked, or "c'est quoi ?" alone: the
    question's own explanation answers it (a miss, then the offer); the FAQ once answered it with
    what CERT Santé is, and the question came back three times."""
    if requested not in registry.BY_NAME or not registry.field(requested).explained:
        return False  # no explanation of its own: the FAQ answers, then the question comes back
    folded = fold(text)
    found = WHAT_IS.search(folded)
    if not found:
        return False
    rest = set(re.findall(r"\w+", ASIDE_WORDS.sub(" ", folded[found.end() :])))
    subject = set(re.findall(r"\w+", fold(registry.field(requested).label))) | set(requested.split("_"))
    return not rest or bool(rest & subject)


def _surely_out_of_scope(intent: Optional[str], confidence: float) -> bool:
    """A request NLU is sure has nothing to do with a declaration ("mets un réveil à 6h30")."""
    return intent == "out_of_scope" and confidence >= SURE_OUT_OF_SCOPE


def _shaped_answer(requested: Optional[str], text: str) -> bool:
    """An e-mail, telephone, FINESS or count typed while that question is pending: an address or
    digits read as another intent (often the fallback) are still the answer; a question is not."""
    if requested not in RAW_TEXT_FIELDS or not text or text.endswith("?"):
        return False
    if requested == "declarant_email":
        return "@" in text
    digits = sum(c.isdigit() for c in text)
    if requested == "declarant_phone":
        return digits >= 8
    if requested == "finess":
        return digits >= 6
    try:
        parse_count(text)
    except InvalidValue:
        return False
    return True


def _choice_answer(requested: Optional[str], text: str, message: Dict[str, Any]) -> Optional[str]:
    """The intent to read a message with when it names one of the pending question's choices
    and asks nothing, whatever intent NLU saw: "mode dégradé papier aux urgences" reads like a
    question on that word, "pas encore, la direction va le faire demain" like nothing known."""
    if requested not in schema.ENUM_FIELDS and requested not in schema.LIST_FIELDS:
        return None
    named = any(entity["entity"] == requested for entity in _our_entities(message.get("entities") or []))
    if is_question(text):
        # "non, faut-il le faire ?": the no answers; what is owed is in the receipt's obligations;
        # "donc je dirais maîtrisé ?" is an answer given unsure of itself
        hedged = named and HEDGE.search(fold(text)) is not None
        return "inform" if hedged or _yes_no_then_question(requested, text) else None
    if named:
        return "inform"
    if requested == "incident_type" and type_guess.from_ranking(message):
        return "inform"  # a description of what happened, in the person's words
    if requested in schema.ENUM_FIELDS and _enum_from_words(requested, text) is not None:
        return "inform"
    if requested in schema.LIST_FIELDS and _list_from_words(requested, text):
        return "inform"
    if (requested in DENY_ANSWERS or requested in schema.LIST_FIELDS) and _starts_negative(text):
        return "deny"
    return None


def _yes_no_then_question(field: str, text: str) -> bool:
    return "oui" in schema.ENUM_FIELDS.get(field, {}) and YES_NO_THEN.match(fold(text)) is not None


def _says_not_known(field: str, text: str) -> bool:
    """ "Je ne sais pas si ses mails ont été lus", "jsp", and for a number or an address "je ne
    l'ai pas sous la main": not known, whatever intent NLU saw."""
    folded = fold(text)
    if NOT_KNOWN.match(folded) is not None:
        return True
    if field in NOT_AT_HAND_ONLY and (NOT_HERE.match(folded) or _no_without_value(folded)):
        return True
    return field in RAW_TEXT_FIELDS and NOT_AT_HAND.match(folded) is not None


def _no_without_value(folded: str) -> bool:
    """ "non, désolée, je n'ai pas ce numéro": a no, and no digit or address that could be the answer."""
    return _starts_negative(folded) and not any(c.isdigit() for c in folded) and "@" not in folded


def _place_said(message: Dict[str, Any]) -> Dict[str, Any]:
    """The answer to the name question without the place it sets aside, nor what was read there."""
    text = message.get("text") or ""
    said = structure.without_denied(text)
    if said == text:
        return message
    entities = [e for e in message.get("entities") or [] if e.get("end", 0) <= len(said)]
    return {**message, "text": said, "entities": entities}


def _corrected_facts(message: Dict[str, Any], text: str, slots: Dict[str, Any]) -> Dict[str, Any]:
    """What a correction said while another question waits puts right: its dates, and the other
    fields it names (never the structure, whose question is pending)."""
    corrected = _dates(_our_entities(message.get("entities") or []), text, None, False, slots)
    told = _facts_told(message, slots, NOT_CORRECTED_AT_MATCH)
    return {**corrected, **{name: value for name, value in told.items() if name not in corrected}}


def _news_facts(message: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """What news told while the structure's question waits adds: its facts, not its times (a second site hit
    "à 5h" is no new detection) nor the structure's ("on transfère vers le CHU voisin" says nothing of ours)."""
    return _facts_told(message, slots, NOT_AT_NEWS | set(schema.DATETIME_FIELDS))


def _facts_told(message: Dict[str, Any], slots: Dict[str, Any], left_out: AbstractSet[str]) -> Dict[str, Any]:
    """The fields a message tells as an opening would, but those ``left_out``."""
    return {
        name: value
        for name, value in understand(message, None, slots).items()
        if name in registry.BY_NAME and name not in left_out
    }


def _corrects_a_date(message: Dict[str, Any], text: str, slots: Dict[str, Any]) -> bool:
    return is_correction(text) and bool(_dates(_our_entities(message.get("entities") or []), text, None, False, slots))


def _starts_negative(text: str) -> bool:
    return bool(NEGATIVE_START.match(f" {fold(text)} "))


def _moment_without_hour(text: str, message: Dict[str, Any]) -> bool:
    """ "À l'aube, quand je suis arrivée", to "vers quelle heure ?": a moment of the day, and no time."""
    if is_question(text) or any(e.get("entity") == "datetime" for e in message.get("entities") or []):
        return False
    return NO_HOUR_MOMENT.search(fold(text)) is not None


def _date_answer(requested: Optional[str], text: str, message: Dict[str, Any]) -> Optional[str]:
    """ "ce matin vers 10h quand la famille a appelé" answers "quand ?", whatever intent NLU saw."""
    if requested not in ("detected_at", "started_at") or is_question(text):
        return None
    if any(e.get("entity") == "datetime" for e in message.get("entities") or []):
        return "inform"
    if requested == "started_at" and BEFORE_NOTICED.search(fold(text)):
        return "inform"  # "une heure avant qu'on s'en rende compte"
    return None


def _answers_free_text(
    requested: Optional[str], intent: Optional[str], confidence: float = 0.0, text: str = ""
) -> bool:
    """Names and titles are often misread as other intents; a text question takes them, but not
    a request NLU is sure has nothing to do with a declaration, unless it names a structure to the
    structure question: a kind of structure ("HIA Clermont-Tonnerre, Brest"), words written as a
    name is ("ESAT Les Ateliers du Cotentin à Cherbourg") or a place of the FINESS register
    ("synlab barla nice")."""
    if _surely_out_of_scope(intent, confidence):
        if requested in TEXT_ONLY_FIELDS:
            return _prose(requested, text)
        if requested != "structure_name" or is_question(text):
            return False
        return bool(query_words(text)[1] or NAME_LIKE.search(text) or structure.candidates_for(text))
    # a word NLU has never seen ("hacktivisme" to "la cause ?") may come out as a request it is unsure of
    return requested in FREE_TEXT_FIELDS and (intent not in REQUESTS or confidence < SURE_REQUEST)


def prose_answer(message: Dict[str, Any], requested: Optional[str]) -> bool:
    """ "Ressaisie manuelle avec double contrôle, urgences priorisées" to "quelles mesures ?": NLU may
    be sure it is out of scope, it is the answer all the same (measures and cause take any words)."""
    return _prose(requested, (message.get("text") or "").strip())


def _prose(requested: Optional[str], text: str) -> bool:
    return requested in TEXT_ONLY_FIELDS and bool(text) and not text.startswith("/") and not is_question(text)


def _our_entities(entities: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Entities named after a field (from our extractors or a button payload)."""
    known = set(schema.FIELDS) | {"datetime"}
    return [e for e in entities if e.get("entity") in known and e.get("value") not in (None, "")]


def _beside_the_question(entities: List[Dict[str, Any]], requested: Optional[str]) -> List[Dict[str, Any]]:
    """ "Trois ordinateurs" answers how far it spread: the machines counted are not systems touched."""
    if requested != "perimeter":
        return entities
    return [e for e in entities if not (e["entity"] == "affected_systems" and e["value"] in MACHINE_SYSTEMS)]


def _facts(entities: List[Dict[str, Any]], slots: Dict[str, Any]) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for entity in entities:
        field, value = entity["entity"], entity["value"]
        if field == "datetime":
            continue
        if field in schema.LIST_FIELDS:
            current = values.get(field) or list(slots.get(field) or [])
            values[field] = current + [value] if value not in current else current
        elif field not in values:
            values[field] = value
    return values


def _dates(
    entities: List[Dict[str, Any]], text: str, requested: Optional[str], opening: bool, slots: Dict[str, Any]
) -> Dict[str, Any]:
    said = [e for e in entities if e["entity"] == "datetime" and not _about_complaint(text, e)]
    if requested == "started_at" and not said and slots.get("detected_at"):
        earlier = _before_noticed(text, slots["detected_at"])
        return {"started_at": earlier} if earlier else {}
    denied = [e for e in said if _set_aside(text, e) or _explained(text, e)]
    dates = _joined([e for e in said if not any(_same_moment(e, d) for d in denied)], text)
    corrects = _corrects(text, requested)
    if corrects and any(_has_time(d) for d in dates):
        dates = [d for d in dates if not VAGUE_MOMENT.match(fold(_words(d, text)))] or dates
    if corrects and len(dates) > 1:
        # "pas 8h, c'était 7h40 quand la collègue est arrivée, moi je suis arrivé à 8h": the time held
        # said again is the one put right, or another event's
        held = [slots[field] for field in ("detected_at", "started_at") if slots.get(field)]
        dates = [d for d in dates if not any(_says(d, value) for value in held)] or dates
    if not dates:
        return {}
    if requested in ("detected_at", "started_at"):
        dates = _taken_back(dates, text)
    if requested == "detected_at":
        return _detection_answer(_most_precise(dates), text, slots.get(DAY_ONLY))
    if requested == "started_at":
        dates = _first_moment(dates, text)
        return {requested: _before_detection(_most_precise(dates), text, slots.get("detected_at"))}
    if opening or requested == "confirmed" or corrects:
        # the time of another event only is no date of the incident ("notre cellule de crise s'est
        # réunie ce matin à 9h"): the detection is asked
        dates = [d for d in dates if not _other_event(text, d)]
        dates = [d for d in dates if not _dated_thing(text, d)]
        dates = [d for d in dates if not ENDED.search(fold(_clause(text, d["start"], d["end"])))]
        if not dates:
            return {}
        if corrects:
            # "tombé à 8 h 40, pas 9 h 10. Les commandes entre 8 h 40 et 9 h 10…": one moment said twice
            dates = [d for i, d in enumerate(dates) if not any(_same_moment(d, e) for e in dates[:i])]
        if len(dates) == 1:
            field = _corrected_field(denied, slots, text, dates[0]) or (
                "started_at" if _says_start(text) and not opening else "detected_at"
            )
            chosen = {field: dates[0]}
            if opening and dates[0].get("role") == "start" and _has_time(dates[0]) and not _noticed(text, dates[0]):
                chosen["started_at"] = dates[0]  # "en panne depuis hier 21h": noticed then, begun then
        else:
            chosen = _began_and_noticed(dates, text)
        found = {
            field: _kept(_on_held_day(entity, slots.get(field)) if corrects else entity)
            for field, entity in chosen.items()
        }
        if opening and "detected_at" in chosen and not _has_time(chosen["detected_at"]):
            del found["detected_at"]  # "cette nuit": the day is known, the hour is asked
            found[DAY_ONLY] = _day_only(chosen["detected_at"], text)
        for field in [f for f in found if f in ("detected_at", "started_at") and not _has_time(chosen[f])]:
            if _same_day_with_hour(found[field], slots.get(field)):
                del found[field]  # "le bloc de cet après-midi" at the summary: the day says less than the time held
        said_both = slots.get("detected_at") and slots.get("detected_at") == slots.get("started_at")
        if not opening and set(found) == {"detected_at"} and said_both:
            found["started_at"] = found["detected_at"]  # "depuis 7h" put right: begun and seen at 6h30
        return found
    return {}


def _before_noticed(text: str, detected: str) -> Optional[str]:
    """ "vingt minutes avant qu'on s'en rende compte", "quarante minutes plus tôt": the start, that
    long before the detection held (when it has its hour)."""
    noticed, folded = datetime.fromisoformat(detected), fold(text)
    said = BEFORE_NOTICED.search(folded)
    if not said or said_without_hour(noticed):
        return None
    words = folded[: said.start()].split()[-5:]
    for first in range(len(words)):  # the longest run of words before the cue that is a duration
        ago = "il y a " + " ".join(words[first:])
        found = find_dates(ago, noticed)
        if len(found) == 1 and found[0].has_time and found[0].start == 0 and found[0].end == len(ago):
            return found[0].value.isoformat()
    return None


def _same_day_with_hour(day: str, held: Optional[str]) -> bool:
    if not held:
        return False
    moment = datetime.fromisoformat(held).astimezone(PARIS)
    return not said_without_hour(moment) and moment.date() == datetime.fromisoformat(day).astimezone(PARIS).date()


def _taken_back(dates: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """An answer that puts itself right: "à 6 h 40… non attendez, 6 h 04" is 6 h 04; "ya 3h… non
    2h30" is two hours and a half ago, not 2 h 30 of the night."""
    out: List[Dict[str, Any]] = []
    for entity in dates:
        if out and TAKEN_BACK.search(fold(text[out[-1]["end"] : entity["start"]])):
            dropped = out.pop()
            if RELATIVE.search(fold(_words(dropped, text))):
                entity = _as_long_ago(entity, text)
            elif not _rolling(dropped):
                entity = _on_held_day(entity, dropped["value"])  # "hier à 9h, non, 10h": yesterday at 10h
        out.append(entity)
    return out


def _as_long_ago(entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    said = text[entity["start"] : entity["end"]]
    if not _rolling(entity) or not BARE_DURATION.match(fold(said)):
        return entity
    found = find_dates(f"il y a {said}", datetime.now(PARIS))
    return {**entity, "value": found[0].value.isoformat(), "additional_info": {"has_time": True}} if found else entity


def _first_moment(dates: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """Of the times an answer to "depuis quand ?" gives, the one said as the first ("le premier fichier
    chiffré porte 23 h 05"), else those that are not the last moment all was well ("les derniers
    fichiers sains datent de 18 h")."""
    if len(dates) < 2:
        return dates
    begun = [d for d in dates if BEGAN.search(_context(text, d))]
    return begun or [d for d in dates if not LAST_GOOD.search(_context(text, d))] or dates


def _most_precise(dates: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The answer's first date, or the same day said again with its hour: "ça dure depuis trois
    jours : déposé il y a trois jours vers 4h"."""
    first = dates[0]
    if _has_time(first):
        return first
    day = datetime.fromisoformat(first["value"]).date()
    timed = [d for d in dates[1:] if _has_time(d) and datetime.fromisoformat(d["value"]).date() == day]
    return timed[0] if timed else first


def _same_moment(entity: Dict[str, Any], other: Dict[str, Any]) -> bool:
    """The same date, or the same clock time said again ("pas à 22h. 22h, c'est…")."""
    return _says(entity, other["value"]) if _rolling(other) else entity["value"] == other["value"]


def _says(entity: Dict[str, Any], value: str) -> bool:
    """``entity`` is the moment ``value``: the same date, or, for a time said alone, the same clock."""
    return entity["value"] == value or (_rolling(entity) and _clock(entity["value"]) == _clock(value))


def _clock(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(PARIS).strftime("%H:%M")


def _corrected_field(
    denied: List[Dict[str, Any]], slots: Dict[str, Any], text: str, said: Dict[str, Any]
) -> Optional[str]:
    """ "hier à 18h40, pas à 22h": the field that held 22h is the one put right. "La coupure a
    commencé à 0h40, pas 1h", when 1h was held as the detection and no start: the start is put
    right, and 1h stays when it was seen."""
    for field in ("detected_at", "started_at"):
        held = slots.get(field)
        if held and any(_says(d, held) for d in denied):
            began = BEGAN.search(fold(_clause(text, said["start"], said["end"]))) and not _noticed(text, said)
            return "started_at" if field == "detected_at" and began and not slots.get("started_at") else field
    return None


def _explained(text: str, entity: Dict[str, Any]) -> bool:
    return is_correction(text) and bool(EXPLAINED.match(fold(text[entity["end"] :]).lstrip(" ,:")))


def _dated_thing(text: str, entity: Dict[str, Any]) -> bool:
    if _has_time(entity) or _noticed(text, entity):  # "l'équipe de cette nuit a trouvé…" dates it
        return False
    thing = DATED_THING.search(fold(text[: entity["start"]]))
    return bool(thing) and not INCIDENT_NOUNS.match(thing.group("noun"))


def _began_and_noticed(dates: List[Dict[str, Any]], text: str) -> Dict[str, Dict[str, Any]]:
    """Of several dates, the last one said with a word of noticing ("constaté à 7h30") is the
    detection, else the latest; the earliest before it is the start."""
    ordered = sorted(dates, key=lambda e: e["value"])
    noticed = [e for e in ordered if _noticed(text, e)] or [e for e in ordered if _noticed(text, e, TOLD)]
    detected = noticed[-1] if noticed else ordered[-1]
    before = [e for e in ordered if e["value"] < detected["value"]]
    # "Première requête POST … avant-hier juste avant minuit", not "le correctif est sorti il y a trois semaines"
    begun = [e for e in before if BEGAN.search(_context(text, e))]
    return {"detected_at": detected, **({"started_at": (begun or before)[0]} if before else {})}


def _joined(dates: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """ "Hier, lors du contrôle, vers 16h": a day said alone, then a time with no day of its own,
    are one date."""
    out: List[Dict[str, Any]] = []
    for entity in dates:
        day = out[-1] if out else None
        apart = day and SENTENCE_END.search(text[day["end"] : entity["start"]])
        if day and not _has_time(day) and not apart:
            entity = _part_of_day(day, entity, text)
        # across sentences, only a time that fits the day as said: "hier… Je me suis garée à
        # 14h" is yesterday at 14h, "…depuis hier en fin d'après-midi. Le prestataire a
        # rappelé à 8h15" is not yesterday at 20h15, "Ce matin c'est pareil. J'ai un atelier à 10 h"
        # is not this morning at 10h
        if day and not _has_time(day) and _rolling(entity) and not (apart and _other_event(text, entity)):
            joined = _on_day(_day_words(day, text), text[entity["start"] : entity["end"]])
            if joined and (not apart or _clock(joined) == _clock(entity["value"])):
                out[-1] = {**day, "end": entity["end"], "value": joined, "additional_info": {"has_time": True}}
                continue
        out.append(_later_that_day(entity, day, text))
    return out


def _part_of_day(day: Dict[str, Any], entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    """ "on a trouvé hier un cryptomineur… remonté en fin de matinée": a part of the day said without
    its day, in the sentence of a day, is of that day (not of today)."""
    said = text[entity["start"] : entity["end"]]
    if _has_time(entity) or not DAYLESS_PART.match(fold(said)):
        return entity
    words = f"{_day_words(day, text)} {said}"
    found = find_dates(words, datetime.now(PARIS))
    if len(found) != 1 or found[0].start != 0 or found[0].has_time:
        return entity
    return {**entity, "value": found[0].value.isoformat(), "day_words": words}


def _day_words(day: Dict[str, Any], text: str) -> str:
    return day.get("day_words") or _words(day, text)


def _on_held_day(entity: Dict[str, Any], held: Optional[str]) -> Dict[str, Any]:
    """A time alone that puts a date right keeps its day: "le mail est parti à 11h15, pas à 11h50"
    for yesterday at 11h50 is yesterday at 11h15."""
    if not held or not _rolling(entity):
        return entity
    moment = _clock_on_day_of(entity, held)
    return _dated(entity, moment) if moment <= datetime.now(PARIS) else entity


def _later_that_day(entity: Dict[str, Any], before: Optional[Dict[str, Any]], text: str) -> Dict[str, Any]:
    """A time said without a day, after a past day's time and later than it, is of that day: "hier à
    11h50 j'ai envoyé le planning… je m'en suis rendu compte à midi et demi" (yesterday at 12h30).
    So is an earlier time said as where it came from: "hier vers 17h30 l'EDR a bloqué un cheval de
    Troie. Origine : une clé branchée vers 14h" (yesterday at 14h, not today)."""
    if not before or not _rolling(entity) or _rolling(before) or not _has_time(before):
        return entity
    said = datetime.fromisoformat(before["value"]).astimezone(PARIS)
    moment = _clock_on_day_of(entity, before["value"])
    if said.date() >= datetime.now(PARIS).date():
        return entity
    sentence = fold(text[max(text.rfind(sep, 0, entity["start"]) for sep in ".;!?\n") + 1 : entity["end"]])
    if moment <= said and not ORIGIN.search(sentence):
        return entity
    return _dated(entity, moment)


def _clock_on_day_of(entity: Dict[str, Any], value: str) -> datetime:
    """The clock time of ``entity`` on the day of the date ``value``."""
    clock = datetime.fromisoformat(entity["value"]).astimezone(PARIS)
    return datetime.fromisoformat(value).astimezone(PARIS).replace(hour=clock.hour, minute=clock.minute)


def _dated(entity: Dict[str, Any], moment: datetime) -> Dict[str, Any]:
    """``entity`` at ``moment``, a day of its own now."""
    return {**entity, "value": moment.isoformat(), "additional_info": {**entity["additional_info"], "rolling": False}}


def _before_detection(entity: Dict[str, Any], text: str, detected: Optional[str]) -> str:
    """When it began, read before the detection: "vers 21h30" after a detection yesterday at 22h is
    yesterday at 21h30; "hier soir" for a detection yesterday at 19h is that day, its hour not said.
    A detection kept without its hour ("ce matin") lasts until the end of its day."""
    value = _kept(entity)
    began, noticed = datetime.fromisoformat(entity["value"]), datetime.fromisoformat(detected) if detected else None
    if noticed is not None and said_without_hour(noticed):
        noticed = noticed.replace(hour=23, minute=59)
    if noticed is None or began <= noticed:
        return value
    if _rolling(entity):
        found = find_dates(text[entity["start"] : entity["end"]], noticed)
        return found[0].value.isoformat() if found else value
    if not _has_time(entity) and began.date() == noticed.date():
        return value
    if RELATIVE.search(fold(text)) and began - noticed <= SAME_MOMENT:
        return detected  # "il y a 5 heures" twice: the clock moved between the two answers
    return value


def _detection_answer(entity: Dict[str, Any], text: str, day: Optional[Dict[str, str]]) -> Dict[str, Any]:
    """The answer to "quand ?": a time with the day already said ("vers 8h30" after "ce matin"),
    a day and a time, or a day alone, whose hour is then asked once."""
    if day and _has_time(entity):
        joined = _on_day(day["text"], text)
        if joined:
            return {"detected_at": joined}
    if _has_time(entity) or day:
        return {"detected_at": _kept(entity)}
    return {DAY_ONLY: _day_only(entity, text)}


def _on_day(day: str, answer: str) -> Optional[str]:
    """ "ce matin" + "vers 8h30" read as one date, when the answer names no day of its own."""
    joiner = " " if JOINED_TIME.match(fold(answer)) else " à "
    combined = f"{day}{joiner}{answer.strip()}"
    found = find_dates(combined, datetime.now(PARIS))
    if len(found) == 1 and found[0].start == 0 and found[0].has_time:
        return found[0].value.isoformat()
    return None


def _has_time(entity: Dict[str, Any]) -> bool:
    return bool((entity.get("additional_info") or {}).get("has_time", True))


def _rolling(entity: Dict[str, Any]) -> bool:
    return bool((entity.get("additional_info") or {}).get("rolling"))


def _words(entity: Dict[str, Any], text: str) -> str:
    return START_WORDS.sub("", text[entity["start"] : entity["end"]].strip())


def _day_only(entity: Dict[str, Any], text: str) -> Dict[str, str]:
    words = _words(entity, text)
    return {"value": _kept(entity), "text": words[:1].lower() + words[1:]}  # "Hier soir" said first


def _kept(entity: Dict[str, Any]) -> str:
    """The value a slot keeps: a date said without its hour ("ce matin", "cette nuit") at midnight,
    as the declaration keeps a day alone; the hour the parser gives it (8h for "ce matin") only
    orders it among the other dates said, it was never said."""
    if _has_time(entity):
        return entity["value"]
    moment = datetime.fromisoformat(entity["value"]).astimezone(PARIS)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def _set_aside(text: str, entity: Dict[str, Any]) -> bool:
    before = fold(text[: entity["start"]])
    if SET_ASIDE.search(before):
        return True
    # "non pardon, on l'a vu hier soir pas ce matin", typed fast: in a correction, "pas" with no "ne"
    # before it denies the date after it ("ça marche pas depuis 8h" keeps its date)
    clause = before[max(before.rfind(sep) for sep in ".;!?\n,") + 1 :]
    return is_correction(text) and bool(BARE_PAS.search(clause)) and not NEGATION.search(clause)


def _other_event(text: str, entity: Dict[str, Any]) -> bool:
    begin, end = _clause_bounds(text, entity["start"], entity["end"])
    before = fold(text[begin : entity["start"]])
    return bool(
        BACKUP_DONE.search(fold(text[begin:end]))
        or EVENT_BEFORE.search(before)
        or EVENT_AFTER.match(fold(text[entity["end"] : end]))
        or LAST_GOOD.search(_context(text, entity))
        or SCHEDULED.search(before)
        or (ACTIVITY_OF.search(before) is not None and not _noticed(text, entity))
    )


def _noticed(text: str, entity: Dict[str, Any], cues: re.Pattern = NOTICED) -> bool:
    context = _context(text, entity)
    if UNHEARD.match(fold(text[entity["end"] :])):
        return False
    return any(not UNNOTICED.search(context[: cue.start()]) for cue in cues.finditer(context))


def _context(text: str, entity: Dict[str, Any]) -> str:
    """The folded words that say what a date is the moment of: its clause, and those around it
    when it stands alone between commas."""
    begin, end = _clause_bounds(text, entity["start"], entity["end"])
    alone = not re.search(r"\w", text[begin : entity["start"]] + text[entity["end"] : end])
    # a date alone between commas belongs to the clauses around it: "Hier, en début d'après-midi,
    # un journaliste nous a signalé…"; of the clause before, only its last words ("le prestataire
    # nous a prévenus à l'aube, vers 6h"), not the verb of a long clause whose object the date
    # dates ("le SOC nous remonte des connexions avec le compte d'un interne, la nuit dernière…")
    before = ""
    if alone and begin > 0 and text[begin - 1] == ",":
        before = " ".join(_clause(text, begin - 1, begin - 1).split()[-4:]) + " "
    # the clause after says it too for "quand je suis arrivé à 7h45, j'ai trouvé…"
    if (alone or WHEN_CLAUSE.search(fold(text[begin:end]))) and end < len(text) and text[end] == ",":
        after, end = end + 1, _clause_bounds(text, end + 1, end + 1)[1]
        # and the clause after a gerund: "hier soir vers 20h15, en regardant Facebook, j'ai vu…"
        if GERUND.match(fold(text[after:end])) and end < len(text) and text[end] == ",":
            end = _clause_bounds(text, end + 1, end + 1)[1]
    return fold(before + text[begin:end])


def _about_complaint(text: str, entity: Dict[str, Any]) -> bool:
    """ "plainte déposée ce matin" dates the complaint, not the incident."""
    return any(cue in _clause(text, entity["start"], entity["end"]).lower() for cue in COMPLAINT_CUES)


def _clause(text: str, start: int, end: int) -> str:
    begin, stop = _clause_bounds(text, start, end)
    return text[begin:stop]


def _clause_bounds(text: str, start: int, end: int) -> Tuple[int, int]:
    begin = max(text.rfind(sep, 0, start) for sep in ".;!?\n,") + 1
    stops = [i for i in (text.find(sep, end) for sep in ".;!?\n,") if i >= 0]
    return begin, min(stops, default=len(text))


def _corrects(text: str, requested: Optional[str]) -> bool:
    """Whether the message puts an earlier fact right. To another question than a date, a leading
    "non," answers that question ("non, on m'a prêté un autre téléphone ce matin" to the effect on
    care): it does not make the dates of the rest a correction."""
    if requested not in (None, "detected_at", "started_at", "confirmed"):
        text = YES_NO_THEN.sub("", fold(text), count=1)
    return is_correction(text)


def is_correction(text: str) -> bool:
    folded = fold(text)
    return any(folded.startswith(cue) or f" {cue}" in folded for cue in CORRECTION_CUES)


def _says_start(text: str) -> bool:
    """ "ça a commencé…", "la première connexion suspecte date de…": the date is the start's."""
    folded = fold(text)
    return any(cue in folded for cue in START_CUES) or BEGAN.search(folded) is not None


def _answer(
    requested: Optional[str], intent: Optional[str], text: str, found: Dict[str, Any], slots: Dict[str, Any]
) -> Dict[str, Any]:
    """The value answering the pending question, when no entity gave it (for a list, what the
    words name is added to what the entities gave)."""
    if requested in schema.LIST_FIELDS and intent != "dont_know" and not is_correction(text):
        named = _list_from_words(requested, text)
        if named:
            return {requested: sorted(set(found.get(requested) or []) | set(named))}
    leading = _leading_yes_no(requested, text)
    if leading and found.get(requested) in ("oui", "non") and found[requested] != leading:
        return {requested: leading}  # "non, le support du GHT c'est le CHU de Rouen": the CHU is OSE, not us
    if requested in PLANNABLE and intent != "dont_know" and not NOT_KNOWN.match(fold(text)):
        said = _done_or_planned(text)
        if said:
            return {requested: said}  # before the words' "porte plainte": "la cadre porte plainte cet aprem"
    label = _leading_choice(requested, text)
    if label:
        return {requested: label}  # "Maîtrisé : filtrage actif, liaison rétablie": the label said first
    if not requested or requested in found:
        return {}
    if requested == "confirmed":
        return {"confirmed": True} if intent == "affirm" else {}
    put_right = {
        k: v for k, v in found.items() if k not in KEPT_UNLESS_CORRECTED or _may_correct(k, text, slots, requested)
    }
    if is_correction(text) and any(slots.get(k) not in (None, [], "inconnu", v) for k, v in put_right.items()):
        # "non, c'était à 12h" corrects a fact; its "non" answers nothing. A fact left unknown is not put right:
        # "non les traitements ont été donnés avec le classeur" answers the question, and tells the care impact.
        # Nor is a registered structure: "non, le support de notre GHT est le CHR d'Orléans" answers the OSE one
        return {}
    if intent == "dont_know":
        return {requested: _not_known(requested)}
    if requested in schema.ENUM_FIELDS:
        by_words = _enum_from_words(requested, text)
        if by_words:
            return {requested: by_words}
        if (intent == "deny" or _starts_negative(text)) and requested in DENY_ANSWERS:
            return {requested: DENY_ANSWERS[requested]}
        answer = INTENT_ANSWERS.get(intent or "")
        return {requested: answer} if answer in schema.ENUM_FIELDS[requested] else {}
    if requested in FREE_TEXT_FIELDS or requested in RAW_TEXT_FIELDS:
        return {requested: text} if text else {}
    if requested in schema.LIST_FIELDS and (intent == "deny" or _starts_negative(text)):
        return {requested: []}  # "aucun" (the spec: an empty list is none)
    return {}


def _leading_choice(field: Optional[str], text: str) -> Optional[str]:
    """The label of one of several choices said first ("Mode dégradé au bloc ; aucune déprogrammation"),
    whatever the words after it name. Not for yes or no, read with what follows them."""
    choices = schema.ENUM_FIELDS.get(field or "") or {}
    if set(choices) <= {"oui", "non", "inconnu", "prevue"} or NOT_KNOWN.match(fold(text)):
        return None
    folded = fold(text).strip()
    words = f"{WORD_SEPARATORS.sub(' ', folded).strip()} "
    names = {value: WORD_SEPARATORS.sub(" ", fold(label.split("(")[0])).strip() for value, label in choices.items()}
    for value, name in names.items():
        if not name or not words.startswith(f"{name} "):
            continue
        longer = any(other != name and other.startswith(name) for other in names.values())
        # "Établissement de santé privé d'intérêt collectif" is not the private one, nor is "aucun
        # transfert, mais…" no effect: a label that begins a longer one, or of one word, counts only
        # said alone ("Privé. …", "Aucun ; les rendez-vous sont pris par téléphone")
        alone = r"\W*" + r"\W+".join(map(re.escape, name.split())) + LABEL_END
        if not (longer or " " not in name) or re.match(alone, folded):
            return value
    return None


def _done_or_planned(text: str) -> Optional[str]:
    """A complaint or a notification: planned ("prévue", "je vais à la gendarmerie cet aprem", "le
    patient a porté plainte et l'établissement va aussi le faire"), unless the plan is denied; not
    done ("non, pas encore", "on n'a pas porté plainte"); done."""
    words = f" {WORD_SEPARATORS.sub(' ', fold(text))} "
    if UNDECIDED.search(words):
        return None  # "pas encore décidé", "on attend de savoir s'il faut": not known yet
    if NOT_PLANNED.search(words) or (LEADING_NO.match(words) and not NO_BUT_PLANNED.search(words)):
        return "non"
    if PLANNED.search(words):
        return "prevue"
    if NOT_DONE.search(words):
        return "non"
    return None


def _not_known(field: str) -> str:
    entry = registry.BY_NAME.get(field)
    return (entry.not_known if entry else None) or registry.UNKNOWN


def _leading_yes_no(field: Optional[str], text: str) -> Optional[str]:
    """ "oui" or "non" said first, as the answer to a yes-or-no question, or None."""
    if not {"oui", "non"} <= set(schema.ENUM_FIELDS.get(field or "", ())):
        return None
    match = YES_NO_THEN.match(fold(text))
    return match.group(1) if match and match.group(1) != "pas encore" else None


def _news(text: str, named_later: bool = False) -> bool:
    """A sentence about the incident ("on vient de transférer les urgences…"), not a name nor where
    the person works ("on travaille à l'EHPAD de la Roseraie", "je suis au CH de Dax"). With
    ``named_later`` (the place is being confirmed), a place named after the first sentence is news too:
    "Nouveau : le serveur du labo s'est arrêté. Le labo de Monod passe en mode dégradé"."""
    folded = fold(text)
    if WORKPLACE.search(folded) is not None or len(folded.split()) < NEWS_WORDS:
        return False
    if SENTENCE_START.match(folded):
        return True
    # "Pardon, un patient sonne, je dois arrêter là": a sentence after the first words, and no
    # name, kind of place or place of the register anywhere ("Clinique du Parc, on a tout perdu",
    # "la timone, on a un souci" name one first)
    later = any(SENTENCE_START.match(clause) for clause in CLAUSE_SEPARATORS.split(folded)[1:])
    if later and NAME_LIKE.search(text) is None and not query_words(text)[1] and not structure.candidates_for(text):
        return True
    # "Update : le chiffrement a aussi touché quatre VM sur le site de Chamonix, même note de rançon": a long
    # message that tells what the incident does, and no structure's name ("CH de Dax, on a un rançongiciel")
    found = extract_facts(text)
    facts = {fact.field for fact in found}
    first = SENTENCE_END.search(text)
    named = [f for f in found if f.field == "structure_name" and not (named_later and first and f.start > first.end())]
    return len(folded.split()) >= LONG_NEWS_WORDS and bool(facts & NEWS_FACTS) and not named


def _directed_choice(requested: Optional[str], text: str) -> Dict[str, Any]:
    """The choice the person tells Vigie to write, last: "ce n'est pas vraiment une panne, pas vraiment
    un virus, mettez autre" is "autre", whatever the words before it name."""
    said = DIRECTED_CHOICE.search(fold(text))
    if requested not in schema.ENUM_FIELDS or not said:
        return {}
    value = _enum_from_words(requested, said.group(1))
    return {requested: value} if value else {}


def _enum_from_words(field: str, text: str) -> Optional[str]:
    """An answer that names a choice: its label ("Mode dégradé"), its value, a word made on a long
    one ("potentiellement", "maîtrisée"), or "prévu" ("pas encore": it is to be done)."""
    words = f" {WORD_SEPARATORS.sub(' ', fold(text))} "
    choices = schema.ENUM_FIELDS[field]
    concluded_choice = CONCLUDED_CHOICE.search(words.strip())
    if concluded_choice and concluded_choice.start() > 0:
        value = _enum_from_words(field, concluded_choice.group(1))
        if value:
            return value
    if "prevue" in choices and PLANNED.search(words):
        return "prevue"
    kept = NEGATED_WORD.sub(" ", words)
    for value, cues in ANSWER_CUES.get(field, ()):
        if cues.search(words if value == DENY_ANSWERS.get(field) else kept):
            return value
    if "oui" in choices:
        leading = YES_NO.match(words)
        if leading:
            return "oui" if leading.group(1) else "non"
        concluded = CONCLUDED.search(words)  # "… des certificats médicaux, donc oui"
        if concluded:
            return concluded.group(1)
    for value, label in schema.ENUM_FIELDS[field].items():
        for name in (WORD_SEPARATORS.sub(" ", fold(label)).strip(), value.replace("_", " ")):
            if len(name) > 3 and f" {name} " in words or len(name) >= LONG_LABEL and f" {name}" in words:
                return value
    return None


def _list_from_words(field: str, text: str) -> List[str]:
    """The choices an answer names, by label, value or cue, leaving out the clauses it is not sure
    of and the negated words ("pas de vol de données, juste la disponibilité")."""
    named: List[str] = []
    for clause in CLAUSE_SEPARATORS.split(fold(text)):
        if HEDGED_CLAUSE.search(clause):
            continue
        words = NEGATED_WORD.sub(" ", f" {WORD_SEPARATORS.sub(' ', clause)} ")
        for value, label in schema.LIST_FIELDS[field].items():
            names = (WORD_SEPARATORS.sub(" ", fold(label)).strip(), value.replace("_", " "))
            if any(f" {name} " in words for name in names if len(name) > 3):
                named.append(value)
        named += [value for value, cues in LIST_ANSWER_CUES.get(field, ()) if cues.search(words)]
        if field == "data_impact" and ALL_THREE.search(words):
            named += list(schema.LIST_FIELDS[field])
    return list(dict.fromkeys(named))


def _has_incident_facts(entities: List[Dict[str, Any]]) -> bool:
    informative = {
        "incident_type",
        "affected_systems",
        "care_impact",
        "data_impact",
        "datetime",
        "patient_endangerment",
        "perimeter",
        "health_data_involved",
    }
    return any(e["entity"] in informative for e in entities)


def _implied(values: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """What the facts imply for fields the user has not given (never overrides them)."""
    merged = {**slots, **values}
    implied: Dict[str, Any] = {}
    incident_type = merged.get("incident_type")
    kind = _kind(incident_type)
    if "incident_type" in values and incident_type in schema.INCIDENT_TYPE_ORIGIN:
        implied["origin"] = schema.INCIDENT_TYPE_ORIGIN[incident_type]
    systems = set(merged.get("affected_systems") or [])
    if merged.get("health_data_involved") is None and systems & HEALTH_DATA_SYSTEMS:
        implied["health_data_involved"] = "oui"
    elif merged.get("health_data_involved") is None and kind and kind.health_data:
        implied["health_data_involved"] = kind.health_data.value
    care = merged.get("care_impact")
    if (
        merged.get("patient_endangerment") is None
        and care in ("mode_degrade", "interruption")
        and systems & CARE_SYSTEMS
    ):
        implied["patient_endangerment"] = "potentielle"
    elif merged.get("patient_endangerment") is None and _care_untouched(care, systems, merged):
        implied["patient_endangerment"] = "aucune"
    impacts = _implied_data_impact(incident_type, care, merged)
    if impacts - set(merged.get("data_impact") or []):
        implied["data_impact"] = sorted(set(merged.get("data_impact") or []) | impacts)
    elif merged.get("data_impact") is None and kind and kind.data_impact == frozenset() and not impacts:
        implied["data_impact"] = []  # the spec: an empty list is none
    return {field: value for field, value in implied.items() if field in values or slots.get(field) != value}


def _kind(incident_type: Optional[str]) -> Optional[registry.IncidentType]:
    return registry.IncidentType.of(incident_type) if incident_type in schema.INCIDENT_TYPE_ORIGIN else None


def _care_untouched(care: Optional[str], systems: set, merged: Dict[str, Any]) -> bool:
    """No effect on the activity, no care system touched, no data altered: care could not have
    been harmed (the spec's "potentielle"), so no patient was put in danger."""
    return (
        care == "aucun"
        and bool(systems)
        and not systems & CARE_SYSTEMS
        and "integrite" not in (merged.get("data_impact") or [])
    )


def _care_tells_availability(kind: Optional[registry.IncidentType]) -> bool:
    """Care in degraded mode means systems stopped, unless the type says what it did to data (a stolen
    tablet: confidentiality) or a malfunction may have altered data instead (wrong doses shown):
    then the question is asked."""
    return kind is None or (kind.data_impact is None and kind != registry.IncidentType.DYSFONCTIONNEMENT_LOGICIEL)


def _implied_data_impact(incident_type: Optional[str], care: Optional[str], merged: Dict[str, Any]) -> set:
    kind = _kind(incident_type)
    impacts = {impact.value for impact in (kind.data_impact if kind and kind.data_impact else ())}
    if incident_type == "erreur_humaine" and "messagerie" in (merged.get("affected_systems") or []):
        impacts.add("confidentialite")
    if care in ("mode_degrade", "interruption") and _care_tells_availability(kind):
        impacts.add("disponibilite")
    if incident_type == "compromission_compte" and merged.get("health_data_involved") == "oui":
        impacts.add("confidentialite")
    return impacts
