"""The FINESS register: loaded from the DREES files, found from the words people use,
on SQLite (FTS5) and on PostgreSQL (full-text search), both for real."""

import pytest

from bot.core import register_search
from bot.core.fields import Region, StructureType
from bot.core.register import pretty_name, read_register
from bot.core.register_search import OUT_OF_SCOPE_CATEGORIES, acronyms, search_key
from bot.core.register_store import Register, Vocabulary
from bot.core.storage import DeclarationStore
from bot.settings import DEFAULT_FINESS_DIR
from tests.support.declarations import BACKENDS, database_url

CH_DAX = "400000105"
CH_VIERZON = "180000200"


@pytest.fixture(scope="module", params=BACKENDS)
def register(request, tmp_path_factory):
    with database_url(request.param, tmp_path_factory.mktemp("register"), request) as url:
        store = DeclarationStore(url)
        store.migrate()
        loaded = Register(store.engine)
        result = loaded.load(DEFAULT_FINESS_DIR)
        assert result.changed and result.rows > 95_000
        try:
            yield loaded
        finally:
            store.dispose()


def test_loading_the_same_files_again_changes_nothing(register):
    again = register.load(DEFAULT_FINESS_DIR)
    assert not again.changed
    assert register.by_finess(CH_DAX).display_name == "Centre Hospitalier de Dax"


@pytest.mark.parametrize(
    "words,finess",
    [
        ("CH de Dax", CH_DAX),
        ("centre hospitalier de dax", CH_DAX),
        ("ici le CH de Dax", CH_DAX),
        ("CH de Vierzon", CH_VIERZON),
        ("hopital de vierzonn", CH_VIERZON),  # typo at the end
        ("ch de veirzon", CH_VIERZON),  # typo inside
        ("CENTRE HOSPITALIER DE VIERZON", CH_VIERZON),
        ("CHI de Créteil", "940000573"),
        ("chi creteil", "940000573"),
        ("hôpital privé d'Antony", "920300043"),
        ("hopital prive d antony", "920300043"),
        ("l'EHPAD du CH de Dax", "400010559"),
        ("hopital st joseph paris", "750000523"),
        ("ehapd du ch de dax", "400010559"),  # a kind with a typo is still the head of the name
        ("residnece wilson chu reims", "510004286"),
        ("hop jour cmp cattp hent treuz morlaix", "290024090"),  # fetched by its rare words only
        ("Clinique Pasteur de Toulouse", "310780259"),  # "CL PASTEUR", not the radiotherapy centre Pasteur
        ("CH des Vals d'Ardèche", "070000013"),  # its 2021 name; "CH de Privas Ardèche" in 2025
        ("centre hospitalier Bois Vert", "070000484"),  # "CH Ardèche méridionale" in 2025
        ("CH de Vienne Isère", "380000174"),  # the département after the town
        ("CH de Vienne", "380000174"),  # the Vienne département alone names no hospital there
        ("CH de Cayenne Guyane", "970300026"),
        ("hôpital de Dax, Landes", CH_DAX),
        ("centre de cancérologie du Grand Montpellier", "340032812"),  # its name says the kind: "CCGM"
        ("groupe Vivalto clinique Pasteur Toulouse", "310780259"),  # its whole name and town, and a group's
        ("centre hospitalier de Nevers", "580972693"),  # "Hôpital Pierre Bérégovoy", not "HJ CATTP CH Nevers"
        # one of hundreds of "LBM CERBALLIANCE …" that "labo" raises, but without the kind in its name
        ("labo Cerballiance de Saint-Pierre", "970410262"),
        ("Hôpital local d'Yvetot", "760000174"),  # "HL YVETOT", a CH since
        ("AURAR, centre de dialyse de Saint-Pierre", "970405064"),  # "CENTRE (ST PIERRE/U1) - AURAR"
        # a name the register cut short: "CDS POLYVALENT MUTUALISTE MTP EUROMED"
        ("centre de santé mutualiste Euromédecine à Montpellier", "340012988"),
        # a GHT is no establishment: its name is left out; the hospital, not its nursing school
        ("GHT Rhône Nord Beaujolais Dombes, hôpital Nord-Ouest de Villefranche-sur-Saône", "690000575"),
        ("MAS Les Mandines", "970103842"),  # '"M. A. S. ""LES MANDINES"""'
        ("mas de kourou", "970303673"),  # "MAISON D ACCUEIL SPECIALISE", the town apart
        # far ahead of any other place, though "rééducation" is not in its register name
        ("Propara, le centre de rééducation neurologique à Montpellier", "340001064"),
        # the register's short forms: "CTRE DE REED.FONCTIONNELLE DE KERPAPE", "HOPITAL PRIVE" as "HP"
        ("centre de rééducation fonctionnelle de Kerpape, Ploemeur", "560002024"),
        ("HP Claude Galien à Quincy-sous-Sénart", "910803543"),
        # a number in words or in digits, as the register writes it or not ("LES 5 RIVIERES")
        ("l'ehpad les cinq rivières à Vierzon", "180007239"),
        ("clinique des deux caps à Coquelles", "620101311"),
        # the SSR's name since 2023, SMR, for a place the register names SSR
        ("smr le bodio a pontchateau", "440002459"),
        ("l'hosto de corte", "2B0000038"),  # slang for hôpital
        ("Montperrin, l'hôpital psychiatrique d'Aix", "130000433"),  # "psychiatrique" says a kind, not a name
        # a common word the register's name leaves out ("AUB Santé" is "AUB" there) counts half
        ("unité de dialyse AUB Santé, Carhaix", "290023779"),
        # ...but not a word that says a kind of place: the SSIAD, not the hospital that runs it
        ("le SSIAD de l'hôpital du Saint-Esprit, en Martinique", "970209946"),
        ("Centre hospitalier de Lons-le-Saunier (CH Jura Sud)", "390000040"),  # "CH LONS": "sud" counts half
        ("CH d'Étampes", "910001973"),  # not "CH DOURDAN ETAMPES SITE DOURDAN", whose site was not named
        # a site named after the acronym its staff use for the group, which the register does not write
        ("HPMB (site de Sallanches)", "740781224"),  # "HOPITAUX DU MONT BLANC SITE SALLANCHES", not the HPMB's EHPAD
        ("CHIPS, site de Poissy", "780000311"),  # "CHI POISSY ST GERMAIN SITE DE POISSY"
        # the first letters of each word ("CH ANnecy GEnevois"), and a site's name the register cut short
        ("CHANGE, site de Saint-Julien-en-Genevois", "740000302"),  # "... SITE ST JULIEN EN G", not its EHPAD
        ("la Clinique du Saint-Cœur à Vendôme", "410004998"),  # "œ" is "oe", not a letter dropped
        # the long names of medico-social places, and a number the register glued to a word ("ADAPEI80")
        ("la maison d'accueil spécialisée Adapei 80 d'Abbeville", "800009946"),
        ("foyer d'accueil médicalisé A Funtanella", "2A0023388"),
        ("HAD Caux Maritime, vers Dieppe", "760035709"),  # a town nearby counts half: the HAD is at Martin-Église
        # the SSR by its long names, old and since 2023 ("SSR LA TOURMALINE", "SSR DOMAINE DE LA CADENE")
        ("le centre de soins de suite et de réadaptation La Tourmaline à Saint-Herblain", "440000255"),
        ("Domaine de la Cadène, soins médicaux et de réadaptation, Toulouse", "310786702"),
        # a name the register writes in two words ("EHPAD BEL AIR" at Taulé)
        ("l'EHPAD Belair de Taulé", "290002179"),
        # the place it belongs to need not be in its name: "CMP DE REVIN - CH BELAIR", "CMP CATTP ADULTES MURET"
        ("le CMP de Revin rattaché à l'hôpital Bélair", "080001795"),
        ("CMP adultes à Muret, qui dépend du CH Gérard Marchant", "310021613"),
    ],
)
def test_one_clear_match_for_the_forms_people_use(register, words, finess):
    assert [e.finess for e in register.find(words)] == [finess]


