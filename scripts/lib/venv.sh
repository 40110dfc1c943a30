# Sourced by scripts that need PyTorch: a venv at .venv with the CPU wheel, which pip
# finds locally, plus the packages the golden and benchmark scripts import.
VENV_DIR="${VENV_DIR:-.venv}"
VENV_PYTHON="$VENV_DIR/bin/python"

ensure_torch_venv() {
  if [[ ! -x "$VENV_PYTHON" ]]; then
    python3 -m venv "$VENV_DIR"
  fi
  if ! "$VENV_PYTHON" -c "import torch, safetensors, numpy" 2>/dev/null; then
    "$VENV_PYTHON" -m pip install -q torch==2.13.0+cpu numpy safetensors
  fi
}

ensure_sentence_transformers() {
  ensure_torch_venv
  if ! "$VENV_PYTHON" -c "import sentence_transformers" 2>/dev/null; then
    "$VENV_PYTHON" -m pip install -q sentence-transformers
  fi
}
