"""Transformers: encoder and decoder layers (attention, a feed-forward block, residual connections
and layer normalization), their stacks, and the encoder-decoder Transformer."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from wright import dtypes
from wright.autograd import is_grad_enabled
from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn import init
from wright.nn.activation import ReLU
from wright.nn.attention import MultiheadAttention
from wright.nn.container import ModuleList
from wright.nn.dropout import Dropout
from wright.nn.gelu import GELU
from wright.nn.layernorm import LayerNorm
from wright.nn.linear import Linear
from wright.nn.module import Module
from wright.tensor import Tensor, where


def _activation(activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if not isinstance(activation, str):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _clones(module: Module, count: int) -> ModuleList:
    # Independent copies: each layer of a stack learns its own weights.
    return ModuleList(copy.deepcopy(module) for _ in range(count))


def _masks(key_padding_mask, mask, x: Tensor, names: tuple[str, str]):
    """Both masks as float masks (bool True = masked out becomes -inf), as every layer sees them."""
    key_padding_mask = F._canonical_mask(
        key_padding_mask, names[0], F._none_or_dtype(mask), names[1], x.dtype
    )
    return key_padding_mask, F._canonical_mask(mask, names[1], None, "", x.dtype, False)


def _sequence_length(x: Tensor, batch_first: bool) -> int:
    return x.shape[0] if x.ndim == 2 else x.shape[1 if batch_first else 0]


def _packs_sequences(layer: Module) -> bool:
    """Whether PyTorch's encoder runs stacks of `layer` on packed sequences in inference."""
    if not isinstance(layer, TransformerEncoderLayer):
        return False
    attention = layer.self_attn
    return bool(
        not layer.norm_first
        and attention.batch_first
        and attention._qkv_same_embed_dim
        and attention.in_proj_bias is not None
        and layer.activation_relu_or_gelu
        and layer.norm1.eps == layer.norm2.eps
        and attention.num_heads % 2 == 0
    )


def _is_causal(mask: Tensor | None, is_causal: bool | None, size: int) -> bool:
    """An explicit is_causal wins; with None, whether `mask` is exactly the causal mask."""
    if is_causal is not None or mask is None:
        return is_causal is True
    causal = Transformer.generate_square_subsequent_mask(size, dtype=mask.dtype)
    return tuple(mask.shape) == tuple(causal.shape) and bool(
        np.array_equal(mask.array, causal.array)
    )


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each inside a residual connection with layer
    normalization (after the addition, or before the block with `norm_first`).

    Args:
        d_model: the size of each position's features.
        nhead: attention heads.
        dim_feedforward: width of the feed-forward block's hidden layer.
        dropout: dropout after attention, inside and after the feed-forward block.
        activation: of the feed-forward block: 'relu', 'gelu' or a callable.
        layer_norm_eps: eps of the layer norms.
        batch_first: inputs are (N, S, E) instead of (S, N, E).
        norm_first: normalise before each block (pre-norm) instead of after the addition.
        bias: learn biases in the linear layers and layer norms.
        device: must be the CPU.
        dtype: of the parameters.

    Shape:
        src (S, N, E), (N, S, E) with `batch_first`, or (S, E) -> output, the same shape.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model,
            nhead,
            dropout=dropout,
            bias=bias,
            batch_first=batch_first,
            device=device,
            dtype=dtype,
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, device=device, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, device=device, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)
        # PyTorch's mark of the activations its fused inference path knows: 1 ReLU, 2 GELU.
        self.activation_relu_or_gelu = 0
        if self.activation is F.relu or isinstance(self.activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif self.activation is F.gelu or isinstance(self.activation, GELU):
            self.activation_relu_or_gelu = 2

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """Encode `src`; masks as for MultiheadAttention (bool True = may not attend)."""
        src_key_padding_mask, src_mask = _masks(
            src_key_padding_mask, src_mask, src, ("src_key_padding_mask", "src_mask")
        )
        x = src
        if self.norm_first:
            x = x + self._attention_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward_block(self.norm2(x))
        x = self.norm1(x + self._attention_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward_block(x))

    def _attention_block(self, x, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)

    def _feed_forward_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention to the encoder's output (memory), then a
    feed-forward block; each in a residual connection with layer normalization.

    The arguments are TransformerEncoderLayer's.

    Shape:
        tgt (T, N, E), memory (S, N, E) (batch first with `batch_first`, or unbatched) -> output
        like tgt.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.self_attn, self.multihead_attn = (
            MultiheadAttention(
                d_model,
                nhead,
                dropout=dropout,
                batch_first=batch_first,
                bias=bias,
                device=device,
                dtype=dtype,
            )
            for _ in range(2)
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, device=device, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, device=device, dtype=dtype)
        self.norm_first = norm_first
        self.norm1, self.norm2, self.norm3 = (
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
            for _ in range(3)
        )
        self.dropout1, self.dropout2, self.dropout3 = (Dropout(dropout) for _ in range(3))
        self.activation = _activation(activation)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Decode `tgt` attending to `memory`; masks as for MultiheadAttention."""
        x = tgt
        if self.norm_first:
            x = x + self._self_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._memory_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            return x + self._feed_forward_block(self.norm3(x))
        x = self.norm1(x + self._self_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(
            x
            + self._memory_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        )
        return self.norm3(x + self._feed_forward_block(x))

    def _self_block(self, x, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return self.dropout1(x)

    def _memory_block(self, x, memory, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.multihead_attn(
            x,
            memory,
            memory,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return self.dropout2(x)

    def _feed_forward_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerEncoder(Module):
    """`num_layers` independent copies of `encoder_layer` applied in turn, then `norm` if given.

    Args:
        encoder_layer: the layer to copy (deep copies; the layer itself is not used).
        num_layers: how many.
        norm: applied to the last layer's output (e.g. a LayerNorm), or None.
        enable_nested_tensor: as in PyTorch, where the layers allow it (batch first, post-norm,
            ReLU or GELU, an even number of heads, biases), inference without gradients with a
            `src_key_padding_mask` gives zeros at the padded positions (before `norm`), which
            PyTorch's packed sequences leave out.
        mask_check: with `enable_nested_tensor`, only do so when every sequence's padding is at
            its end.

    Shape:
        src as for TransformerEncoderLayer -> output, the same shape.
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        self.use_nested_tensor = enable_nested_tensor and _packs_sequences(encoder_layer)

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """Encode `src` through every layer.

        Args:
            mask: attention mask (S, S) or (N * nhead, S, S).
            src_key_padding_mask: (N, S), True marks padding.
            is_causal: whether `mask` is the causal mask; None: detected by comparing.
        """
        src_key_padding_mask, mask = _masks(
            src_key_padding_mask, mask, src, ("src_key_padding_mask", "mask")
        )
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _is_causal(mask, is_causal, _sequence_length(src, batch_first))
        packed = self._packs(src, mask, src_key_padding_mask)
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                is_causal=is_causal,
                src_key_padding_mask=src_key_padding_mask,
            )
        if packed:
            # PyTorch's packed sequences come back padded with zeros.
            output = where(src_key_padding_mask.array[..., None] == 0, output, 0.0)
        return output if self.norm is None else self.norm(output)

    def _packs(self, src: Tensor, mask, key_padding_mask) -> bool:
        """Whether PyTorch would run this call on packed (nested) sequences."""
        first = self.layers[0]
        if not (
            self.use_nested_tensor
            and not first.training
            and src.ndim == 3
            and key_padding_mask is not None
            and mask is None
        ):
            return False
        valid = key_padding_mask.array == 0
        if self.mask_check and (np.diff(valid.astype(np.int8), axis=1) > 0).any():
            return False  # padding that is not all at the end
        return not (is_grad_enabled() and any(t.requires_grad for t in (src, *first.parameters())))