@pytest.mark.parametrize(
    "words,finess",
    [
        ("Dax", CH_DAX),  # the town alone
        ("CHU de Rennes", "350000741"),  # a CHU of several sites
        ("pitie salpetriere", "750100125"),
        ("AP-HP Pitié-Salpêtrière", "750100125"),
        ("CH Mont-de-Marsan", "400000139"),
        ("hôpital de Chartres", "280504267"),  # its main site is in Le Coudray: among the town's CH sites
        ("fondation Ildys", "290000975"),  # "fondation" says no kind
        ("centre municipal de santé de Nanterre", "920010857"),  # "CDS MUNICIPAL DU PARC"
        ("cerballiance lyon", None),  # a network of laboratories: several of them, all Cerballiance in Lyon
        # a CHU named as a whole: its hospitals, not the one whose name fits by a few points
        ("CHU de Clermont-Ferrand", "630000404"),  # not only "CHU Psychiatrie"
        ("chu martinique", "970211249"),  # not only its Trinité site
        ("CHU de Brest", "290000058"),  # its sites, though their site words were not said
        # "CH LVO": the initials of the words said; its SSIAD and its hospital site in Challans
        ("SSIAD du centre hospitalier Loire Vendée Océan à Challans", "850009606"),
        # a kind word missing from a name of that kind counts half: "IME" for the "I.M.P. ESPOIR"
        ("IME L'Espoir, à Pointe-à-Pitre", "970103081"),
        # two names of one cancer centre, each register row holding some of the words, far ahead of the others
        ("ICANS, Institut de cancérologie Strasbourg Europe (Centre Paul-Strauss)", "670000033"),
    ],
)
def test_several_close_places_are_offered_at_most_four(register, words, finess):
    found = register.find(words)
    assert 2 <= len(found) <= 4
    if finess:
        assert finess in [e.finess for e in found]
    else:
        assert all("CERBALLIANCE" in e.name and "LYON" in e.town for e in found)


