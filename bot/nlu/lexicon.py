"""How staff name things, mapped onto the identifiers of the declaration spec.

Built from ../shared/spec/vocabulary.md. Every pattern is a regular expression
matched on folded text (lower case, no accents, see `bot.nlu.text.fold`), so
"rançon", "rancon" and "RANÇON" all match "rancon". Order matters where a
field takes a single value: the first value listed wins when several match,
so the more specific readings come first.
"""

# A possessive or article between a noun and its qualifier: "compte (de l'interne) piraté".
_GAP = r"(?:\s+[\w'-]+){0,4}?\s+"

INCIDENT_TYPE = [
    (
        "rancongiciel",
        [
            r"\b(?:sont|ont ete|a ete|tous|toutes)\s+(?:\w+\s+)?(?:chiffre|crypte)e?s?\b",
            r"ran[cs]on(?:g?iciel|logiciel)?s?",
            r"ransom\w*",
            r"crypto ?(?:locker|virus)",
            r"lockbit",
            r"fichiers? (?:sont |ont ete |tous )*(?:chiffres|cryptes|encryptes)",
            r"tout est (?:chiffre|crypte)",
            r"extensions? (?:bizarres?|\.\w+)",
            r"en \.\w+\b(?=.*fichier)|fichiers en \.\w+",
        ],
    ),
    (
        "defiguration",
        [
            r"defigur\w+",
            r"page d'accueil .{0,40}remplacee",
            r"defiguration",
            r"defacement",
            r"defacage",
            r"page d'accueil (?:a ete )?modifiee",
            r"site (?:a ete )?tague",
        ],
    ),
    ("deni_de_service", [r"ddos", r"deni de service", r"site sature", r"attaque par saturation", r"\bdos\b"]),
    (
        "fraude_usurpation",
        [
            r"se fai\w+ passer pour (?:notre|l'|la|le)",
            r"fausses? factures?",
            r"nouveau rib",
            r"usurpation de l'identite",
            r"faux sms de paiement",
            r"fraude au president",
            r"fovi",
            r"faux (?:ordre de )?virement",
            r"faux rib",
            r"changement de rib",
            r"arnaque",
            r"escroquerie",
            r"spoofing",
            r"usurpation d'identite",
        ],
    ),
    (
        "compromission_compte",
        [
            r"boite (?:mail |pro )?(?:du \w+ |de \w+ |d'une? \w+ )?(?:est |a ete )?(?:piratee|compromise)",
            r"envoie des (?:spams|mails qu'on)",
            r"identifiants (?:ont |a )?fuite",
            r"tentatives? de connexion",
            r"(?:servi a|pour) se connecter depuis",
            r"connexions? (?:\w+ ){0,3}depuis (?:la|le|les|l') ?(?:russie|chine|bresil|nigeria|etranger|pays-bas|\w+ie\b)",
            r"a ete utilise .{0,60}alors que personne",
            r"(?:obtenu|change) (?:le )?mot de passe",
            r"se connecte encore",
            r"comptes?" + _GAP + r"(?:pirates?|compromis|usurpes?|vole)",
            r"comptes? (?:pirates?|compromis|usurpes?)",
            r"(?:mot de passe|mdp|identifiants?|credentials)(?: \w+)? (?:voles?|derobes?|compromis)",
            r"(?:tape|saisi|donne|entre) (?:son|ses|leur|mon|mes) (?:mdp|mot de passe|identifiants?)",
            r"connexions? (?:\w+ )?(?:suspectes?|anormales?|inhabituelles?)",
            r"connexions? vpn depuis",
            r"boite (?:mail |aux lettres )?(?:piratee|compromise)",
            r"brute ?force",
            r"usurpation de compte",
            r"envoie des (?:mails|courriels|messages) (?:bizarres|suspects|frauduleux)",
            r"prise de controle (?:du|de son|d'un) compte",
        ],
    ),
    (
        "fuite_donnees",
        [
            r"(?:donnees|fichiers?|captures?|dossiers?|comptes rendus|mails)\b.{0,60}(?:circulent|diffuse\w*|publie\w*|sortis|telecharges)",
            r"(?:partage|serveur)\b.{0,40}(?:public|expose)",
            r"exporte des dossiers",
            r"fuite de (?:donnees|dossiers)",
            r"data ?leak",
            r"exfiltr\w+",
            r"donnees (?:\w+ )?(?:ont ete )?publiees",
            r"site de leak",
            r"dark ?web",
            r"donnees dans la nature",
            r"divulgation",
        ],
    ),
    (
        "vol_perte_materiel",
        [
            r"\b(?:vole|volee|voles|volees|derobee?s?)\b",
            r"\bperte (?:du|d'un|de la|d'une) (?:pc|portable|telephone|tablette|cle|ordinateur|disque)",
            r"cambriole\w*",
            r"ont ete emportes",
            r"(?:pc|ordinateur|ordi|portable|laptop|telephone|smartphone|cle usb|disque(?: dur)?|tablette)s?"
            r"(?: \w+){0,5} (?:vole|perdu|disparu|derobe)e?s?",
            r"(?:fait|fais) voler",
            r"\bvol (?:de|d'un|d'une|du)\b",
            r"cambriolage",
            r"(?:perdu|oublie) (?:son|sa|un|une) (?:pc|ordinateur|portable|telephone|cle usb)",
        ],
    ),
    (
        "acces_illegitime_interne",
        [
            r"dossiers?\b.{0,50}sans (?:raison|motif|autorisation)",
            r"consult\w+ les dossiers de ses",
            r"consultations? abusives?",
            r"par curiosite",
            r"acces (?:non justifies?|injustifies?|illegitimes?)",
            r"bris de glace",
        ],
    ),
    (
        "logiciel_malveillant",
        [
            r"\bver\b",
            r"emotet|qakbot|cobalt ?strike",
            r"cles? usb suspectes?",
            r"virus",
            r"malware",
            r"\bver informatique",
            r"cheval de troie",
            r"trojan",
            r"cle usb infectee",
            r"(?:antivirus|edr) a (?:detecte|bloque|mis en quarantaine)",
            r"logiciel malveillant",
            # the program that steals passwords; their use is an account compromise, read first
            r"infostealer",
        ],
    ),
    (
        "hameconnage",
        [
            r"sms frauduleux",
            r"mails? frauduleux",
            r"faux (?:technicien|support)",
            r"fausse page de paiement",
            r"phishing",
            r"fishing",
            r"hame[cs]onnage",
            r"spear",
            r"mail (?:piege|frauduleux|suspect|malveillant)",
            r"faux (?:mail|courriel|message)",
            r"(?:mail|courriel|message|sms) qui (?:ressembl|imit)\w+",  # one that looks like the bank's
            r"lien (?:frauduleux|piege|malveillant)",
            r"malspam",
            r"smishing",
            r"vishing",
        ],
    ),
    (
        "compromission_si",
        [
            r"attaque (?:informatique|cyber)",
            r"pris la main a distance",
            r"commande et controle",
            r"boitier inconnu",
            r"\bpirater\b",
            r"victime d'une attaque",
            r"serveurs? (?:\w+ ){0,2}(?:compromis|infectes?)",
            r"intrusion",
            r"pirat(?:age|e|es)\b",
            r"\bhack\w*",
            r"mouvement lateral",
            r"porte derobee",
            r"backdoor",
            r"exploitation (?:de |d'une )?(?:la )?faille",
            r"vulnerabilite",
            r"webshell",
            r"cryptomin\w+",
            r"cyber ?attaque",
        ],
    ),
    (
        "erreur_humaine",
        [
            r"mauvais (?:numero|medecin|service)",
            r"copie visible",
            r"erreur de manip",
            r"ecrase les donnees",
            r"mauvais(?:e)? (?:destinataire|adresse|fax|manip\w*)",
            r"par erreur",
            r"fausse manip\w*",
            r"erreur de (?:parametrage|manipulation|destinataire|saisie)",
            r"supprime par erreur",
            r"erreur humaine",
        ],
    ),
    (
        "sinistre",
        [
            r"\bfoudre\b",
            r"\borage\b",
            r"incendie",
            r"depart de feu",
            r"inondation",
            r"degat des eaux",
            r"fuite d'eau",
            r"clim(?:atisation)? (?:en panne|hs)",
            r"surchauffe",
            r"coupure (?:electrique|de courant|edf)",
            r"panne (?:electrique|edf|de courant)",
            r"onduleur",
            r"groupe electrogene",
        ],
    ),
    (
        "perte_lien_telecom",
        [
            r"plus de telephon\w*",
            r"telephonie (?:ip )?(?:est )?tombee",
            r"perte de (?:la )?liaison",
            r"dect\b.{0,30}ne fonctionnent plus",
            r"coupure (?:de (?:la )?)?fibre",
            r"fibre (?:\w+ )?coupee",
            r"coupure (?:du )?reseau",
            r"plus de reseau",
            r"lien (?:operateur|internet|telecom) (?:coupe|perdu|hs)",
            r"coupure internet",
            r"plus d'internet",
            r"perte (?:du |de )?(?:lien|liaison|connexion internet)",
            r"plus de liaison",
        ],
    ),
    (
        "defaillance_prestataire",
        [
            r"(?:editeur|prestataire|infogereur|hebergeur)\b.{0,40}(?:injoignable|ne repond pas|en panne|a coupe|a perdu|a subi)",
            r"panne generale chez",
            r"(?:heberge|hebergee?s?) (?:chez|par) (?:l'|un |notre |le )?(?:editeur|prestataire|hebergeur)",
            r"(?:editeur|prestataire|hebergeur|infogereur) (?:\w+ ){0,3}(?:en panne|hs|injoignable|defaillant|indisponible)",
            r"panne (?:chez|de) (?:l'|notre )?(?:editeur|prestataire|hebergeur)",
            # what the editor says tells whose fault only when it says where: "l'éditeur dit que c'est chez eux"
            # ("l'éditeur dit que ce n'était pas lui", about an unknown remote session, is an intrusion)
            r"l'editeur dit que (?:c'est |c )?chez (?:eux|lui)",
            r"(?:plusieurs|des) (?:centaines|dizaines) d'etablissements (?:sont )?touches",
        ],
    ),
    (
        "panne_materielle",
        [
            r"(?:disque|switch\w*|baie|routeur|controleur|borne|onduleur|serveur)s?\b.{0,40}(?:mort|lache|grille|tombe\w*|crash\w*)",
            r"crash de la baie",
            r"panne (?:de |du |d'un |d'une |de la )?(?:baie|serveur|san|stockage|switch|disque|materiel|controleur|routeur|nas|equipement)",
            r"(?:serveur|baie|switch|disque|controleur|nas)s? (?:\w+ )?(?:hs|en panne|grille|mort)",
            r"crash disque",
            r"panne materielle",
        ],
    ),
    (
        "dysfonctionnement_logiciel",
        [
            r"\bmaj\b.{0,40}(?:casse|plante|bloque)",
            r"(?:mise a jour|migration)\b.{0,60}(?:casse|corrompu\w*|plus|bloque)",
            r"interface .{0,40}cassee",
            r"message d'erreur",
            r"\bbug\w*",
            r"plantage",
            r"plante\b",
            r"mise a jour (?:ratee|echouee|defectueuse)",
            r"\bmaj (?:ratee|foiree)",
            r"dysfonctionnement",
            r"ecran bleu",
        ],
    ),
]

