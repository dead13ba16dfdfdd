"""Multi-head attention: every position of a sequence looks at every position of another (or the
same) sequence and takes a weighted mix of what it finds there, in several subspaces at once."""

from __future__ import annotations

import numpy as np

from wright import backend, dtypes
from wright.nn import functional as F
from wright.nn import init
from wright.nn.linear import Linear
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear layer under the name PyTorch gives MultiheadAttention's output projection (so that
    reprs match); it behaves exactly as Linear."""


class MultiheadAttention(Module):
    """Attention with `num_heads` heads: queries, keys and values are projected, split into heads
    that attend separately (scaled dot products, softmax), joined, and projected again.

    The parameters have PyTorch's names and layout: `in_proj_weight` (3E, E) stacks the query,
    key and value projections (`q_proj_weight`, `k_proj_weight`, `v_proj_weight` instead when
    `kdim` or `vdim` differ from `embed_dim`), `in_proj_bias` (3E,), and `out_proj` (a Linear).

    Args:
        embed_dim: E, the size of queries and of the output.
        num_heads: heads; E must be divisible by it.
        dropout: dropout probability on the attention weights (in training).
        bias: learn the projections' biases.
        add_bias_kv: learn one more key and value (`bias_k`, `bias_v`) appended to every sequence.
        add_zero_attn: append a key and value of zeros (after projection) to every sequence.
        kdim: size of keys (default E).
        vdim: size of values (default E).
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).
        device: must be the CPU.
        dtype: of the parameters.

    Shape:
        query (L, N, E), key (S, N, kdim), value (S, N, vdim) (batch first with `batch_first`, or
        unbatched without N) -> output like query, and the attention weights (N, L, S), averaged
        over heads, or (N, num_heads, L, S).

    Example:
        >>> attention = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = wright.randn(2, 5, 16)
        >>> out, weights = attention(x, x, x)
        >>> out.shape, weights.shape
        (wright.Size([2, 5, 16]), wright.Size([2, 5, 5]))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        super().__init__()
        backend.resolve_device(device)
        dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def weight(*shape: int) -> Parameter:
            return Parameter(np.empty(shape, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = weight(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = weight(embed_dim, embed_dim)
            self.k_proj_weight = weight(embed_dim, self.kdim)
            self.v_proj_weight = weight(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = weight(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, device=device, dtype=dtype
        )
        if add_bias_kv:
            self.bias_k, self.bias_v = weight(1, 1, embed_dim), weight(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        # PyTorch's scheme: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v.
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                init.xavier_uniform_(getattr(self, name))
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from `query` to `key`/`value`.

        Args:
            key_padding_mask: (N, S) or (S,): True (or -inf) marks keys to ignore (padding); a
                float mask is added to the scores.
            need_weights: also return the attention weights (else None, and a faster path that
                gives zeros, not NaN, where every key is masked).
            attn_mask: (L, S) or (N * num_heads, L, S): True (or -inf) where a query may not
                attend; a float mask is added to the scores.
            average_attn_weights: average the returned weights over heads.
            is_causal: a hint that `attn_mask` is the causal mask; without weights and padding
                mask the causal mask is applied directly, as PyTorch does.

        Returns:
            (output, weights or None).
        """
        batched = query.ndim == 3
        if self.batch_first and batched:
            # Transposing each distinct tensor once keeps `query is key` (self-attention) true.
            swapped = {id(t): t.transpose(0, 1) for t in (query, key, value)}
            query, key, value = swapped[id(query)], swapped[id(key)], swapped[id(value)]
        separate = {}
        if not self._qkv_same_embed_dim:
            separate = {
                "use_separate_proj_weight": True,
                "q_proj_weight": self.q_proj_weight,
                "k_proj_weight": self.k_proj_weight,
                "v_proj_weight": self.v_proj_weight,
            }
        out, weights = F.multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
            **separate,
        )
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        return out, weights