@pytest.mark.parametrize(
    "words",
    [
        "hôpital",
        "GHT",
        "l'EHPAD",
        "EHPAD les Tilleuls à Dax",
        "je ne sais pas",
        "",
        "EHPAD Le Clos des Oliviers à Nîmes",  # namesakes elsewhere, none in Nîmes: no choice of towns not named
    ],
)
def test_nothing_is_offered_for_words_that_name_no_place(register, words):
    assert register.find(words) == []


def test_what_a_match_fills(register):
    dax = register.by_finess(CH_DAX)
    assert (dax.structure_type, dax.region, dax.department_name) == (
        StructureType.ETABLISSEMENT_SANTE_PUBLIC,
        Region.NOUVELLE_AQUITAINE,
        "LANDES",
    )
    assert register.by_finess("400010559").structure_type is StructureType.ESMS  # EHPAD du CH de Dax
    assert register.by_finess("920300043").structure_type is StructureType.ETABLISSEMENT_SANTE_PRIVE
    assert register.by_finess("2A0000022").region is Region.CORSE
    assert register.by_finess("920010857").structure_type is StructureType.AUTRE  # a municipal centre de santé
    radiotherapy = StructureType.CENTRE_RADIOTHERAPIE
    assert register.by_finess("580972560").structure_type is radiotherapy  # "UNITÉ DE RADIOTHÉRAPIE", accents
    assert register.by_finess("340032812").structure_type is radiotherapy  # CCGM, a cancer centre (group 1205)
    assert register.by_finess("970100057") is None or register.by_finess("970100057").region is Region.GUADELOUPE


def test_a_legal_entity_lists_its_establishments(register):
    sites = register.of_legal_entity(register.by_finess(CH_DAX).legal_finess)
    assert CH_DAX in [e.finess for e in sites] and len(sites) >= 2


def test_every_row_has_a_structure_type_and_almost_all_a_region():
    rows = list(read_register(DEFAULT_FINESS_DIR))
    assert len({r.finess for r in rows}) == len(rows)
    without_region = [r for r in rows if r.region is None]
    assert len(without_region) < 10  # Saint-Pierre-et-Miquelon has no ARS region of the spec
    labs = [r for r in rows if r.category == "611"]
    assert labs and all(r.structure_type is StructureType.LABORATOIRE_BIOLOGIE_MEDICALE for r in labs)
    armies = [r for r in rows if r.category == "114"]
    assert armies and all(r.structure_type is StructureType.HOPITAL_ARMEES for r in armies)
    # an EFS site is no private establishment (dev-669: "établissement de santé privé" was said to the person)
    transfusion = [r for r in rows if r.category == "132"]
    assert transfusion and all(r.structure_type is StructureType.AUTRE for r in transfusion)


def test_search_keys_and_names_as_people_read_them():
    assert search_key("Hôpital St-Jean") == "hopital saint jean"
    assert search_key("Centre Hospitalier Universitaire de Rennes") == "chu de rennes"
    assert search_key("AP-HP") == "aphp"
    assert search_key("CDS municipal") == "centre sante municipal"
    assert search_key('"M. A. S. ""LES MANDINES"""') == search_key("M.A.S les Mandines") == "mas les mandines"
    assert search_key("MAISON D'ACCUEIL SPECIALISE") == search_key("Maison d'accueil spécialisée") == "mas"
    assert search_key("Dr J. Dupont") == "dr j dupont"
    assert pretty_name("CH DE MONT-DE-MARSAN") == "CH de Mont-de-Marsan"
    assert acronyms(["loire", "vendee", "ocean", "challans"])["lvo"] == ("loire", "vendee", "ocean")


def test_names_the_extraction_quoted_twice_read_as_written(register):
    # the file holds '"""MAS """"LES PASSEREAUX"""" - ALENCON"""'; the person must read the name, not its escaping
    establishment = register.by_finess("610005951")
    assert establishment.name == 'MAS "LES PASSEREAUX" - ALENCON'
    assert establishment.display_name == 'MAS "Les Passereaux" - Alencon'


def test_a_cedex_cut_short_by_the_register_is_not_part_of_the_town(register):
    assert register.by_finess("690012679").display_town == "Villefranche sur Saone"  # "…SUR SAONE CED"


