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

# Labels that open a related-stories, see-also, tags or "more from" block (the block's items follow them).
RELATED_LABELS = (
    r"(?:related(?: topics| stories| articles| content| news| video)?|more on this (?:story|topic)|more from [^\n]{1,40}|"
    r"also read|read also|read more|see also|suggested topics|topics?|tags?|labels|popular posts[^\n]{0,30}|"
    r"trending(?: now)?|most (?:popular|read|viewed)|explore more on these topics|more about|you may also like|"
    r"recommended|what to read next|more stories|top stories|latest news|"
    r"mehr zum thema|mehr zu diesem thema|lesen sie auch|themen|schlagworte|"
    r"(?:à )?lire aussi(?:\s*\|[^\n]{0,160})?|sur le même sujet|"
    r"más información|lee también|te puede interesar|archivado en|etiquetas|temas|"
    r"veja também|leia (?:mais|também)|saiba mais|tópicos|"
    r"leggi anche|ultima ora|argomenti|lees ook|zie ook|"
    r"zobacz (?:też|także)|czytaj (?:też|także)|tagi|"
    r"читайте также|теги|темы|ilgili haberler|etiketler|haberin devamı|"
    r"baca juga(?::[^\n]{0,160})?|berita terkait|"
    r"ये भी पढ़ें|यह भी पढ़ें|संबंधित खबरें|اقرأ أيضا|اقرأ أيضاً|الأكثر قراءة|مواضيع ذات صلة|"
    r"あわせて読みたい|関連ニュース|関連記事|特集一覧へ|この記事を書いた人|相关新闻|相关推荐|相关阅读|热点推荐|"
    r"관련 뉴스|관련 기사|많이 본 뉴스)\s*[:：|]?"
    r"(?:\s*[|:：]\s*[^\n]{0,160})?"
)

# Words that label an advertisement slot, in the languages of the fixtures and the sources' common ones. Used by the
# pasted-text cleaner's shape rules (text.py: a short line holding one of these words is an ad label, "Continua
# após a publicidade", "Reklama", "Anzeige"), not by PATTERNS: the HTML extraction paths are unchanged. Data, not a
# pattern per language: a word added here is an ad label in any line shape.
AD_LABELS = frozenset([
    "advertisement", "advertising", "sponsored", "anzeige", "werbung", "publicité", "publicidad", "pubblicità",
    "publicidade", "publicitat", "publicitate", "advertentie", "reclame", "reklama", "reklam", "reklame", "reklāma",
    "реклама", "mainos", "hirdetés", "oglas", "iklan", "tangazo", "διαφήμιση", "פרסומת", "إعلان", "quảng cáo",
    "annonse", "annons", "広告", "광고", "广告", "विज्ञापन",
])
# A short label line naming a newsletter block ("Newsletter", "Iscriviti alla newsletter"): the loanword is the same
# in most of the sources' languages. The promo line that follows such a label is furniture too (text.py).
NEWSLETTER_WORDS = frozenset(["newsletter", "newsletters", "newsletteru", "newslettery", "newsletterem"])

# No furniture line is longer than this (long captions and cookie notices included).
LONG_ROWS_MAX_CHARS = 400

