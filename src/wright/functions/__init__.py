"""Tensor functions in PyTorch's spelling: `wright.exp(x)`, `wright.max(x, dim=1)`, ... Each is also
a Tensor method (`x.exp()`), attached where it is defined."""

from wright.functions import pointwise, random, reduction
from wright.functions.pointwise import *
from wright.functions.random import *
from wright.functions.reduction import *

# A sum of lists rather than one list of starred lists: ruff's __all__ check (PLE0604) misreads
# more than two starred entries.
__all__ = pointwise.__all__ + random.__all__ + reduction.__all__
