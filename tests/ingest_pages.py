"""Small multilingual article pages of our own writing, for ingest and pipeline tests."""

from __future__ import annotations

from pathlib import Path

PAGES = {
    "en-port.html": ("en", "https://harbour-gazette.test/news/2026/port-strike-ends",
        "Port strike ends after nine days",
        ["Dock workers at the country's largest container port returned to work on Monday after union leaders "
         "accepted a pay offer that had been improved twice during the nine-day stoppage.",
         "Shipping companies said it would take at least two weeks to clear the backlog of vessels anchored "
         "outside the harbour, where more than forty ships had been waiting for a berth.",
         "The transport minister thanked both sides for returning to the table and promised a review of "
         "safety rules on the quays, which had been one of the workers' main demands."]),
    "de-bahn.html": ("de", "https://nordkurier-beispiel.test/wirtschaft/bahn-fahrplan",
        "Bahn kündigt neuen Fahrplan für den Winter an",
        ["Die Bahn hat am Dienstag ihren neuen Fahrplan für die Wintermonate vorgestellt, der zahlreiche "
         "zusätzliche Verbindungen zwischen den großen Städten des Landes vorsieht.",
         "Fahrgastverbände begrüßten die Pläne grundsätzlich, kritisierten aber, dass viele ländliche Regionen "
         "weiterhin nur alle zwei Stunden mit einem Zug erreichbar seien.",
         "Nach Angaben des Unternehmens sollen die neuen Züge ab Mitte Dezember fahren und vor allem morgens "
         "und abends für mehr Sitzplätze sorgen."]),
    "es-lluvias.html": ("es", "https://diario-ejemplo.test/sociedad/lluvias-sur",
        "Las lluvias torrenciales obligan a evacuar a cientos de vecinos en el sur",
        ["Las lluvias torrenciales caídas durante la noche obligaron a evacuar a cientos de vecinos de varios "
         "pueblos del sur, donde el agua alcanzó más de un metro de altura en algunas calles.",
         "Los servicios de emergencia rescataron a una docena de personas atrapadas en sus coches y abrieron "
         "tres polideportivos para acoger a las familias que tuvieron que abandonar sus casas.",
         "La agencia meteorológica mantiene la alerta naranja hasta el jueves y pide a la población que evite "
         "los desplazamientos innecesarios por carretera."]),
    "fr-musee.html": ("fr", "https://quotidien-exemple.test/culture/musee-reouverture",
        "Le musée des beaux-arts rouvre ses portes après trois ans de travaux",
        ["Le musée des beaux-arts de la ville a rouvert ses portes samedi après trois ans de travaux de "
         "rénovation qui ont permis de doubler la surface consacrée aux expositions temporaires.",
         "Plusieurs milliers de visiteurs se sont pressés dès l'ouverture pour découvrir les nouvelles salles, "
         "dont une galerie entièrement consacrée aux peintres de la région.",
         "La direction espère accueillir un demi-million de personnes la première année grâce à des horaires "
         "élargis et à la gratuité pour les moins de vingt-six ans."]),
}


def page_html(lang: str, url: str, title: str, paras: list[str], *, date: str = "2026-11-20T08:30:00+01:00",
              canonical: str | None = None) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title} | Example</title>"
        f"<link rel='canonical' href='{canonical or url}'>"
        f"<meta property='og:title' content='{title}'><meta property='og:image' content='{url}/photo.jpg'>"
        f"<meta property='article:published_time' content='{date}'></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1><p class='byline'>Alex Example</p>{body}</article>"
        f"<aside>Share on social media</aside><footer>© Example Media</footer></body></html>"
    )


def write_pages(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (lang, url, title, paras) in PAGES.items():
        p = folder / name
        p.write_text(page_html(lang, url, title, paras), encoding="utf-8")
        out[name] = p
    return out
