"""Training a registered image classifier with its recipe, for the command line and the demos
alike: a validation split held out of the training images, `fit`, and checkpoints that resume
exactly."""

from __future__ import annotations

import os

import numpy as np

from wright import distributed, models
from wright.backend import manual_seed, numpy_rng
from wright.data import DataLoader, DistributedSampler, Subset
from wright.nn.module import Module
from wright.nn.parallel import DistributedDataParallel
from wright.train.callbacks import ModelCheckpoint
from wright.train.history import History
from wright.train.loop import fit

# MNIST's usual validation split: the last 5,000 of the 60,000 training images.
VALIDATION_FRACTION = 1 / 12


def holdout(dataset, fraction: float = VALIDATION_FRACTION) -> tuple[Subset, Subset]:
    """Split off the last `fraction` of a dataset for validation: (training part, validation
    part), both Subsets in the original order (5,000 of MNIST's 60,000 images by default)."""
    count = len(dataset)
    held = round(count * fraction)
    if not 0 < held < count:
        raise ValueError(
            f"holdout: {count} samples are too few to hold out {fraction:.1%} for validation "
            "and train on the rest"
        )
    return Subset(dataset, np.arange(count - held)), Subset(dataset, np.arange(count - held, count))


def rank_share(dataset):
    """This process's share of `dataset` in a data-parallel run (every K-th sample from its rank
    on, so the shares add up to the dataset exactly); the dataset itself without one.
    `evaluate(..., across_ranks=True)` on the shares gives the whole dataset's numbers."""
    if not distributed.is_initialized() or distributed.get_world_size() == 1:
        return dataset
    world = distributed.get_world_size()
    return Subset(dataset, np.arange(distributed.get_rank(), len(dataset), world))


def train_classifier(
    name: str,
    train_set,
    val_set=None,
    *,
    num_classes: int = 10,
    epochs: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    optimizer: str | None = None,
    momentum: float = 0.0,
    seed: int | None = None,
    checkpoint: str | os.PathLike | None = None,
    info: dict | None = None,
    resume: dict | None = None,
    verbose: int = 0,
) -> tuple[Module, History]:
    """Train a fresh registered model `name` with its recipe (arguments given replace the recipe's
    settings) and return it in eval mode with its History.

    Batches are shuffled by a generator of their own, seeded by `seed`; checkpoints store its state
    and that of wright's default generator, so a resumed run draws exactly what an uninterrupted one
    would have.

    In a data-parallel run (a process group of K > 1, e.g. under `mpiexec -n K wright train`),
    the model is trained wrapped in DistributedDataParallel: each process takes batch_size / K
    samples of every batch (a DistributedSampler's order, drawn from `seed` and the epoch) and
    1/K of the validation images, and rank 0 alone writes the checkpoint, which holds the bare
    model's weights, so a run resumes whatever K was before.

    Args:
        name: a registered image model (`wright.models.available("image")`).
        train_set, val_set: datasets of (image, label); `fit` reports val_* on val_set.
        num_classes: outputs of the model.
        epochs: the total number of epochs, counting those before a resume.
        seed: seeds wright's default generator first (weights, dropout) and the shuffling.
        checkpoint: where ModelCheckpoint saves the latest good state after each epoch, with
            `models.checkpoint_info`, `info` (e.g. the dataset's name) and the settings used
            under "recipe".
        resume: a checkpoint read back (`wright.load`) to go on from.
        verbose: fit's progress display.
    """
    spec = models.get(name)
    if seed is not None:
        manual_seed(seed)
    shuffling = np.random.default_rng(seed if seed is not None else numpy_rng().integers(2**63))
    model = models.build(name, num_classes=num_classes)
    chosen = spec.make_optimizer(model.parameters(), optimizer, lr, momentum)
    epochs = epochs or spec.epochs
    batch_size = batch_size or spec.batch_size
    recipe = {
        "loss": spec.loss,
        "optimizer": optimizer or spec.optimizer,
        "lr": lr or spec.lr,
        "momentum": momentum,
        "batch_size": batch_size,
        "epochs": epochs,
        "schedule": spec.schedule,
        "seed": seed,
    }
    callbacks = []
    if checkpoint is not None:
        extra = {
            **models.checkpoint_info(name, num_classes=num_classes),
            **(info or {}),
            "recipe": recipe,
        }
        callbacks.append(ModelCheckpoint(checkpoint, save_best_only=False, extra=extra))
    trained = model
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=shuffling)
    world = distributed.get_world_size() if distributed.is_initialized() else 1
    if world > 1:
        trained = DistributedDataParallel(model)
        sampler = DistributedSampler(train_set, seed=seed or 0)
        loader = DataLoader(train_set, batch_size=-(-batch_size // world), sampler=sampler)
    history = fit(
        trained,
        spec.make_loss(num_classes),
        chosen,
        loader,
        epochs=epochs,
        val_loader=None if val_set is None else DataLoader(rank_share(val_set), batch_size=1000),
        callbacks=callbacks,
        scheduler=spec.make_scheduler(chosen, epochs),
        verbose=verbose,
        generators={"shuffling": shuffling},
        resume=resume,
    )
    return model.eval(), history
