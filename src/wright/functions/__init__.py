"""Tensor functions in PyTorch's spelling: `wright.exp(x)`, `wright.max(x, dim=1)`, ... Each is also
a Tensor method (`x.exp()`), attached where it is defined."""

from wright.functions import (
    indexing,
    linalg,
    pointwise,
    random,
    reduction,
    shaping,
    sorting,
    views,
)
from wright.functions.indexing import *
from wright.functions.linalg import *
from wright.functions.pointwise import *
from wright.functions.random import *
from wright.functions.reduction import *
from wright.functions.shaping import *
from wright.functions.sorting import *
from wright.functions.views import *

__all__ = (
    indexing.__all__
    + linalg.__all__
    + pointwise.__all__
    + random.__all__
    + reduction.__all__
    + shaping.__all__
    + sorting.__all__
    + views.__all__
)