# Last resort for plain outages ("le DPI est en panne"): the user confirms in the summary.
INCIDENT_TYPE += [
    (
        "panne_materielle",
        [r"(?:serveur|disque|switch|baie|routeur|borne|nas|imprimante)s?\b.{0,30}(?:hs|en panne|down|ne repond plus)"],
    ),
    (
        "dysfonctionnement_logiciel",
        [
            r"(?:logiciel|dpi|dossier patient|messagerie|vpn|sil|pacs|appli\w*|intranet)\b.{0,40}"
            r"(?:hs|en panne|down|ne repond plus|inaccessible|plante|tombe|ne marche plus)"
        ],
    ),
]

AFFECTED_SYSTEMS = [
    (
        "dpi",
        [
            r"\bdpi\b",
            r"dossiers? (?:patients?|medica(?:l|ux)|de soins|residents?)",
            r"dossiers? (?:des |du |de )(?:patients?|residents?|jeunes|enfants|usagers|malades|dialyse|hospitalises)\b",
            r"logiciels? (?:de |des |du )?dialyse",
            r"dxcare",
            r"orbis",
            r"\beasily\b",
            r"crossway",
            r"sillage",
            r"hopital manager",
            r"netsoins",
            r"\btitan\b",
            r"plans? de soins",
            r"logiciels? de soins",
            r"dossiers? informatis\w+",
        ],
    ),
    (
        "pacs_ris",
        [
            r"\bpacs\b",
            r"\bris\b",
            r"imagerie",
            r"serveur d'images?",
            r"\bvna\b",
            r"logiciel de radio",
            r"teleradiologie",
            r"\bradiologie\b",
        ],
    ),
    ("laboratoire_sil", [r"\bsil\b", r"\blis\b", r"logiciel du labo", r"serveur de resultats", r"\bautomates?\b"]),
    (
        "prescription_pharmacie",
        [
            r"prescription",
            r"circuit du medicament",
            r"\bpui\b",
            r"\blap\b",
            r"\blad\b",
            r"la pharmacie ne",
            r"dispensation",
            r"pharmacie (?:hospitaliere|a usage interieur)",
        ],
    ),
    (
        "messagerie",
        [
            r"messagerie",
            r"\b(?:e-?)?mails?\b",
            r"courriels?",
            r"outlook",
            r"webmail",
            r"\bowa\b",
            r"exchange",
            r"(?:microsoft|office) 365",
            r"mssante",
            r"zimbra",
            r"boite (?:mail|aux lettres)",
            r"sa boite",
        ],
    ),
    (
        "annuaire_ad",
        [r"\bad\b", r"active directory", r"annuaire", r"controleur de domaine", r"\bldap\b", r"comptes windows"],
    ),
    (
        "acces_distant_vpn",
        [
            r"\bvpn\b",
            r"acces (?:a )?distance",
            r"acces distant",
            r"teletravail",
            r"citrix",
            r"\brdp\b",
            r"\btse\b",
            r"bastion",
            r"forti(?:net|gate)",
        ],
    ),
    (
        "telephonie",
        [
            r"telephonie",
            r"\btoip\b",
            r"\bipbx\b",
            r"standard(?: telephonique)?\b",
            r"\bdect\b",
            r"\bbips\b",
            r"lignes? telephoniques?",
            r"(?:plus de|pas de|sans) (?:telephone|tel)\b",
        ],
    ),
    (
        "reseau_telecom",
        [
            # not a file share, nor the electricity network
            r"(?<!partage )(?<!lecteur )\breseau\b(?! electrique)",
            r"\bfibre\b",
            r"\bswitch\w*",
            r"wi-?fi",
            r"pare-?feu",
            r"firewall",
            r"lien (?:ght|operateur|internet)",
            r"(?<!site )(?<!depuis )\binternet\b",  # a website, or reached from the internet, is no network fault
        ],
    ),
    (
        "site_internet",
        [r"site (?:internet|web)", r"portail patient", r"prise de (?:rdv|rendez-vous) en ligne", r"intranet"],
    ),
    (
        "gestion_administrative",
        [
            r"\bgam\b",
            r"admissions?",
            r"facturation",
            r"\bpmsi\b",
            r"\bgef\b",
            r"gestion administrative",
            r"administrati(?:f|fs|ve|ves)\b",
            r"comptab\w+",
            r"\brib\b",
            r"virements?",
            r"factures?\b",
            r"gestion financiere",
        ],
    ),
    ("rh_paie", [r"\bpaie\b", r"\brh\b", r"ressources humaines"]),
    (
        "biomedical",
        [
            r"biomedical",
            r"dispositifs? medicaux",
            r"pompes? (?:a perfusion|a insuline)",
            r"\bscanner\b",
            r"\birm\b",
            r"accelerateur",
            r"\btps\b",
            r"dosimetrie",
            r"record (?:&|and|et) verify",
            r"monitorage|monitoring",
            r"\bautomates?\b",
            # the devices of care themselves: "les générateurs de dialyse", "les machines d'hémodialyse"
            r"(?:generateurs?|machines?|appareils?) (?:de |d'|d )(?:dialyse|hemodialyse|anesthesie|ventilation)",
            r"respirateurs?",
            r"pousse[- ]seringues?",
        ],
    ),
    ("regulation_samu", [r"regulation", r"centre 15", r"\bsamu\b", r"\bsmur\b"]),
    (
        "serveurs_infrastructure",
        [
            # "le serveur de résultats" is the lab's system, not the infrastructure
            # nor "le serveur relié aux machines de dialyse", the devices'
            r"serveurs?\b(?!\s+(?:de |du |d'|des |qui |middleware|applicati|biomedic|medic|tps\b|metier|reli|connect|branch))",
            r"serveurs? de (?:fichiers|stockage|virtualisation|donnees)",
            r"virtualisation",
            r"vmware",
            r"esxi",
            r"\bsan\b",
            r"baie de stockage",
            r"salle serveur",
            r"datacenter",
            r"\bnas\b",
            r"hyperviseur",
        ],
    ),
    ("sauvegardes", [r"sauvegardes?", r"backups?"]),
    (
        "poste_de_travail",
        [r"\bpostes?\b(?!\s*\d)", r"\bpc\b", r"ordinateurs?", r"laptop", r"pc portable", r"\btablettes?\b"],
    ),
]

