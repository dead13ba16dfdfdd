#!/usr/bin/env bash
# The GPU check, one command on a machine with an NVIDIA GPU that already has CuPy, NumPy and
# PyTorch (and pytest, hypothesis, threadpoolctl): install wright without dependencies, run the op
# and layer battery on cuda against PyTorch and the CPU, train the MNIST CNN recipe for one epoch
# on the GPU, and time LeNet, the 3x3-conv CNN, a wide MLP (batch 1024) and a character LSTM
# against PyTorch CUDA. About 5 minutes on an H100/H200; every stage has its own time limit.
#
#     bash benchmarks/gpu_check.sh              # PYTHON=python3.12 to pick the interpreter
#
# DEVICE=strict makes it a dry run on the CPU with the tests' stand-in for a GPU (tests/strict.py):
# nothing is installed (wright comes from src/), the battery is BATTERY (pytest arguments; default:
# the device tests), and the epoch and timings are tiny. tests/benchmarks/test_gpu_check.py runs it.
#
# It keeps going after a failed stage and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
failed=()

stage() {  # stage NAME SECONDS COMMAND...: run with a time limit, note a failure
    local name=$1 limit=$2
    shift 2
    echo
    echo "== $name (at most ${limit} s)"
    local start=$SECONDS
    if ! timeout "$limit" "$@"; then
        failed+=("$name")
    fi
    echo "-- $name: $((SECONDS - start)) s"
}

if [[ $DEVICE == strict ]]; then
    export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
    # A small battery, a 256-image epoch and two steps of each workload at batch 8.
    read -r -a battery <<<"${BATTERY:-tests/test_devices.py}"
    epoch_args=(--limit 256 --cpu-steps 1 --threads 1)
    timing_args=(--batch 8 --steps 2 --warmup 1)
else
    stage install 120 "$PYTHON" -m pip install -q --no-deps --no-build-isolation -e .
    # The battery: every OpInfo op against PyTorch on the CPU and on cuda, then every layer,
    # optimizer and short training run on cuda against the same on the CPU.
    battery=(tests/test_devices.py tests/functions
        tests/nn/test_activation.py tests/nn/test_loss.py tests/nn/test_padding.py
        tests/nn/test_distance.py tests/nn/test_gelu.py tests/nn/test_pixelshuffle.py
        tests/nn/test_layernorm.py tests/nn/test_attention.py)
    epoch_args=()
    timing_args=()
fi

stage probe 60 env DEVICE="$DEVICE" "$PYTHON" -c '
import os, numpy, torch, wright
device = os.environ["DEVICE"]
if device == "strict":
    import sys; sys.path.insert(0, "tests"); import strict
    print("dry run on the strict stand-in for a GPU | NumPy", numpy.__version__, "| torch",
          torch.__version__)
else:
    import cupy
    assert wright.cuda.is_available(), "wright sees no GPU (is CuPy for this CUDA installed?)"
    print("GPU:", wright.cuda.get_device_name(), "| CuPy", cupy.__version__, "| NumPy",
          numpy.__version__, "| torch", torch.__version__, "| torch sees CUDA:",
          torch.cuda.is_available())
x = wright.randn(3, 3, device=device, requires_grad=True)
(x @ x).sum().backward()
print("a product and its gradient on", x.device, "->", x.grad.device)
'

# CuPy compiles each new kernel once (cached in ~/.cupy), so several workers share the work when
# pytest-xdist is there.
workers=()
if [[ $DEVICE != strict ]] && "$PYTHON" -c "import xdist" 2>/dev/null; then workers=(-n 6); fi
stage battery 270 env WRIGHT_TEST_DEVICE="$DEVICE" "$PYTHON" -m pytest -q -p no:cacheprovider \
    "${workers[@]}" "${battery[@]}"

stage epoch 120 "$PYTHON" benchmarks/gpu_bench.py --device "$DEVICE" --epoch "${epoch_args[@]}"
stage timings 180 "$PYTHON" benchmarks/gpu_bench.py --device "$DEVICE" --markdown \
    "${timing_args[@]}"

echo
if ((${#failed[@]})); then
    echo "gpu_check: FAILED stages: ${failed[*]}"
    exit 1
fi
echo "gpu_check: all stages passed"
