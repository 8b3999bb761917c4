#!/usr/bin/env bash
# Recreate the Python venv used to regenerate the Keras fixtures (tests never need it:
# the generated files are committed).
#   bash scripts/setup-keras-venv.sh            # -> .venv
#   VENV=/root/tfvenv bash scripts/setup-keras-venv.sh
# Installs from the local wheel mirror (the public index is unreachable on our machines).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
INDEX="${PIP_MIRROR:-file:///opt/pypi/simple}"
EXTRA="${PIP_MIRROR_EXTRA:-file:///opt/pypi-more/simple}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --index-url "$INDEX" --extra-index-url "$EXTRA" \
  'tensorflow-cpu==2.21.*' 'keras==3.15.*' h5py numpy
TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES="" "$VENV/bin/python" -c \
  'import keras, tensorflow as tf, h5py, numpy; print("keras", keras.__version__, "tf", tf.__version__, "h5py", h5py.__version__, "numpy", numpy.__version__)'
echo "Now: $VENV/bin/python scripts/make_fixtures.py"