CARE_IMPACT = [
    (
        "interruption",
        [
            r"tout est a l'arret",
            r"plus rien ne (?:marche|fonctionne)",
            r"arret total",
            r"deprogramm\w*",
            r"(?:bloc|interventions?|operations?) (?:\w+ )?annulee?s?",
            r"report (?:des|de) (?:consultations|interventions)",
            r"\b(?:interventions?|operations?|consultations?|seances?|examens?|rendez-vous|rdv) (?:\w+ )?(?:reportee?s|decalee?s)",
            r"delestage",
            r"patients? (?:\w+ )?transferes?",
            r"devie\w* les ambulances",
            r"bascule sur (?:le|un) (?:centre 15|samu)",
            r"interruption (?:des|de l'|d')?(?:soins|activite)",
            r"fermeture des urgences",
        ],
    ),
    (
        "mode_degrade",
        [
            r"mode degrade",
            r"procedures? degradees?",
            r"(?:retour|passe|bascule|travaille) (?:\w+ ){0,3}papier",
            r"sur papier",
            r"\bpca\b",
            r"fonctionnement degrade",
            r"\bclasseurs?\b",
            r"mode manuel",
            r"en degrade",
            r"papier crayon",
        ],
    ),
    (
        "aucun",
        [
            r"aucun impact",
            r"pas d'impact",
            r"sans impact",
            r"activite normale",
            r"aucune consequence",
            r"pas de consequence",
            r"aucun effet sur (?:les soins|l'activite)",
        ],
    ),
]

