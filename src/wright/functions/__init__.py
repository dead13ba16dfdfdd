"""Tensor functions in PyTorch's spelling: `wright.exp(x)`, `wright.max(x, dim=1)`, ... Each is also
a Tensor method (`x.exp()`), attached where it is defined."""

from wright.functions import (
    aliases,
    attributes,
    decompositions,
    indexing,
    legacy_types,
    linalg,
    numeric,
    pointwise,
    random,
    reduction,
    settings,
    shaping,
    sorting,
    special,
    views,
    views_extra,
)
from wright.functions.aliases import *
from wright.functions.attributes import *
from wright.functions.decompositions import *
from wright.functions.indexing import *
from wright.functions.legacy_types import *
from wright.functions.linalg import *
from wright.functions.numeric import *
from wright.functions.pointwise import *
from wright.functions.random import *
from wright.functions.reduction import *
from wright.functions.settings import *
from wright.functions.shaping import *
from wright.functions.sorting import *
from wright.functions.special import *
from wright.functions.views import *
from wright.functions.views_extra import *

__all__ = (
    aliases.__all__
    + attributes.__all__
    + decompositions.__all__
    + indexing.__all__
    + legacy_types.__all__
    + linalg.__all__
    + numeric.__all__
    + pointwise.__all__
    + random.__all__
    + reduction.__all__
    + settings.__all__
    + shaping.__all__
    + sorting.__all__
    + special.__all__
    + views.__all__
    + views_extra.__all__
)
