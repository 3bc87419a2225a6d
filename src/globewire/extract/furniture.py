"""Page furniture that survives copy-paste or extraction, as a table of multilingual patterns.

Each row is (kind, pattern). A pattern matches a whole line (after trimming). Kinds:
  drop     - a line that is never article text (share buttons, comment prompts, ads, cookie notices...)
  byline   - "By Jane Doe": the names go to ``authors``
  caption  - a photo caption or credit: goes to ``captions``
  date     - a dateline ("Published 3 May 2024"): goes to ``published_at`` when parseable
Adding a language means adding rows, not code.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["drop", "byline", "caption", "date"]

# Lines longer than this are article text even if they start like furniture
# ("Share prices fell sharply on Monday as ..." is not a share button).
MAX_FURNITURE_CHARS = 90

_SOCIAL = r"(?:share|tweet|facebook|twitter|x|whatsapp|telegram|linkedin|pinterest|reddit|email|e-mail|mail|print|copy link|messenger|flipboard|threads|bluesky|vk|xing|teilen|drucken|partager|imprimer|compartir|imprimir|condividi|stampa|compartilhar|delen|dela|del|udostępnij|поделиться|paylaş|シェア|共有|공유|分享)"

# No furniture line is longer than this (long captions and cookie notices included).
LONG_ROWS_MAX_CHARS = 400

PATTERNS: tuple[tuple[Kind, str], ...] = (
    # --- share / social button rows
    ("drop", rf"(?:{_SOCIAL}[\s,|/·•:]*){{1,10}}"),
    ("drop", r"(?:share|teilen|partager|compartir|condividi|compartilhar|delen|dela) (?:this|on|via|auf|sur|en|su|em|op|på)\b.{0,40}"),
    ("drop", r"(?:share this (?:article|story|post)|artikel teilen|partager l'article|compartir (?:el )?artículo|condividi (?:l')?articolo).{0,20}"),
    ("drop", r"(?:like this story\?|did you like this article\?).{0,60}"),
    ("drop", r"follow us on .{0,60}"),
    ("drop", r"(?:print|email|share|save|bookmark) (?:this )?(?:article|story|page)|order reprints?|reprints? (?:&|and) permissions|text size|font size|schriftgröße|taille du texte|tamaño de (?:letra|texto)"),
    ("drop", r"(?:by|von|par|por|door)\s*:?"),
    # --- comments
    ("drop", r"(?:leave|post|add|write) a (?:comment|reply)\.?"),
    ("drop", r"(?:laisser|écrire|ajouter) un commentaire|kommentar (?:schreiben|verfassen)|(?:deja|escribe|añade) (?:un|tu) comentario|lascia un commento|(?:deixe|escreva) (?:um|seu) comentário|schrijf een reactie|skriv en kommentar|napisz komentarz|оставить комментарий"),
    ("drop", r"\d+\s*(?:comments?|kommentare?|commentaires?|comentarios?|commenti|comentários|reacties|kommentarer|komentarzy|комментари[йея]?)"),
    ("drop", r"(?:comments?|kommentare|commentaires|comentarios|commenti|reacties)\s*(?:\(\d+\))?"),
    ("drop", r"(?:show|view|read|load) (?:all )?(?:\d+ )?comments?.{0,20}"),
    ("drop", r"tell us what you think.{0,20}"),
    # --- breadcrumbs: "Home > World > Asia", "Startseite / Politik / Ausland"
    ("drop", r"(?:home|startseite|accueil|inicio|portada|home page|strona główna|главная|首页|ホーム)\s*[>»/›|»→]\s*.{0,120}"),
    ("drop", r"(?:[^\s>»›]{1,30}\s*[>»›]\s*){2,8}[^\s>»›]{1,30}"),
    # --- "read in <language>" links
    ("drop", r"read (?:this|the article|it)? ?in (?:english|french|german|spanish|arabic|chinese|russian|portuguese|japanese|italian|turkish|ukrainian)\.?"),
    ("drop", r"(?:lire|lisez) (?:cet article |l'article )?en (?:français|anglais|allemand|espagnol|arabe)\.?"),
    ("drop", r"(?:auf|in) (?:deutsch|englisch|französisch|spanisch|türkisch) lesen\.?"),
    ("drop", r"(?:leer|lea este artículo) en (?:español|inglés|francés|portugués|alemán)\.?"),
    ("drop", r"(?:leggi|leia|ler) (?:in|em) (?:italiano|inglese|português|inglês)\.?"),
    ("drop", r"(?:english|français|deutsch|español|português|italiano|русский|العربية|中文|日本語|türkçe)(?:\s*[|/·•]\s*(?:english|français|deutsch|español|português|italiano|русский|العربية|中文|日本語|türkçe)){1,12}"),
    ("drop", r"(?:читать на (?:английском|русском|украинском)|читати українською)\.?"),
    # --- reading time
    ("drop", r"\d+\s*(?:-\s*)?(?:min(?:ute)?s?|minuten?|mins?\.?|minutos?|minuti|minuty|мин(?:ут[ы]?)?\.?|分)\s*(?:read|lesezeit|de lecture|de lectura|di lettura|de leitura|leestijd|czytania|чтения|で読めます)?\.?"),
    ("drop", r"(?:lesezeit|reading time|temps de lecture|tiempo de lectura|tempo di lettura)\s*:?\s*\d+\s*\w*\.?"),
    ("drop", r"(?:listen to (?:this )?(?:article|story)|artikel anhören|écouter (?:cet )?article|escuchar (?:este )?artículo).{0,30}"),
    # --- ads
    ("drop", r"(?:advertisement|advertising|sponsored|anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|reklama|реклама|annonse|annons|広告|광고|广告)\s*:?"),
    ("drop", r"(?:story continues below|article continues below|continue reading below|weiter nach der anzeige|la suite après (?:cette|la) publicité).{0,30}"),
    # --- cookie / consent notices
    ("drop", r".{0,60}\b(?:we use cookies|this (?:site|website) uses cookies|wir verwenden cookies|diese (?:website|seite) verwendet cookies|nous utilisons (?:des )?cookies|utilizamos cookies|usamos cookies|utilizziamo (?:i )?cookie).{0,200}"),
    ("drop", r"(?:accept(?: all)?(?: cookies)?|reject all|manage (?:cookies|preferences)|cookie settings|alle akzeptieren|tout accepter|aceptar todo|accetta tutto)\.?"),
    # --- newsletter / subscription prompts
    ("drop", r".{0,60}\b(?:sign up for|subscribe to) (?:our|the)? ?.{0,40}newsletter.{0,80}"),
    ("drop", r"(?:newsletter abonnieren|jetzt abonnieren|abonnez-vous|inscrivez-vous à (?:notre|la) newsletter|suscríbete|suscríbase|iscriviti|assine|subscribe now|subscribe)\b.{0,60}"),
    ("drop", r"(?:related|read more|more on this story|see also|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|lee también|leggi anche|leia também|zie ook|läs också|les også|czytaj też|читайте также)\s*:?"),
    ("drop", r"(?:skip to (?:main )?content|zum inhalt springen|aller au contenu|ir al contenido|menu|menü|search|suche|rechercher|buscar|log ?in|sign in|anmelden|se connecter|iniciar sesión)"),
    ("drop", r"(?:image|photo|video|bild|foto) \d+ (?:of|von|de|di|sur) \d+"),
    ("drop", r"(?:©|\(c\)|copyright)\s.{0,80}"),
    ("drop", r"(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati).{0,20}"),
    # --- bylines
    ("byline", r"(?:by|written by|von|par|por|door|av|af|przez|автор:?)\s+(?P<names>[^\W\d_][^\n]{1,80})"),
    # --- captions and credits
    ("caption", r"(?:image caption|photo caption|caption|bildunterschrift|légende)\s*:?\s*.{0,300}"),
    ("caption", r"(?:photo|image|picture|pic|foto|bild|fotó|фото|zdjęcie|imagem|imagen)\s*(?:credit)?\s*:\s*.{1,200}"),
    ("caption", r".{0,200}\((?:photo|foto|bild|image)?\s*:?\s*(?:reuters|ap|afp|getty images|epa|dpa|ansa|efe|anadolu|xinhua|ap photo|picture alliance|imago)[^)]{0,60}\)"),
    ("caption", r"(?:reuters|ap|afp|getty images|epa|dpa|imago|picture alliance)(?:\s*/\s*[^\n]{1,60})?"),
    ("caption", r".{0,150}\s(?:photograph|photo|foto|bild|imagem|imagen):\s*[^\n]{1,80}"),
    # --- datelines
    ("date", r"(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano|gepubliceerd|publisert|publicerad|опубликовано)\s*(?:on|am|le|el|il|em|op|:)?\s*(?P<date>.{4,60})"),
    ("date", r"(?P<date>\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h|am|pm))?)?)"),
    ("date", r"(?P<date>\d{4}-\d{2}-\d{2}(?:[ t]\d{2}:\d{2}(?::\d{2})?)?)"),
    ("date", r"(?P<date>(?:mon|tue|wed|thu|fri|sat|sun)?\w*,?\s*(?:\d{1,2}\.?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\w*\.?\s+\d{1,2}?,?\s*\d{4}(?:,?\s*(?:at\s*)?\d{1,2}[:.]\d{2}\s*(?:am|pm|uhr|h)?(?:\s*[a-z]{2,4})?)?)"),
)

# Kinds whose lines may be long (a caption is a sentence; a cookie notice a paragraph).
_LONG_OK = {"caption"}
_LONG_MARK = re.compile(r"cookie", re.IGNORECASE)

COMPILED: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"\s*(?:{pat})\s*", re.IGNORECASE | re.DOTALL)) for kind, pat in PATTERNS
)


def classify(line: str, kinds: frozenset[Kind] | None = None) -> tuple[Kind, re.Match[str]] | None:
    """The first furniture kind (among ``kinds``) whose pattern matches the whole trimmed line."""
    s = line.strip()
    if not s or len(s) > LONG_ROWS_MAX_CHARS:
        return None
    long_line = len(s) > MAX_FURNITURE_CHARS
    for kind, rx in COMPILED:
        if kinds is not None and kind not in kinds:
            continue
        if long_line and kind not in _LONG_OK and not (kind == "drop" and _LONG_MARK.search(rx.pattern)):
            continue
        m = rx.fullmatch(s)
        if m:
            return kind, m
    return None