PATIENT_ENDANGERMENT = [
    # Negations first: "aucun risque pour les patients" is not a risk.
    (
        "aucune",
        [
            r"(?:aucun|aucune|pas de|sans) (?:risque|danger|mise en danger)",
            r"aucun (?:patient|resident) (?:impacte|touche|en danger)",
            r"pas de (?:patient|resident) (?:impacte|touche|en danger)",
        ],
    ),
    (
        "averee",
        [
            r"erreur de dose",
            r"patients? (?:a ete |ont ete )?(?:blesses?|decedes?)",
            r"(?:un|des) patients? (?:a|ont) (?:eu|subi)",
            r"dommage (?:pour|au|a) (?:un |des )?patients?",
            r"perte de chance averee",
            r"mise en danger averee",
            r"evenement indesirable grave",
        ],
    ),
    (
        "potentielle",
        [
            r"risque (?:pour|vital|d'erreur)",
            r"retard (?:de|dans la) prise en charge",
            r"mise en danger",
            r"pourrait mettre en danger",
            r"(?:securite|continuite) des soins",
        ],
    ),
]

HEALTH_DATA = [
    (
        "non",
        [
            r"(?:pas de|aucune) donnees? (?:de sante|patients?|medicales?|personnelles?)",
            r"pas de donnees? (?:de |des )?patients?",
        ],
    ),
    (
        "oui",
        [
            r"donnees? (?:de sante|patients?|medicales?|des patients|des residents)",
            r"dossiers? (?:patients?|medicaux|des patients)",
            r"resultats (?:de|des|d'analyse|biologiques|\d+ patients)",
            r"bilans? (?:sanguins?|biologiques?)",
            r"infos? (?:des )?(?:residents|patients)",
            r"traitements? des patients",
            r"noms? (?:,|et)? ?adresses?",
        ],
    ),
]