def test_words_are_spelled_as_the_register_does_same_initial_first():
    names = ["ch vierzon", "ehpad vierzon", "clinique kaiser", "ch verdun"]
    vocabulary = Vocabulary.of((name, "autre") for name in names)
    assert vocabulary.spelled("veirzon") == "vierzon"
    assert vocabulary.spelled("caiser") == "kaiser"  # no close word under its initial: any word
    assert vocabulary.spelled("zorglub") == "zorglub"  # close to nothing: kept
    assert vocabulary.spelled("dax") == "dax"  # too short to correct


def test_words_in_many_names_are_common(monkeypatch):
    monkeypatch.setattr(register_search, "COMMON_COUNT", 2)
    vocabulary = Vocabulary.of((text, "autre") for text in ["cmp morlaix", "cmp brest", "cmp quimper", "ch morlaix"])
    assert "cmp" in vocabulary.common and "morlaix" not in vocabulary.common
    assert register_search.COMMON_WORDS <= vocabulary.common
    assert register_search.fetching_words(["cmp", "morlaix"], vocabulary.common) == ["morlaix"]
    assert register_search.fetching_words(["cmp"], vocabulary.common) == ["cmp"]  # all common: all fetch


@pytest.mark.parametrize(
    "name, region",
    [
        ("Résidence Les Hortensias, EHPAD à Brive-la-Gaillarde", Region.NOUVELLE_AQUITAINE),
        ("laboratoire Zorglub de Besançon", Region.BOURGOGNE_FRANCHE_COMTE),
        ("foyer de vie les mouettes lorient", Region.BRETAGNE),
        ("Cabinet Zorglub, site de Tours Nord", Region.CENTRE_VAL_DE_LOIRE),  # not the Nord
        ("centre de soins de la Croix-Rouge à Cayenne", Region.GUYANE),  # "Croix" is a town too
        ("EHPAD Les Jardins à La Rochelle", Region.NOUVELLE_AQUITAINE),
        ("Clinique de la Croix", None),
        ("EHPAD Le Bois Joli", None),
        ("EHPAD de la Rue Haute", None),
        ("Clinique Zorglub du Plateau", None),
        ("HIA Sainte-Anne", None),  # towns of that name in several regions
    ],
)
def test_the_region_of_the_town_a_name_holds(register, name, region):
    assert register.region_in_name(name) is region


def test_of_a_towns_ch_units_the_hospital_comes_first(register):
    found = register.find("centre hospitalier d'Arles")
    assert 1 <= len(found) <= 4
    assert found[0].finess == "130002827"  # "CH JOSEPH IMBERT", then the units named CH


@pytest.mark.parametrize(
    "answer, region",
    [
        ("Dax", Region.NOUVELLE_AQUITAINE),
        ("40100", Region.NOUVELLE_AQUITAINE),
        ("c'est au 97600 Mamoudzou", Region.MAYOTTE),
        ("20000", Region.CORSE),
        ("on est à Saint-Brieuc", Region.BRETAGNE),
        ("la Manche", Region.NORMANDIE),
        ("Zorglubville", None),
        ("hdf nord", Region.HAUTS_DE_FRANCE),
        ("PACA", Region.PROVENCE_ALPES_COTE_D_AZUR),
        ("IDF, le 93", Region.ILE_DE_FRANCE),
        # the regions before 2016, and a place said in parts (dev-675: asked twice, stored without a region)
        ("en Picardie", Region.HAUTS_DE_FRANCE),
        ("Midi-Pyrénées, vers Albi", Region.OCCITANIE),
        ("Var (83)", Region.PROVENCE_ALPES_COTE_D_AZUR),
        ("la Sarthe, le 72", Region.PAYS_DE_LA_LOIRE),
    ],
)
def test_the_region_of_a_town_postcode_or_department_a_person_gives(register, answer, region):
    assert register.region_of_place(answer) is region


def test_a_site_whose_site_words_were_not_said_comes_after_the_place_named(register):
    found = [e.finess for e in register.find("centre hospitalier de Manosque")]
    # its site at Forcalquier ("CHI MANOSQUE SITE FORCALQUIER") was offered first, and alone
    assert found[0] == "040000093" and "040000069" in found


def test_pharmacies_are_never_offered_for_a_name(register):
    """Out of CERT Santé's scope (spec/vocabulary.md); a typed FINESS number is still found."""
    for words in ("Pharmacie Antigone Montpellier", "Inovie Labosud, le site de Montpellier Antigone"):
        assert all(e.category != "620" for e in register.find(words))
    for words in ("pharmacie du centre", "Pharmacie de la gare à Nantes"):
        assert not [c for c in register.search(words) if c.establishment.category in OUT_OF_SCOPE_CATEGORIES]
    assert register.by_finess("340794080").category == "620"