class TransformerDecoder(Module):
    """`num_layers` independent copies of `decoder_layer` applied in turn, then `norm` if given.

    Shape:
        tgt and memory as for TransformerDecoderLayer -> output like tgt.
    """

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Decode `tgt` through every layer, each attending to `memory`."""
        batch_first = self.layers[0].self_attn.batch_first
        tgt_is_causal = _is_causal(tgt_mask, tgt_is_causal, _sequence_length(tgt, batch_first))
        output = tgt
        for layer in self.layers:
            output = layer(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        return output if self.norm is None else self.norm(output)


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need": an encoder stack over the
    source, a decoder stack over the target attending to the encoder's output.

    Args:
        d_model: the size of each position's features.
        nhead: attention heads.
        num_encoder_layers: encoder layers.
        num_decoder_layers: decoder layers.
        dim_feedforward: width of the feed-forward blocks.
        dropout: dropout probability.
        activation: 'relu', 'gelu' or a callable.
        custom_encoder: use this module as the encoder instead.
        custom_decoder: use this module as the decoder instead.
        layer_norm_eps: eps of the layer norms.
        batch_first: inputs are (N, S, E) instead of (S, N, E).
        norm_first: pre-norm layers.
        bias: learn biases in the linear layers and layer norms.
        device: must be the CPU.
        dtype: of the parameters.

    Shape:
        src (S, N, E), tgt (T, N, E) (batch first with `batch_first`, or unbatched) -> (T, N, E).

    Example:
        >>> model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2,
        ...                        num_decoder_layers=2, dim_feedforward=32)
        >>> tgt_mask = nn.Transformer.generate_square_subsequent_mask(7)
        >>> model(wright.randn(10, 3, 16), wright.randn(7, 3, 16), tgt_mask=tgt_mask).shape
        wright.Size([7, 3, 16])
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        layer_args = (
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
            device,
            dtype,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer_args),
                num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer_args),
                num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype),
            )
        for param in self.parameters():
            if param.ndim > 1:
                init.xavier_uniform_(param)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Encode `src`, then decode `tgt` attending to the encoding.

        Args:
            src_mask: (S, S) attention mask of the encoder.
            tgt_mask: (T, T), e.g. `generate_square_subsequent_mask(T)` so no position sees later
                ones.
            memory_mask: (T, S) mask of the decoder's attention to the encoding.
            src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask: (N, S), (N, T),
                (N, S), True marks padding.
            src_is_causal, tgt_is_causal, memory_is_causal: hints that the masks are causal.
        """
        batched = src.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if batched and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """The (sz, sz) causal mask: 0 on and below the diagonal, -inf above it (position i may
        attend to positions 0..i)."""
        dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        return as_tensor(np.triu(np.full((sz, sz), -np.inf, dtype=dtype), 1))