DATA_IMPACT = [
    (
        "confidentialite",
        [
            r"fuite",
            r"divulg\w+",
            r"acces non autorise",
            r"donnees exposees",
            r"mauvais(?:e)? (?:destinataire|adresse)",
            r"exfiltr\w+",
            r"publiees",
            r"consultation abusive",
            r"(?:infos?|donnees) (?:\w+ )?dans sa boite",
        ],
    ),
    (
        "integrite",
        [
            r"donnees (?:modifiees|corrompues|alterees)",
            r"corrompu\w*",
            r"doublons",
            r"mauvais patient",
            r"resultats errones",
            r"fichiers? (?:\w+ )?(?:chiffres|cryptes)",
            r"en \.\w+",
            r"supprim\w+ par erreur",
        ],
    ),
    (
        "disponibilite",
        [
            r"inaccessibles?",
            r"indisponibles?",
            r"\bhs\b",
            r"\bdown\b",
            r"plus d'acces",
            r"impossible de se connecter",
            r"ne repond plus",
            r"en panne",
            r"plus de liaison",
            r"ne peut plus",
            r"n'ont plus",
            r"a l'arret",
            r"plus rien ne",
        ],
    ),
]

STRUCTURE_TYPE = [
    # none of the spec's kinds of establishment (not "pas un hôpital": the hospital would come next)
    (
        "autre",
        [
            r"centre (?:municipal |medical |dentaire )?de sante(?! mentale)",
            r"maison (?:de sante|medicale)",
            r"pharmacie d'officine",
            r"etablissement francais du sang",
        ],
    ),
    ("hopital_armees", [r"\bhia\b", r"hopital d'instruction des armees", r"hopital (?:des|militaire)"]),
    ("centre_radiotherapie", [r"centre (?:de )?radiotherapie", r"radiotherapie"]),
    (
        "etablissement_sante_prive_non_lucratif",
        [
            r"\bespic\b",
            r"\bpsph\b",
            r"prive d'interet collectif",
            r"\bclcc\b",
            r"centre de lutte contre le cancer",
            r"(?:prive|privee|etablissement|structure|clinique|hopital) (?:a but |a caractere )?non lucrati",
            r"\ba but non lucrati",
        ],
    ),
    ("laboratoire_biologie_medicale", [r"\blbm\b", r"\blabo(?:ratoire)?s?\b(?! pharmaceutique)", r"biologie medicale"]),
    (
        "esms",
        [
            r"\behpad\b",
            r"\be?ss?ms\b",
            r"\bmas\b",
            r"\bfam\b",
            r"\bime\b",
            r"\besat\b",
            r"\bsessad\b",
            r"\bssiad\b",
            r"soins infirmiers a domicile",
            r"\bsaad\b",
            r"\bsamsah\b",
            r"\bsavs\b",
            r"\bcamsp\b",
            r"\bcmpp\b",
            r"\bitep\b",
            r"\bmecs\b",
            r"residence autonomie",
            r"maisons? de retraite",
            r"maison d'accueil specialisee",
            r"foyer d'hebergement",
            r"medico-?social",
            r"foyer (?:d'accueil|de vie)",
        ],
    ),
    (
        "etablissement_sante_prive",
        [r"polyclinique", r"clinique", r"prive (?:a but )?lucratif", r"prive commercial", r"hopital prive"],
    ),
    (
        "etablissement_sante_public",
        [
            r"\bch[urisg]?\b",
            r"\bchru\b",
            r"\bepsm\b",
            r"centre hospitalier",
            r"etablissement public de sante",
            r"\bhopital\b(?![ -](?:saint|sainte|st|ste)\b)",  # "Hôpital Saint-…": public or ESPIC, as often
            r"ap-?h[pm]",
            r"\bhcl\b",
            r"centre 15",
            r"\bsamu\b",
        ],
    ),
]

