"""`wright.utils`: PyTorch's `torch.utils` paths. `wright.utils.data` is the `wright.data` package
itself, registered under the second name."""

import sys

from wright import data

sys.modules[f"{__name__}.data"] = data

__all__ = ["data"]