# A teaser of another article inside the text: a related-story label, a colon, and that story's headline
# ("Read more: Plymouth protests erupt in violence", "Lesen Sie auch: …"). The colon is required: "Read more
# about the plan in our explainer" is a sentence.
TEASER = (
    r"(?:read more|read also|also read|see also|related|more on this story|lesen sie auch|mehr zum thema|"
    r"(?:à )?lire aussi|lee también|leggi anche|leia (?:também|mais)|veja também|lees ook|zie ook|läs också|"
    r"les også|czytaj (?:też|także)|zobacz (?:też|także)|читайте также|ayrıca okuyun|اقرأ أيضا|اقرأ أيضاً)"
    r"\s*[:：]\s*[^\n]{3,200}"
)
# A syndication note after the text ("First published in The Conversation.", "This article was originally
# published on …"); one clause only ("First published in 1998, the novel …" is text).
REPUBLISHED = (
    r"(?:this (?:article|story) (?:was|is) )?(?:first|originally) published (?:in|on|by|at) [^\n,;]{2,100}|"
    r"(?:this (?:article|story) (?:was|is) )?republished (?:from|with permission)[^\n,;]{2,100}"
)

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
    # --- log in / subscribe to read on (paywall prompts): "Log in to continue reading", "Zum Weiterlesen anmelden",
    #     "※Premium会員の方はログインして続きをお読みください。"
    ("drop", (
        r"[^\n]{0,40}\b(?:log ?in|sign in|subscribe|register|sign up)(?: now)? to (?:continue reading|keep reading|read (?:the )?(?:full|rest|whole|more)|unlock)[^\n]{0,60}|"
        r"(?:jetzt )?(?:anmelden|einloggen|registrieren|abonnieren),? (?:und|um) weiter(?:zu)?lesen[^\n]{0,40}|zum weiterlesen [^\n]{0,60}|"
        r"(?:connectez-vous|abonnez-vous|inscrivez-vous) pour (?:lire la suite|continuer|poursuivre)[^\n]{0,60}|"
        r"(?:inicia sesión|suscríbete|regístrate|suscríbase) para (?:seguir|continuar) leyendo[^\n]{0,60}|"
        r"(?:faça login|entre|assine|cadastre-se) para (?:continuar lendo|ler (?:a|o) (?:matéria|texto|reportagem) completa)[^\n]{0,60}|"
        r"(?:accedi|abbonati|registrati) per (?:continuare a leggere|leggere)[^\n]{0,60}|"
        r"(?:zaloguj się|wykup (?:dostęp|subskrypcję)),? aby (?:czytać dalej|przeczytać)[^\n]{0,60}|"
        r"[^\n]{0,30}(?:ログイン|会員登録)(?:して|すると|後に?)[^\n]{0,10}続き[^\n]{0,20}|[^\n]{0,20}登录后(?:阅读|查看)全文[^\n]{0,20}|"
        r"[^\n]{0,20}로그인 후 (?:이용|열람|전체)[^\n]{0,30}"
    )),
    # --- "listen to this article" and "save for later" widgets ("Escuchar Nota" is a button, not a byline)
    ("drop", (
        r"(?:listen to (?:this )?(?:article|story)|listen(?: now)?|escuchar (?:nota|noticia|artículo|audio)|escucha (?:esta )?noticia|"
        r"artikel (?:anhören|vorlesen lassen)|(?:diesen )?artikel anhören|écouter (?:l'article|cet article)|"
        r"ouvir (?:(?:a )?notícia|(?:o )?artigo|(?:o )?texto)|ascolta (?:l'articolo|l'audio)|posłuchaj(?: artykułu)?|haberi dinle)"
        r"(?:\s*[(\[]?\d{1,2}:\d{2}[)\]]?|\s*\d{1,2}\s*min\.?)?"
    )),
    ("drop", (
        r"save (?:this )?(?:article|story)?(?: for later| to read later)?|save articles? (?:for later|to read later)[^\n]{0,60}|"
        r"read later|add to (?:my )?reading list|(?:artikel )?(?:merken|zur merkliste hinzufügen)|"
        r"guardar(?: para (?:leer )?(?:después|más tarde))?|enregistrer(?: pour plus tard| l'article)?|"
        r"salva(?: per dopo| l'articolo)?|salvar(?: para ler depois)?|zapisz(?: na później)?|daha sonra oku"
    )),
    ("drop", r"(?:newsletter abonnieren|jetzt abonnieren|abonnez-vous|inscrivez-vous à (?:notre|la) newsletter|suscríbete|suscríbase|iscriviti|assine|subscribe now|subscribe)\b.{0,60}"),
    ("drop", TEASER),
    ("drop", REPUBLISHED),
    ("drop", r"(?:related|read more|more on this story|see also|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|lee también|leggi anche|leia também|zie ook|läs också|les også|czytaj też|читайте также)\s*:?"),
    ("drop", r"(?:skip to (?:main )?content|zum inhalt springen|aller au contenu|ir al contenido|menu|menü|search|suche|rechercher|buscar|log ?in|sign in|anmelden|se connecter|iniciar sesión)"),
    ("drop", r"(?:image|photo|video|bild|foto) \d+ (?:of|von|de|di|sur) \d+"),
    ("drop", r"(?:©|\(c\)|copyright)\s.{0,80}"),
    ("drop", r"(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati).{0,20}"),
    # --- app share menus, print views, account and player chrome (one or two words on their own line)
    ("drop", (
        r"(?:get link|other apps|link copied!?|copy(?: article)? link|copy|save|saved|bookmark|sms|print this page|"
        r"print|reuse this content|listen(?: to this article)?|ad feedback|share story|show full article|"
        r"continue reading|start a conversation|join the conversation|purchase licensing rights|feedback|"
        r"labels|comments|font size|aa|list|news\+|full coverage|subscribe|sign in|log in|support us|"
        r"compartilhe(?: esta notícia)?|compartilhar|ouvir o texto|(?:diminuir|aumentar) fonte|copiar enlace|"
        r"ir a los comentarios|lire plus tard|offrir l[’']article|réutiliser ce contenu|contribuer|"
        r"voir les commentaires|link kopieren|artikel verschenken|e-mail|skomentuj|udostępnij|"
        r"haberi paylaş|takip et|delen|deel artikel:?|bekijk meer|lihat foto|baca di app|follow us:?|"
        r"поделиться|добавить в избранное|シェアする|記事を印刷する|写真・図版|图片|字号|登录|下载客户端|"
        r"评论|【纠错】|扫一扫在手机打开当前页|기사 공유하기|본문 글자 크기 조정|인쇄하기|전체메뉴|"
        r"شارك|مشاركة|طباعة|حفظ|تابعونا على|शेयर|कॉपी लिंक|ई-पेपर|follow us|विज्ञापन|सार|विस्तार)"
    )),
    ("drop", r"(?:share|teilen|partager|compartir|compartilhar|condividi)\s+(?:on|auf|sur|en|no|em|su)\s+\S{1,20}"),
    ("drop", r"(?:read time|lesedauer|tempo de leitura|czas czytania|okuma süresi)\s*:?\s*\d+\s*\S{0,8}"),
    ("drop", r"(?:lecture|temps de lecture)\s*:?\s*\d+\s*min\.?"),
    ("drop", (
        r"ten (?:tekst|artykuł) przeczytasz w \d+ minut[ay]?|\d+\s*dakikada okunur|\d+\s*分で読めます|"
        r"artikel zum hören\s*[•·]?\s*\d+\s*min\.?|\d+\s*मिनट(?: में पढ़ें)?"
    )),
    # image/video placeholders and player/gallery controls, in many languages
    ("drop", (
        r"(?:\[?(?:image|photo|picture|video|gallery|audio|embed|foto|bild|imagen|imagem|immagine|afbeelding|zdjęcie|"
        r"fotoğraf|фото|видео|फोटो|वीडियो|صورة|فيديو|写真|動画|图片|视频|사진|영상|동영상)\]?)"
        r"(?:\s*\d+\s*(?:/|of|von|de|di|z|из)\s*\d+)?"
    )),
    ("drop", (
        r"(?:play|watch|view|enlarge|expand|open|toggle|hide|show|close|zoom)\s+(?:the\s+|this\s+)?"
        r"(?:video|image|photo|picture|gallery|caption|in app|in (?:the )?app|image in fullscreen|fullscreen)\b.{0,20}|"
        r"(?:bild|foto|video) (?:vergrößern|ansehen|abspielen)|(?:ver|reproducir) (?:vídeo|video|foto|galería)|"
        r"(?:voir|regarder) la (?:vidéo|photo)|assista ao vídeo|guarda il video|"
        r"click here.{0,40}|scroll (?:down )?to continue.{0,20}|continue reading(?: the main story)?|"
        r"sponsored content|paid content|partner content"
    )),
    # "read in <language>" links in the language's own name or script: "हिंदी में पढ़ें", "Read in ಕನ್ನಡ"
    ("drop", (
        r"read (?:this )?in \S{2,20}|\S{2,20} में पढ़ें|\S{2,12}(?:\s\S{2,12})? ?で読む|用\S{2,6}阅读|"
        r"читать (?:на|в) \S{2,20}(?:\s+в)?|читать \S{2,20} в|\S{2,12}\s+oku|czytaj po \S{2,20}|lees in het \S{2,20}"
    )),
    # Related/see-also and tag block labels (the block they open is dropped by the cleaner)
    ("drop", RELATED_LABELS),
    # --- bylines ("Published by: Jane Doe" before the date rows so that it is not read as a date)
    ("drop", r"(?:edited|compiled|curated|translated) by\s*:?\s*[^\d\n]{2,80}"),
    ("byline", r"(?:published|posted|written|reported) by\s*:?\s*(?P<names>[^\d\n]{2,80})"),
    ("byline", r"(?:penulis|oleh|yazan|autor(?:ka)?|автор|記者|记者|报道|كتب|بقلم|द्वारा|लेखक|rédigé par|escrito por)\s*:?\s*(?P<names>[^\d\n]{2,60})"),
    ("byline", r"(?P<names>[^\s\d]{2,5}(?:\s[^\s\d]{1,4})?)\s*(?:기자|特派員|记者)"),
    ("byline", r"(?:by|written by|von|par|por|door|av|af|przez|автор:?)\s+(?P<names>[^\W\d_][^\n]{1,80})"),
    # --- captions and credits
    ("caption", r"(?:image caption|photo caption|caption|bildunterschrift|légende)\s*:?\s*.{0,300}"),
    ("caption", r"(?:photo|image|picture|pic|foto|bild|fotó|фото|zdjęcie|imagem|imagen)\s*(?:credit)?\s*:\s*.{1,200}"),
    ("caption", r".{0,200}\((?:photo|foto|bild|image)?\s*:?\s*(?:reuters|ap|afp|getty images|epa|dpa|ansa|efe|anadolu|xinhua|ap photo|picture alliance|imago)[^)]{0,60}\)"),
    ("caption", r"(?:reuters|ap|afp|getty images|epa|dpa|imago|picture alliance)(?:\s*/\s*[^\n]{1,60})?"),
    ("caption", r".{0,150}\s(?:photograph|photo|foto|bild|imagem|imagen):\s*[^\n]{1,80}"),
    # Wire credits and syndication notes that follow an article ("(Reporting by …)", "… contributed to this report.")
    ("drop", r"\(?(?:reporting|additional reporting|writing|editing|compiled) by [^\n]{2,200}"),
    ("drop", r"[^\n]{2,80} contributed to this (?:report|story|article)\.?|[^\n]{2,60} reported from [^\n]{2,60}\.?"),
    ("drop", (
        r"our standards:[^\n]{0,80}|[^\n]{0,60}trust principles\.?|source\s*:\s*[^\n]{2,60}|"
        r"(?:المصدر|来源|출처|kaynak|źródło|источник|quelle|fuente|fonte)\s*[:：]\s*[^\n]{1,60}"
    )),
    ("drop", r"url\s*:\s*\S+|https?://\S+|www\.\S+"),
    ("drop", (
        r"[^\n]{0,160}(?:未经授权不得转载|無断転載|무단 전재|all rights reserved|riproduzione riservata|"
        r"tüm hakları saklıdır|все права защищены|جميع الحقوق محفوظة)[^\n]{0,120}"
    )),
    # --- datelines
    ("date", r"(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano|gepubliceerd|publisert|publicerad|опубликовано)\s*(?:on|am|le|el|il|em|op|:)?\s*(?P<date>.{4,60})"),
    ("date", r"(?P<date>\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h|am|pm))?)?)"),
    ("date", r"(?P<date>\d{4}-\d{2}-\d{2}(?:[ t]\d{2}:\d{2}(?::\d{2})?)?)"),
    ("date", r"(?P<date>(?:mon|tue|wed|thu|fri|sat|sun)?\w*,?\s*(?:\d{1,2}\.?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\w*\.?\s+\d{1,2}?,?\s*\d{4}(?:,?\s*(?:at\s*)?\d{1,2}[:.]\d{2}\s*(?:am|pm|uhr|h)?(?:\s*[a-z]{2,4})?)?)"),
)

# Kinds whose lines may be long (a caption is a sentence; a cookie notice a paragraph).
_LONG_OK = {"caption"}
_LONG_MARK = re.compile(r"cookie|reporting|contributed|rights reserved|未经授权|read more|published", re.IGNORECASE)
# Lines of an article's text that are furniture wherever they stand (body.py; the pasted-text cleaner gets them
# through PATTERNS).
BODY_TEASER = re.compile(rf"\s*(?:{TEASER})\s*", re.IGNORECASE)
TRAILING_NOTE = re.compile(rf"\s*(?:{REPUBLISHED})\s*", re.IGNORECASE)

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
