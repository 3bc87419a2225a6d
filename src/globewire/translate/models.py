"""Translation models for the ctranslate2 backend: which model serves a language, downloading from
the Hugging Face Hub, conversion to int8, and the local cache (``<data_dir>/models``).

Two ways to get a model, lightest first:
1. **published already converted** for ctranslate2 (``translate.converted_repo``, by default the
   ``gaudi/opus-mt-{src}-en-ctranslate2`` repos): downloaded with a progress bar, every file verified
   against the hub's metadata (size; sha256 of LFS files, git blob id of the others), no torch needed;
2. **conversion** of the original checkpoint (``transformers`` + ``torch``: ``pip install 'globewire[convert]'``)
   when no converted copy is published (and for the multilingual fallback).

Layout of the cache: one folder per model repo (``Helsinki-NLP--opus-mt-de-en``) holding the
ctranslate2 model, its sentencepiece files and ``globewire-model.json`` (repo, family, licence,
conversion time). ``languages.json`` records a language routed to the multilingual fallback
because its OPUS-MT model turned out not to exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from globewire.log import get_logger

log = get_logger(__name__)

Family = Literal["marian", "m2m100", "nllb"]
MANIFEST = "globewire-model.json"
LANG_MAP = "languages.json"
OPUS_MT = "Helsinki-NLP/opus-mt-{src}-en"

# Source languages for which Helsinki-NLP publishes opus-mt-{src}-en, written down from the hub's model
# listing without network access here, so not re-verified: a language missing from the list still works
# through the multilingual fallback, and a wrong entry costs one failed lookup after which `models pull`
# routes the language to the fallback (recorded in languages.json).
KNOWN_OPUS_MT: frozenset[str] = frozenset(
    """
    af ar bg ca cs cy da de es et eu fi fr ga gl hi hu hy id is it ja ka ko mk ml mr nl pl ru sk sq
    sv th tl tr uk ur vi xh zh
    """.split()  # noqa: SIM905 - compact language list
)

# Licences by family, used when the model card carries none.
FAMILY_LICENCE: dict[str, str] = {"marian": "cc-by-4.0", "m2m100": "mit", "nllb": "cc-by-nc-4.0"}

# Languages of M2M-100 (ISO 639-1 where one exists, as the model's own language tokens spell them).
M2M100_LANGS: frozenset[str] = frozenset(
    """
    af am ar ast az ba be bg bn br bs ca ceb cs cy da de el en es et fa ff fi fr fy ga gd gl gu ha
    he hi hr ht hu hy id ig ilo is it ja jv ka kk km kn ko lb lg ln lo lt lv mg mk ml mn mr ms my ne
    nl no ns oc or pa pl ps pt ro ru sd si sk sl so sq sr ss su sv sw ta th tl tn tr uk ur uz vi wo
    xh yi yo zh zu
    """.split()  # noqa: SIM905 - compact language list
)

# ISO 639-1 → NLLB-200 (FLORES-200) codes for the languages globewire's catalogue uses most.
# fmt: off
NLLB_CODES: dict[str, str] = {
    "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "az": "azj_Latn", "be": "bel_Cyrl", "bg": "bul_Cyrl",
    "bn": "ben_Beng", "bs": "bos_Latn", "ca": "cat_Latn", "cs": "ces_Latn", "cy": "cym_Latn", "da": "dan_Latn",
    "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn",
    "fa": "pes_Arab", "fi": "fin_Latn", "fr": "fra_Latn", "ga": "gle_Latn", "gl": "glg_Latn", "gu": "guj_Gujr",
    "ha": "hau_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hr": "hrv_Latn", "hu": "hun_Latn", "hy": "hye_Armn",
    "id": "ind_Latn", "ig": "ibo_Latn", "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan", "ka": "kat_Geor",
    "kk": "kaz_Cyrl", "km": "khm_Khmr", "kn": "kan_Knda", "ko": "kor_Hang", "lo": "lao_Laoo", "lt": "lit_Latn",
    "lv": "lvs_Latn", "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mn": "khk_Cyrl", "mr": "mar_Deva", "ms": "zsm_Latn",
    "my": "mya_Mymr", "ne": "npi_Deva", "nl": "nld_Latn", "no": "nob_Latn", "pa": "pan_Guru", "pl": "pol_Latn",
    "ps": "pbt_Arab", "pt": "por_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "si": "sin_Sinh", "sk": "slk_Latn",
    "sl": "slv_Latn", "so": "som_Latn", "sq": "als_Latn", "sr": "srp_Cyrl", "sv": "swe_Latn", "sw": "swh_Latn",
    "ta": "tam_Taml", "te": "tel_Telu", "th": "tha_Thai", "tl": "tgl_Latn", "tr": "tur_Latn", "uk": "ukr_Cyrl",
    "ur": "urd_Arab", "uz": "uzn_Latn", "vi": "vie_Latn", "yo": "yor_Latn", "zh": "zho_Hans", "zu": "zul_Latn",
}
# fmt: on

TOKENIZER_FILES: dict[str, tuple[str, ...]] = {
    "marian": ("source.spm", "target.spm"),
    "m2m100": ("sentencepiece.bpe.model",),
    "nllb": ("sentencepiece.bpe.model",),
}
_DOWNLOAD_PATTERNS = ["*.json", "*.spm", "*.model", "*.safetensors", "pytorch_model.bin", "README.md"]


class ModelError(RuntimeError):
    """A model could not be fetched or converted (offline, not found, converter missing)."""


class ModelNotFound(ModelError):
    """The hub has no such repo."""


@dataclass(frozen=True, slots=True)
class ModelChoice:
    repo: str
    family: Family

    def supports(self, lang: str) -> bool:
        if self.family == "m2m100":
            return lang in M2M100_LANGS
        if self.family == "nllb":
            return lang in NLLB_CODES
        return True


@dataclass(slots=True)
class LocalModel:
    repo: str
    family: str
    path: str
    licence: str
    quantization: str
    converted_at: str
    languages: list[str]
    size_mb: float = 0.0
    source_repo: str | None = None  # where the files came from (a converted copy, or ``repo`` itself)
    revision: str | None = None  # the hub commit they were downloaded at
    files: dict[str, str] | None = None  # file → sha256 as verified at download


def family_of(repo: str) -> Family:
    low = repo.lower()
    if "nllb" in low:
        return "nllb"
    if "m2m100" in low or "m2m_100" in low:
        return "m2m100"
    return "marian"


def slug(repo: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", repo.replace("/", "--"))


def model_path(models_dir: Path, repo: str) -> Path:
    return Path(models_dir) / slug(repo)


def is_installed(models_dir: Path, repo: str) -> bool:
    p = model_path(models_dir, repo)
    return (p / MANIFEST).is_file() and (p / "model.bin").is_file()


def _lang_map(models_dir: Path) -> dict[str, str]:
    try:
        return dict(json.loads((Path(models_dir) / LANG_MAP).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _set_lang_map(models_dir: Path, lang: str, repo: str) -> None:
    data = _lang_map(models_dir)
    data[lang] = repo
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    (Path(models_dir) / LANG_MAP).write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")


def choose(
    lang: str, models_dir: Path, *, overrides: dict[str, str] | None = None, fallback: str = ""
) -> ModelChoice | None:
    """The model that translates ``lang`` into English, or None when nothing can."""
    lang = lang.lower()
    if overrides and lang in overrides:
        return ModelChoice(overrides[lang], family_of(overrides[lang]))
    mapped = _lang_map(models_dir).get(lang)
    if mapped:
        return ModelChoice(mapped, family_of(mapped))
    opus = OPUS_MT.format(src=lang)
    if lang in KNOWN_OPUS_MT or is_installed(models_dir, opus):
        return ModelChoice(opus, "marian")
    if fallback:
        choice = ModelChoice(fallback, family_of(fallback))
        if choice.supports(lang):
            return choice
    return None


def _card_licence(folder: Path) -> str | None:
    readme = folder / "README.md"
    try:
        text = readme.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    m = re.search(r"^license:\s*([\w.\-]+)", text, re.MULTILINE)
    return m.group(1) if m else None


def convert(
    hf_dir: Path,
    out_dir: Path,
    *,
    repo: str,
    family: str | None = None,
    quantization: str = "int8",
    languages: list[str] | None = None,
) -> Path:
    """Convert a Transformers checkpoint folder into a ctranslate2 model folder (atomically)."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:  # pragma: no cover - ctranslate2 is a dependency
        raise ModelError(f"ctranslate2 converter unavailable: {exc}") from exc
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ModelError("converting a model needs transformers and torch: pip install 'globewire[convert]'") from exc
    fam = family or family_of(repo)
    hf_dir, out_dir = Path(hf_dir), Path(out_dir)
    copy = [f for f in TOKENIZER_FILES.get(fam, ()) if (hf_dir / f).is_file()]
    if len(copy) != len(TOKENIZER_FILES.get(fam, ())):
        raise ModelError(f"{repo}: tokenizer files missing in {hf_dir} (need {', '.join(TOKENIZER_FILES[fam])})")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=out_dir.parent))
    try:
        converter_cls = _language_token_converter(TransformersConverter) if fam != "marian" else TransformersConverter
        converter_cls(str(hf_dir), copy_files=copy).convert(str(tmp / "m"), quantization=quantization, force=True)
        _check_language_tokens(tmp / "m", fam, repo)
        manifest = LocalModel(
            repo=repo,
            family=fam,
            path=str(out_dir),
            licence=_card_licence(hf_dir) or FAMILY_LICENCE.get(fam, "?"),
            quantization=quantization,
            converted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            languages=sorted(languages or []),
        )
        (tmp / "m" / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (tmp / "m").rename(out_dir)
    except ModelError:
        raise
    except Exception as exc:  # converter errors are many and untyped
        raise ModelError(f"converting {repo} failed: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("model_converted", repo=repo, path=str(out_dir), quantization=quantization)
    return out_dir


class _WithLanguageTokens:
    """Tokenizer proxy for the converter: with transformers 5 the M2M-100 tokenizer no longer lists its
    ``__xx__`` language tokens under ``additional_special_tokens``, which ctranslate2's converter reads
    to extend the vocabulary. Without them the converted vocabulary is shorter than the embedding and
    every language token maps to <unk>. This puts them back, in id order."""

    def __init__(self, tokenizer: Any) -> None:
        self._tok = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tok, name)

    @property
    def special_tokens_map(self) -> dict[str, Any]:
        m = dict(self._tok.special_tokens_map)
        have = set(self._tok.get_vocab())
        listed = list(m.get("additional_special_tokens") or [])
        langs = dict(getattr(self._tok, "lang_token_to_id", None) or {})
        extra = [t for t, _ in sorted(langs.items(), key=lambda kv: kv[1]) if t not in have and t not in listed]
        if extra:
            m["additional_special_tokens"] = listed + extra
        return m


def _language_token_converter(base: type) -> type:
    class _Converter(base):  # type: ignore[misc, valid-type]
        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            return _WithLanguageTokens(super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs))

    return _Converter