# Keywords that open a structure's name; the name runs on through capitalised words.
STRUCTURE_NAME_HEADS = (
    r"(?:CHU|CHRU|CHR|CHI|CHS|CH|GHU|GHT|EPSM|HIA|EHPAD|Ehpad|ehpad|MAS|FAM|IME|ESAT|SSIAD|HAD|LBM|AP-HP|AP-HM|HCL|"
    r"[Cc]entre [Hh]ospitalier(?: [Uu]niversitaire| [Rr]égional| [Ii]ntercommunal)?|[Cc]linique|[Pp]olyclinique|"
    r"[Hh]ôpital|[Hh]opital|[Ll]aboratoire|[Ll]abo|[Rr]ésidence|[Cc]entre de radiothérapie|[Cc]entre de dialyse|"
    r"[Ii]nstitut|[Gg]roupe [Hh]ospitalier|[Ff]ondation|[Mm]aison de retraite"
    # a group's own acronym for one of its sites: "aux HPMB, site de Sallanches"
    r"|[A-Z]{3,6},?\s+site\s+(?:de|d'))"
)

ROLES = [
    ("administrateur de garde", [r"\b(?:l'?)?admin(?:istrateur|istratrice)? (?:de garde|d'astreinte)"]),
    ("RSSI", [r"\brssi\b"]),
    ("DSI", [r"\bdsi\b", r"directeur (?:du |des )?(?:si|systemes? d'information)"]),
    ("DPO", [r"\bdpo\b", r"\bdpd\b", r"delegue a la protection des donnees"]),
    ("directeur", [r"\bdirect(?:eur|rice)(?: general| generale| adjoint| adjointe| des soins)?\b", r"\bdg\b"]),
    (
        "informaticien d'astreinte",
        [r"informaticien(?:ne)?(?: d'astreinte| de garde)?", r"technicien(?:ne)? (?:informatique|support)"],
    ),
    ("ingénieur biomédical", [r"ingenieur biomedical"]),
    ("cadre de santé", [r"cadre(?: de sante| infirmier| de nuit)?"]),
    ("responsable qualité", [r"responsable (?:qualite|gestion des risques)"]),
    ("biologiste", [r"biologiste"]),
    ("pharmacien", [r"pharmacien(?:ne)?"]),
    ("secrétaire médicale", [r"secretaire(?: medicale)?"]),
    ("infirmier", [r"\bide\b", r"infirmier(?:e)?"]),
    ("médecin", [r"medecin", r"\bph\b", r"praticien hospitalier"]),
]

