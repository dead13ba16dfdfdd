"""A character-level decoder-only transformer: token and position embeddings, pre-norm blocks of
causal self-attention and a GELU MLP, and scores for the next character."""

from __future__ import annotations

import numpy as np

import wright
from wright import nn
from wright.creation import as_tensor
from wright.models.registry import ModelSpec, register
from wright.nn import functional as F
from wright.tensor import Tensor


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each position sees only itself and earlier positions.

    Shape:
        (N, T, d_model) -> (N, T, d_model).
    """

    def __init__(self, d_model: int, heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"CausalSelfAttention: d_model {d_model} is not divisible by {heads}")
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        n, t, d = x.shape
        # (N, T, 3d) -> three (N, heads, T, d / heads)
        q, k, v = (
            part.reshape(n, t, self.heads, d // self.heads).transpose(1, 2)
            for part in self.qkv(x).chunk(3, dim=2)
        )
        mixed = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (N, heads, T, d / heads)
        return self.dropout(self.proj(mixed.transpose(1, 2).reshape(n, t, d)))


class Block(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)) with a 4x wider GELU layer.

    Shape:
        (N, T, d_model) -> (N, T, d_model).
    """

    def __init__(self, d_model: int, heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, heads, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model),
            nn.GELU(approximate="tanh"),  # GPT-2's GELU: far cheaper than erf, same curve
            nn.Linear(4 * d_model, d_model),
            nn.Dropout(dropout),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class CharTransformer(nn.Module):
    """Predicts each next character from at most `block_size` characters before it.

    It takes and returns time-major tokens and a state, like `CharLSTM`, so the same training,
    sampling and scoring code drives both. The state is the context: the last block_size - 1
    tokens read, carried to the next call in eval mode (sampling one character at a time,
    evaluating long streams). In training mode no context is carried, so each training window is
    one block on its own. Sequences longer than a block are read in chunks, each seeing at least
    half a block of context when there is one.

    Args:
        vocab_size: number of distinct characters (V).
        block_size: the longest context (positions with a learned embedding).
        d_model: width of the residual stream.
        layers: transformer blocks.
        heads: attention heads per block.
        dropout: dropout on attention outputs and MLP outputs, in training.

    Shape:
        tokens (T, N) integers -> logits (T, N, V), and the state: a one-tuple holding the context
        tokens (C, N).
    """

    model_name = "char-transformer"  # its name in wright.models, kept in checkpoints

    def __init__(
        self,
        vocab_size: int = 65,
        block_size: int = 128,
        d_model: int = 128,
        layers: int = 4,
        heads: int = 4,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.config = {
            "vocab_size": vocab_size,
            "block_size": block_size,
            "d_model": d_model,
            "layers": layers,
            "heads": heads,
            "dropout": dropout,
        }
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(block_size, d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(d_model, heads, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        self._init_weights(layers)

    def _init_weights(self, layers: int) -> None:
        # Small normal weights; each residual branch's output projection scaled down by the
        # depth so that the residual stream does not grow with the number of blocks.
        for name, parameter in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(parameter)
            elif parameter.ndim == 2:
                std = 0.02
                if name.endswith(("proj.weight", "mlp.2.weight")):
                    std /= (2 * layers) ** 0.5
                nn.init.normal_(parameter, 0.0, std)

    def window_logits(self, window: np.ndarray) -> Tensor:
        """Scores for the next token after every position of (N, L) tokens, L <= block_size:
        (N, L, V)."""
        positions = np.arange(window.shape[1])
        x = self.token_embedding(as_tensor(window)) + self.position_embedding(as_tensor(positions))
        return self.head(self.norm(self.blocks(self.dropout(x))))

    def forward(self, tokens, state: tuple[Tensor] | None = None):
        new = np.asarray(tokens.array if isinstance(tokens, Tensor) else tokens).T  # (N, T)
        history = np.asarray(state[0].array).T if state else new[:, :0]  # (N, C)
        seen = np.concatenate([history, new], axis=1)
        start, pieces = history.shape[1], []
        while start < seen.shape[1]:
            kept = min(start, self.block_size // 2)
            length = min(seen.shape[1] - start, self.block_size - kept)
            window = seen[:, start - min(start, self.block_size - length) : start + length]
            pieces.append(self.window_logits(window)[:, -length:])  # (N, length, V)
            start += length
        logits = pieces[0] if len(pieces) == 1 else wright.cat(pieces, dim=1)
        context = seen[:, -(self.block_size - 1) :] if not self.training else seen[:, :0]
        return logits.transpose(0, 1), (as_tensor(np.ascontiguousarray(context.T)),)

    def summary_line(self) -> str:
        c = self.config
        return (
            f"CharTransformer {c['layers']} blocks x d{c['d_model']} x {c['heads']} heads, "
            f"context {c['block_size']}, {c['vocab_size']} symbols"
        )


register(
    ModelSpec(
        name="char-transformer",
        summary="characters -> decoder-only transformer (causal self-attention, LayerNorm, GELU "
        "MLP) -> next-character scores (random windows, AdamW, warm-up and cosine)",
        builder=CharTransformer,
        loss="cross-entropy",
        optimizer="adamw",
        lr=3e-3,
        batch_size=16,
        epochs=1,
        tasks=("text",),
        # Windows at random places each step, a short warm-up, decoupled weight decay of the
        # matrices: without them, Adam at this rate sat on the character-pair plateau (~2.4 nats).
        training={
            "steps": 3000,
            "warmup": 100,
            "beta2": 0.99,
            "weight_decay": 0.1,
            "windows": "random",
            "final_lr_fraction": 0.1,
            "eval_every": 500,
        },
    )
)
