"""The random-filter texture network and Gram matrices."""

import numpy as np

import wright
from wright.models.texture import RandomTextureNet, gram


def test_gram_is_the_mean_outer_product_over_positions():
    x = wright.randn(2, 3, 4, 5)
    flat = x.array.reshape(2, 3, 20)
    np.testing.assert_allclose(
        gram(x).array, flat @ flat.transpose(0, 2, 1) / 20, rtol=1e-5, atol=1e-6
    )


def test_random_texture_net_gives_two_maps_per_scale_and_is_frozen():
    net = RandomTextureNet(1, widths=(4, 6), scales=3)
    maps = net(wright.rand(1, 1, 32, 32))
    assert [tuple(m.shape) for m in maps] == [
        (1, 4, 32, 32),
        (1, 6, 16, 16),
        (1, 4, 16, 16),
        (1, 6, 8, 8),
        (1, 4, 8, 8),
        (1, 6, 4, 4),
    ]
    assert not any(p.requires_grad for p in net.parameters())
