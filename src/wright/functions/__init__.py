"""Tensor functions in PyTorch's spelling: `wright.exp(x)`, `wright.max(x, dim=1)`, ... Each is also
a Tensor method (`x.exp()`), attached where it is defined."""

from wright.functions import indexing, linalg, pointwise, reduction, shaping
from wright.functions.indexing import *
from wright.functions.linalg import *
from wright.functions.pointwise import *
from wright.functions.reduction import *
from wright.functions.shaping import *

__all__ = (
    pointwise.__all__ + reduction.__all__ + indexing.__all__ + shaping.__all__ + linalg.__all__
)