SUPPORT_REQUESTED = [
    (
        "non",
        [
            r"pas besoin (?:d'aide|d'accompagnement|de support|d'assistance)",
            r"pas de (?:demande d')?(?:aide|accompagnement) (?:necessaire|souhaite)",
        ],
    ),
    (
        "oui",
        [
            r"besoin d'(?:aide|assistance|accompagnement|un appui)",
            r"aidez[- ]nous",
            r"(?:pouvez|pourriez)[- ]vous nous aider",
            r"demand\w* (?:l'|de l'|votre )?(?:aide|assistance|appui|accompagnement)",
            r"nous aider a analyser",
            r"\bsos\b",
        ],
    ),
]

COMPLAINT = [
    (
        "prevue",
        [r"(?:va|allons|vais|vont|doit|devons) (?:\w+ )?(?:porter|deposer) plainte", r"plainte (?:prevue|en cours)"],
    ),
    (
        "oui",
        [r"plainte (?:a ete |est )?deposee", r"(?:avons|ai|a|ont) (?:\w+ )?(?:porte|depose) plainte", r"porte plainte"],
    ),
    ("non", [r"pas (?:encore )?(?:de|porte) plainte"]),
]

CNIL = [
    (
        "prevue",
        [r"(?:va|allons|vais|doit) (?:\w+ )?notifier la cnil", r"notification (?:a la )?cnil (?:prevue|en cours)"],
    ),
    (
        "oui",
        [
            r"cnil (?:a ete )?(?:notifiee|prevenue|informee)",
            r"(?:avons|ai|a) (?:\w+ )?(?:notifie|declare a|prevenu) la cnil",
        ],
    ),
    ("non", [r"pas (?:encore )?(?:notifie|prevenu) la cnil"]),
]

PROVIDER = [
    (
        "oui",
        [
            r"prestataire",
            r"editeur",
            r"hebergeur",
            r"infogereur",
            r"sous-traitant",
            r"operateur (?:telecom|reseau)?",
            r"fournisseur (?:d'acces|de service)",
        ],
    ),
]

