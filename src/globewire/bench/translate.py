"""`globewire bench translate`: speed of the ctranslate2 path on a model of OPUS-MT's shape.

Translation weights cannot be downloaded here, so the benchmark (and the tests) build a Marian
model with random weights and sentencepiece tokenisers trained on a few lines, then convert it
with the same ``models.convert`` that ``globewire models pull`` uses. Random weights say nothing
about quality, only about speed: the output length is forced (min = max decoding length) to a
realistic number of target tokens per sentence.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# A few lines in several scripts so the toy tokenisers cover what the tests feed them. Written for
# this project.
SAMPLE_CORPUS: tuple[str, ...] = (
    "The city council met on Tuesday to discuss the new budget for schools and roads.",
    "Heavy rain caused floods in the northern provinces, and thousands of people left their homes.",
    "The minister said the talks would continue next week in the capital.",
    "Der Stadtrat hat am Dienstag über den neuen Haushalt für Schulen und Straßen beraten.",
    "Starker Regen führte in den nördlichen Provinzen zu Überschwemmungen.",
    "La ministre a déclaré que les négociations reprendraient la semaine prochaine.",
    "El gobierno anunció nuevas medidas para reducir la inflación este año.",
    "Правительство объявило о новых мерах по снижению инфляции в этом году.",
    "東京で大きな地震があり、交通機関が一時止まりました。被害の状況を調べています。",
    "政府は今年のインフレを抑えるための新しい対策を発表した。",
    "北京今天举行了新闻发布会，介绍了经济发展的最新情况。",
    "أعلنت الحكومة عن إجراءات جديدة لخفض التضخم هذا العام؟ نعم.",
    "सरकार ने इस साल महंगाई कम करने के लिए नए उपाय घोषित किए। बैठक कल होगी।",
    "รัฐบาลประกาศมาตรการใหม่เพื่อลดเงินเฟ้อในปีนี้ ฝนตกหนักในกรุงเทพ",
    "정부는 올해 물가를 낮추기 위한 새로운 대책을 발표했다.",
    "Numbers 1 2 3 4 5 6 7 8 9 0 and signs . , ; : ! ? ( ) \" ' - % $ € / @ #",
)

TOY_SHAPE: dict[str, int] = {"d_model": 32, "layers": 2, "heads": 2, "ffn": 64, "vocab": 400}
OPUS_SHAPE: dict[str, int] = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "vocab": 58_101}

AVG_SENTENCES_PER_ARTICLE = 25
AVG_TOKENS_PER_SENTENCE = 25
ARTICLES_PER_DAY = 500
GOAL_TOKENS_PER_SECOND = 500.0


def build_random_marian(
    hf_dir: Path, *, d_model: int, layers: int, heads: int, ffn: int, vocab: int, seed: int = 0
) -> Path:
    """A Transformers Marian checkpoint with random weights and real sentencepiece tokenisers."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    hf_dir = Path(hf_dir)
    hf_dir.mkdir(parents=True, exist_ok=True)
    lines = list(SAMPLE_CORPUS) * 8
    for name in ("source", "target"):
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_prefix=str(hf_dir / name),
            vocab_size=min(vocab - 3, 300),
            model_type="unigram",
            character_coverage=1.0,
            hard_vocab_limit=False,
            minloglevel=2,
        )
        (hf_dir / f"{name}.model").replace(hf_dir / f"{name}.spm")
    pieces: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(hf_dir / f"{name}.spm"))
        for i in range(sp.get_piece_size()):
            pieces.setdefault(sp.id_to_piece(i), len(pieces))
    while len(pieces) < vocab - 1:  # pad to the wanted size: the output layer's cost scales with it
        pieces[f"▁filler{len(pieces)}"] = len(pieces)
    pieces["<pad>"] = len(pieces)
    (hf_dir / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    config = MarianConfig(
        vocab_size=len(pieces),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=512,
        pad_token_id=pieces["<pad>"],
        eos_token_id=0,
        decoder_start_token_id=pieces["<pad>"],
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(hf_dir)
    tok = MarianTokenizer(
        str(hf_dir / "source.spm"),
        str(hf_dir / "target.spm"),
        str(hf_dir / "vocab.json"),
        source_lang="xx",
        target_lang="en",
    )
    tok.save_pretrained(hf_dir)
    (hf_dir / "README.md").write_text("---\nlicense: cc-by-4.0\n---\nRandom-weight test model.\n", encoding="utf-8")
    return hf_dir


def build_random_m2m100(
    hf_dir: Path, *, d_model: int, layers: int, heads: int, ffn: int, vocab: int, seed: int = 0
) -> Path:
    """A tiny M2M-100 checkpoint (random weights, real sentencepiece model, the model's language tokens)."""
    import sentencepiece as spm
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    hf_dir = Path(hf_dir)
    hf_dir.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(SAMPLE_CORPUS) * 8),
        model_prefix=str(hf_dir / "sentencepiece.bpe"),
        vocab_size=min(vocab, 300),
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_file=str(hf_dir / "sentencepiece.bpe.model"))
    pieces: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(sp.get_piece_size()):
        pieces.setdefault(sp.id_to_piece(i), len(pieces))
    (hf_dir / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    tok = M2M100Tokenizer(
        str(hf_dir / "vocab.json"), str(hf_dir / "sentencepiece.bpe.model"), src_lang="en", tgt_lang="en"
    )
    tok.save_pretrained(hf_dir)
    n_vocab = max(tok.lang_token_to_id.values()) + 1 + tok.num_madeup_words
    config = M2M100Config(
        vocab_size=n_vocab,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=512,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).save_pretrained(hf_dir)
    (hf_dir / "README.md").write_text("---\nlicense: mit\n---\nRandom-weight test model.\n", encoding="utf-8")
    return hf_dir


def build_converted(models_dir: Path, repo: str, shape: dict[str, int], *, languages: list[str]) -> Path:
    """Build + convert (int8) into ``models_dir`` unless already there; returns the model folder."""
    from globewire.translate import models as mdl

    out = mdl.model_path(models_dir, repo)
    if mdl.is_installed(models_dir, repo):
        return out
    import shutil
    import tempfile

    family = mdl.family_of(repo)
    with tempfile.TemporaryDirectory(prefix="gw-hf-") as tmp:
        builder = build_random_m2m100 if family == "m2m100" else build_random_marian
        hf = builder(Path(tmp) / "hf", **shape)
        mdl.convert(hf, out, repo=repo, family=family, quantization="int8", languages=languages)
    shutil.rmtree(Path(models_dir) / ".hub", ignore_errors=True)
    return out


# ------------------------------------------------------------------------------------------- bench


@dataclass(slots=True)
class BenchRow:
    threads: int
    batch: int
    sentences: int
    seconds: float
    sentences_per_s: float
    target_tokens_per_s: float


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(
    cache_dir: Path,
    *,
    threads: tuple[int, ...] = (1, 2),
    batches: tuple[int, ...] = (8, 16, 32, 64),
    sentences: int = 128,
    beam_size: int = 2,
    tokens_per_sentence: int = AVG_TOKENS_PER_SENTENCE,
    budget_seconds: float = 240.0,
) -> dict[str, Any]:
    from globewire.translate import ct2

    repo = "bench/opus-shaped-random-xx-en"
    models_dir = Path(cache_dir)
    t0 = time.monotonic()
    from globewire.translate import models as mdl

    if not mdl.is_installed(models_dir, repo):
        # build in a child process so torch's memory does not count in this process's peak
        code = (
            f"from pathlib import Path; from globewire.bench.translate import build_converted, OPUS_SHAPE; "
            f"build_converted(Path({str(models_dir)!r}), {repo!r}, OPUS_SHAPE, languages=['xx'])"
        )
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})
    build_s = time.monotonic() - t0
    path = mdl.model_path(models_dir, repo)
    rss_before = _peak_rss_mb()
    # source sentences of ~tokens_per_sentence pieces, cycling through the corpus
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
    pool: list[str] = []
    for line in SAMPLE_CORPUS:
        pool.extend(sp.encode(line, out_type=str))
    src: list[list[str]] = []
    for i in range(sentences):
        start = (i * 7) % max(1, len(pool) - tokens_per_sentence)
        src.append(pool[start : start + tokens_per_sentence] + ["</s>"])

    rows: list[BenchRow] = []
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for n_threads in threads:
        model = ct2.load_model(path, intra_threads=n_threads)
        ct2.translate_tokens(
            model,
            src[:4],
            beam_size=beam_size,
            max_batch_tokens=4,
            batch_type="examples",
            max_decoding_length=tokens_per_sentence,
            min_decoding_length=tokens_per_sentence,
        )
        for bs in batches:
            if time.monotonic() - started > budget_seconds:
                break
            t = time.perf_counter()
            outs = ct2.translate_tokens(
                model,
                src,
                beam_size=beam_size,
                max_batch_tokens=bs,
                batch_type="examples",
                max_decoding_length=tokens_per_sentence,
                min_decoding_length=tokens_per_sentence,
            )
            dt_s = time.perf_counter() - t
            n_tok = sum(len(o) for o in outs)
            rows.append(
                BenchRow(n_threads, bs, len(src), round(dt_s, 3), round(len(src) / dt_s, 1), round(n_tok / dt_s, 1))
            )
        del model
    best2 = max((r.target_tokens_per_s for r in rows if r.threads == max(threads)), default=0.0)
    day_tokens = ARTICLES_PER_DAY * AVG_SENTENCES_PER_ARTICLE * AVG_TOKENS_PER_SENTENCE
    return {
        "model": {"repo": repo, "shape": OPUS_SHAPE, "quantization": "int8", "path": str(path)},
        "beam_size": beam_size,
        "tokens_per_sentence": tokens_per_sentence,
        "build_seconds": round(build_s, 1),
        "rows": [asdict(r) for r in rows],
        "rss_before_load_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        # other processes on the machine skew the numbers: a 1-minute load above the core count means contention
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "cpu_count": os.cpu_count(),
        "best_target_tokens_per_s_at_max_threads": best2,
        "goal_target_tokens_per_s": GOAL_TOKENS_PER_SECOND,
        "goal_met": best2 >= GOAL_TOKENS_PER_SECOND,
        "day": {
            "articles": ARTICLES_PER_DAY,
            "sentences_per_article": AVG_SENTENCES_PER_ARTICLE,
            "tokens_per_sentence": AVG_TOKENS_PER_SENTENCE,
            "target_tokens": day_tokens,
            "estimated_minutes": round(day_tokens / best2 / 60, 1) if best2 else None,
        },
    }