def _check_language_tokens(folder: Path, family: str, repo: str) -> None:
    """A multilingual model must know the English target token, else its output is noise."""
    if family == "marian":
        return
    want = "__en__" if family == "m2m100" else NLLB_CODES["en"]
    vocab_file = folder / "shared_vocabulary.json"
    try:
        vocab = json.loads(vocab_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        vocab = (
            [line.rstrip("\n") for line in (folder / "shared_vocabulary.txt").read_text(encoding="utf-8").splitlines()]
            if (folder / "shared_vocabulary.txt").is_file()
            else []
        )
    if want not in vocab:
        raise ModelError(f"converted {repo} lacks the language token {want}; transformers/ctranslate2 mismatch")


def download(repo: str, models_dir: Path, *, endpoint: str = "") -> Path:
    """Fetch a checkpoint from the hub into ``<models_dir>/.hub``; typed errors for offline / not found."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
    except ImportError as exc:  # pragma: no cover
        raise ModelError("huggingface_hub is not installed: pip install huggingface_hub") from exc
    try:
        path = snapshot_download(
            repo,
            cache_dir=str(Path(models_dir) / ".hub"),
            allow_patterns=_DOWNLOAD_PATTERNS,
            endpoint=endpoint or None,
            etag_timeout=15,
        )
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise ModelNotFound(f"{repo} is not on the hub") from exc
    except Exception as exc:  # offline: connection errors of several libraries, LocalEntryNotFound...
        if _is_not_found(exc):
            raise ModelNotFound(f"{repo} is not on the hub") from exc
        raise ModelError(f"cannot download {repo} ({_one_line(exc)})") from exc
    return Path(str(path))


def converted_repo_for(repo: str, template: str) -> str | None:
    """The repo publishing ``repo`` already converted for ctranslate2 (``{name}`` = the repo's name,
    ``{repo}`` = owner/name), or None when the template is empty."""
    if not template:
        return None
    return template.format(name=repo.rsplit("/", 1)[-1], repo=repo)


def _git_blob_id(path: Path) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    h.update(b"blob %d\0" % path.stat().st_size)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hub_errors() -> tuple[type[BaseException], ...]:
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    return (RepositoryNotFoundError, GatedRepoError)


def _one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_not_found(exc: BaseException) -> bool:
    if isinstance(exc, _hub_errors()):
        return True
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) == 404


def download_converted(repo: str, models_dir: Path, out_dir: Path, *, upstream: str, endpoint: str = "") -> Path:
    """Download a model published already converted for ctranslate2, verify every file against the
    hub's metadata, and install it atomically into ``out_dir`` with a manifest (provenance, licence)."""
    from huggingface_hub import HfApi, hf_hub_download

    hub_dir = Path(models_dir) / ".hub"
    try:
        info = HfApi(endpoint=endpoint or None).model_info(repo, files_metadata=True, timeout=30)
    except Exception as exc:
        if _is_not_found(exc):
            raise ModelNotFound(f"{repo} is not on the hub") from exc
        raise ModelError(f"cannot download {repo}: the model hub is unreachable ({_one_line(exc)})") from exc
    siblings = {s.rfilename: s for s in (info.siblings or [])}
    if "model.bin" not in siblings:
        raise ModelNotFound(f"{repo} has no ctranslate2 model.bin")
    wanted = [f for f in siblings if f != ".gitattributes" and "/" not in f]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".downloading-", dir=out_dir.parent))
    try:
        verified: dict[str, str] = {}
        for name in sorted(wanted, key=lambda f: siblings[f].size or 0):
            try:
                local = Path(
                    hf_hub_download(repo, name, revision=info.sha, cache_dir=str(hub_dir), endpoint=endpoint or None,
                                    etag_timeout=15)
                )
            except Exception as exc:
                raise ModelError(f"cannot download {repo}/{name} ({_one_line(exc)})") from exc
            meta = siblings[name]
            size = local.stat().st_size
            if meta.size is not None and size != meta.size:
                raise ModelError(f"{repo}/{name}: {size} bytes, the hub says {meta.size}")
            digest = _sha256(local)
            if meta.lfs is not None and meta.lfs.sha256 and digest != meta.lfs.sha256:
                raise ModelError(f"{repo}/{name}: sha256 {digest[:12]}… does not match the hub's {meta.lfs.sha256[:12]}…")
            if meta.lfs is None and meta.blob_id and _git_blob_id(local) != meta.blob_id:
                raise ModelError(f"{repo}/{name}: content does not match the hub's blob id {meta.blob_id[:12]}…")
            shutil.copyfile(local, tmp / name)
            verified[name] = digest
        fam = family_of(upstream)
        missing = [f for f in TOKENIZER_FILES.get(fam, ()) if f not in verified]
        if missing:
            raise ModelError(f"{repo} lacks the tokenizer files {', '.join(missing)}")
        card = _card_licence(tmp)
        upstream_licence = FAMILY_LICENCE.get(fam, "?")
        manifest = LocalModel(
            repo=upstream,
            family=fam,
            path=str(out_dir),
            licence=upstream_licence if card in (None, upstream_licence) else f"{upstream_licence} (converted copy: {card})",
            quantization="as published",
            converted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            languages=[],
            source_repo=repo,
            revision=info.sha,
            files=verified,
        )
        (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(hub_dir, ignore_errors=True)
    log.info("model_downloaded", repo=upstream, source=repo, revision=info.sha, files=len(verified))
    return out_dir


def pull(
    lang: str,
    models_dir: Path,
    *,
    overrides: dict[str, str] | None = None,
    fallback: str = "",
    endpoint: str = "",
    quantization: str = "int8",
    force: bool = False,
    keep_download: bool = False,
    converted: str = "",
) -> LocalModel:
    """Make the model for ``lang`` available locally: a copy published already converted when one
    exists (``converted``: repo template, see :func:`converted_repo_for`), else download + convert.
    An OPUS-MT repo that does not exist routes the language to the multilingual fallback."""
    choice = choose(lang, models_dir, overrides=overrides, fallback=fallback)
    if choice is None:
        raise ModelNotFound(f"no model known for '{lang}' (set translate.opus_models.{lang} or a route)")
    try:
        return _pull_repo(
            choice,
            lang,
            models_dir,
            endpoint=endpoint,
            quantization=quantization,
            force=force,
            keep_download=keep_download,
            converted=converted,
        )
    except ModelNotFound:
        if choice.family != "marian" or not fallback or not ModelChoice(fallback, family_of(fallback)).supports(lang):
            raise
        log.info("opus_mt_missing_using_fallback", lang=lang, repo=choice.repo, fallback=fallback)
        local = _pull_repo(
            ModelChoice(fallback, family_of(fallback)),
            lang,
            models_dir,
            endpoint=endpoint,
            quantization=quantization,
            force=force,
            keep_download=keep_download,
        )
        _set_lang_map(models_dir, lang, fallback)
        return local


def _pull_repo(
    choice: ModelChoice,
    lang: str,
    models_dir: Path,
    *,
    endpoint: str,
    quantization: str,
    force: bool,
    keep_download: bool,
    converted: str = "",
) -> LocalModel:
    out = model_path(models_dir, choice.repo)
    if is_installed(models_dir, choice.repo) and not force:
        return read_manifest(out)
    published = converted_repo_for(choice.repo, converted) if choice.family == "marian" else None
    if published:
        try:
            download_converted(published, models_dir, out, upstream=choice.repo, endpoint=endpoint)
            _set_languages(out, [lang])
            return read_manifest(out)
        except ModelNotFound:
            log.info("no_converted_copy", repo=choice.repo, tried=published)
    hf_dir = download(choice.repo, models_dir, endpoint=endpoint)
    langs = [lang] if choice.family == "marian" else []
    convert(hf_dir, out, repo=choice.repo, family=choice.family, quantization=quantization, languages=langs)
    if not keep_download:
        shutil.rmtree(Path(models_dir) / ".hub", ignore_errors=True)
    return read_manifest(out)


def _set_languages(folder: Path, languages: list[str]) -> None:
    path = Path(folder) / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data["languages"] = sorted(set(data.get("languages") or []) | set(languages))
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def read_manifest(folder: Path) -> LocalModel:
    data: dict[str, Any] = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    size = sum(f.stat().st_size for f in Path(folder).iterdir() if f.is_file()) / 1e6
    data["size_mb"] = round(size, 1)
    data["path"] = str(folder)
    return LocalModel(**{k: data.get(k) for k in LocalModel.__dataclass_fields__})  # type: ignore[arg-type]


def list_models(models_dir: Path) -> list[LocalModel]:
    root = Path(models_dir)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(root.iterdir()):
        if (folder / MANIFEST).is_file():
            try:
                out.append(read_manifest(folder))
            except (OSError, ValueError, TypeError) as exc:
                log.warning("bad_model_manifest", path=str(folder), error=str(exc))
    return out