SPREAD_RISK = [
    (
        "oui",
        [
            r"(?:plusieurs|des) (?:centaines |dizaines )?(?:d')?(?:autres )?etablissements",
            r"autres etablissements",
            r"lien ght",
            r"reseau (?:du )?ght",
            r"(?:a|vers|chez) nos partenaires",
            r"nos partenaires",
            r"centre 15 voisin",
            r"(?:niveau|impact) (?:departemental|regional|national)",
            r"toute la region",
            r"autres structures",
        ],
    ),
]

HANDLING_STATUS = [
    (
        "resolu",
        [
            r"\bresolu\b",
            r"(?:tout est )?\bretablie?s?\b",
            r"tout est revenu",
            r"de nouveau operationnel",
            r"remis en service",
            r"\b(?:tout|ca) (?:re)?(?:fonctionne|marche) (?:a nouveau|de nouveau|normalement)",
            r"\b(?:tout |ca )?remarche\b",
            r"^\W*(?:c'est |c est |tout est )?regle\b(?!\s+(?:de|du|des|d')\b)",  # "réglé, rien payé", not "règle de pare-feu"
            r"rentre dans l'ordre",
        ],
    ),
    ("maitrise", [r"maitrise", r"sous controle", r"circonscrit"]),
    (
        "en_cours",
        [
            r"en cours",
            r"(?:retablissement|reprise|redemarrage|retour a la normale) (?:\w+ ){0,2}(?:inconnu|indetermine|pas prevu)",
            r"\bon attend",  # not "non attendez"
            r"toujours (?:hs|down|en panne|inaccessible)",
        ],
    ),
]

# "OSE", not the verb: "je n'ose plus rien toucher"
OSE_ACRONYM = r"(?<!n')(?<!j')(?<!\bje )\bose\b(?! (?:plus|pas|rien|meme|jamais|toucher)\b)"
IS_OSE = [
    # Every CHU and GHT support hospital is an OSE (guidance.md); the summary lets the user correct it.
    (
        "oui",
        [
            OSE_ACRONYM,
            r"operateur de services? essentiels?",
            r"\boiv\b",
            r"etablissement support (?:de |du )?ght",
            r"\bchr?u\b",
            r"\bchru\b",
            r"ap-?h[pm]\b",
            r"\bhcl\b",
            r"centre hospitalier (?:regional )?universitaire",
        ],
    ),
]

PERIMETER = [
    (
        "ensemble_si",
        [
            r"tout le (?:si|systeme d'information|reseau)",
            r"l'ensemble du (?:si|systeme)",
            r"tout le sih",
            r"tous les serveurs et (?:tous les )?postes",
            # "toute la MAS", "tout l'établissement": the whole structure
            # (not "tout l'hôpital": "j'ai peur que ça s'étende à tout l'hôpital" is a fear)
            r"tout(?:e)? (?:l'|la |le )(?:etablissement|structure|clinique|ehpad|mas|residence|labo|laboratoire)\b",
        ],
    ),
    (
        "plusieurs_sites",
        [
            r"plusieurs sites",
            r"tous les sites",
            # not "nos sites" alone: "l'un de nos sites", "il n'a accès qu'à nos sites"
            r"(?:les|nos) \w+ sites\b(?! (?:internet|web))",
            r"(?:deux|trois|quatre|cinq|six|\d+) (?:autres )?sites\b(?! (?:internet|web))",
            r"(?:d'|les )autres sites",
        ],
    ),
    ("prestataire", [r"(?:heberge|hebergee?s?) chez", r"chez (?:l'|le |notre )?(?:editeur|prestataire|hebergeur)"]),
    # a storage array holds the disks of many servers
    (
        "plusieurs_serveurs",
        [r"(?:plusieurs|des|les|tous les|deux|trois) serveurs", r"serveurs de fichiers", r"baie (?:de stockage|san)"],
    ),
    ("serveur", [r"(?:le|un|du) serveur"]),
    ("plusieurs_postes", [r"(?:plusieurs|des|les|tous les) postes", r"(?:plusieurs|des) (?:pc|ordinateurs)"]),
    ("poste", [r"(?:un|le|son|sa|mon) (?:poste|pc|ordinateur|portable)"]),
    ("site_internet", [r"site (?:internet|web)"]),
]
