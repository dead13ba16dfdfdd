"""Reference architectures by name, each with the training recipe it is known to work with.

`wright.models.build("mlp-lecture")` returns a fresh model; `wright.models.get("mlp-lecture")` the
full ModelSpec (builder, loss, optimizer, learning rate, batch size, epochs) that `wright train`
uses, which also makes the loss, optimizer and schedule its recipe names. `save_checkpoint` and
`load_checkpoint` store a trained model with what rebuilding it takes, and read it back.
"""

from wright.models.registry import (
    LOSSES,
    OPTIMIZERS,
    Checkpoint,
    CheckpointError,
    ModelSpec,
    available,
    build,
    check_optimizer,
    checkpoint_info,
    get,
    load_checkpoint,
    make_loss,
    make_optimizer,
    register,
    save_checkpoint,
)

# Importing the architecture modules registers their models.
from wright.models import mlp  # noqa: F401  isort: skip
from wright.models import cnn  # noqa: F401  isort: skip
from wright.models import char_lstm, seq2seq  # noqa: F401  isort: skip

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "Checkpoint",
    "CheckpointError",
    "ModelSpec",
    "available",
    "build",
    "check_optimizer",
    "checkpoint_info",
    "get",
    "load_checkpoint",
    "make_loss",
    "make_optimizer",
    "register",
    "save_checkpoint",
]

# The applications' networks (wright demo segmentation, super-resolution, game-playing,
# captioning; wright train shakespeare --model char-transformer).
from wright.models import captioner, char_transformer, dqn, espcn, unet  # noqa: F401  isort: skip
