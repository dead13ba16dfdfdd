"""Reference architectures by name, each with the training recipe it is known to work with.

`wright.models.build("mlp-lecture")` returns a fresh model; `wright.models.get("mlp-lecture")` the
full ModelSpec (builder, loss, optimizer, learning rate, batch size, epochs) that `wright train`
uses.
"""

from wright.models.registry import ModelSpec, available, build, get, register

# Importing the architecture modules registers their models.
from wright.models import mlp  # noqa: F401  isort: skip
from wright.models import cnn  # noqa: F401  isort: skip
from wright.models import char_lstm, seq2seq  # noqa: F401  isort: skip

__all__ = ["ModelSpec", "available", "build", "get", "register"]

# The applications' networks (wright demo segmentation, super-resolution, game-playing,
# captioning).
from wright.models import captioner, dqn, espcn, unet  # noqa: F401  isort: skip
