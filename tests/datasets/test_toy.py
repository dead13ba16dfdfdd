"""Tests for the lectures' small worlds: four-pixel images, shawarma days, M&M bags, tea curve."""

import numpy as np
import pytest

from wright.datasets import toy


def test_four_pixel_classes_hold_a_pattern_and_its_negative():
    images, labels = toy.four_pixel()
    assert images.shape == (8, 2, 2) and images.dtype == np.float32
    assert set(np.unique(images)) == {-1.0, 1.0}
    for k, name in enumerate(toy.FOUR_PIXEL_CLASSES):
        first, second = images[labels == k]
        np.testing.assert_array_equal(first, -second)
    solid = images[labels == toy.FOUR_PIXEL_CLASSES.index("solid")]
    assert all(len(np.unique(image)) == 1 for image in solid)
    horizontal = images[labels == toy.FOUR_PIXEL_CLASSES.index("horizontal")]
    assert all(
        (image[0, 0] == image[0, 1]) and (image[0, 0] == -image[1, 0]) for image in horizontal
    )


def test_all_sixteen_binary_images_with_the_three_and_one_ones_unlabelled():
    images, labels = toy.four_pixel(all_images=True)
    assert images.shape == (16, 2, 2)
    assert len({image.tobytes() for image in images}) == 16
    unlabelled = images[labels == -1]
    assert len(unlabelled) == 8
    assert all(sorted(np.unique(image, return_counts=True)[1]) == [1, 3] for image in unlabelled)
    labelled, class_labels = toy.four_pixel()
    for image, label in zip(images[labels >= 0], labels[labels >= 0]):
        match = np.all(labelled == image, axis=(1, 2))
        assert class_labels[match][0] == label


def test_grey_four_pixel_images_keep_each_pixel_on_its_side_of_grey():
    images, labels = toy.four_pixel_grey(500, seed=0, lowest_contrast=0.3)
    patterns, pattern_labels = toy.four_pixel()
    assert images.shape == (500, 2, 2) and images.dtype == np.float32
    assert np.all(np.abs(images) >= 0.3 - 1e-6) and np.all(np.abs(images) <= 1.0)
    signs = np.sign(images)
    matches = np.all(signs[:, None] == patterns[None], axis=(2, 3))  # (500, 8)
    assert np.all(matches.any(axis=1))
    np.testing.assert_array_equal(pattern_labels[matches.argmax(axis=1)], labels)
    np.testing.assert_array_equal(
        toy.four_pixel_grey(5, seed=1)[0], toy.four_pixel_grey(5, seed=1)[0]
    )


def test_shawarma_days_follow_one_of_the_two_schedules():
    days = toy.shawarma_days(200, seed=0)
    assert days.shape == (200, 4)
    assert len(toy.SHAWARMA_INPUTS) == 4
    is_schedule = np.all(days[:, None] == toy.SHAWARMA_SCHEDULES[None], axis=2)
    assert np.all(is_schedule.sum(axis=1) == 1)
    assert 0.35 < is_schedule[:, 0].mean() < 0.65
    # works and is off are never both seen in the same half of the day
    assert np.all(days[:, 0] + days[:, 1] == 1) and np.all(days[:, 2] + days[:, 3] == 1)


def test_m_and_m_bags_start_with_the_lectures_two_bags():
    bags = toy.m_and_m_bags(25, seed=0)
    assert bags.dtype == np.int64 and bags.shape == (25,)
    assert tuple(bags[:2]) == (53, 57)
    assert 53 < bags.mean() < 58
    np.testing.assert_array_equal(bags, toy.m_and_m_bags(25, seed=0))
    assert tuple(toy.m_and_m_bags(1)) == (53,)


def test_tea_curve_has_a_deeper_iced_valley_than_the_hot_one():
    t = np.linspace(*toy.TEA_TEMPERATURES, 2001)
    suffering = toy.tea_suffering(t)
    assert suffering.shape == t.shape
    assert abs(t[np.argmin(suffering)] - toy.TEA_ICED) < 1.0
    hot = (t > 40) & (t < 80)
    assert abs(t[hot][np.argmin(suffering[hot])] - toy.TEA_HOT) < 3.0
    assert suffering.min() < suffering[hot].min() - 2.0
    assert suffering[t > 95].min() > suffering[hot].max()  # too hot is painful


def _dips(curve):
    """Number of local minima of a sampled curve."""
    slope = np.diff(curve)
    return int(np.sum((slope[:-1] < 0) & (slope[1:] >= 0)))


def test_wiggle_makes_local_dips_and_ratings_make_steps():
    t = np.linspace(40, 80, 4001)
    smooth, wiggly = toy.tea_suffering(t, wiggle=0.0), toy.tea_suffering(t)
    assert _dips(smooth) == 1 and _dips(wiggly) > 3
    rated = toy.tea_suffering(t, rating_step=1.0)
    np.testing.assert_array_equal(rated, np.round(rated))
    assert np.mean(np.diff(rated) == 0) > 0.95
    assert toy.tea_suffering(20.0).shape == ()


@pytest.mark.parametrize("n", [0, 3])
def test_sizes_are_respected(n):
    assert toy.shawarma_days(n, seed=0).shape == (n, 4)
    assert toy.four_pixel_grey(n, seed=0)[0].shape == (n, 2, 2)


@pytest.mark.parametrize("name", toy.PLANE_DATASETS)
def test_plane_points_are_two_balanced_classes_in_the_square(name):
    points, labels = toy.plane_points(name, 400, seed=1)
    assert points.shape == (400, 2) and points.dtype == np.float32
    assert labels.dtype == np.int64 and set(np.unique(labels)) == {0, 1}
    assert 0.25 < labels.mean() < 0.75
    assert np.abs(points).max() <= 1.6
    again, _ = toy.plane_points(name, 400, seed=1)
    np.testing.assert_array_equal(points, again)


def test_plane_points_follow_their_rules():
    points, labels = toy.plane_points("xor", 300, seed=0)
    np.testing.assert_array_equal(labels, points[:, 0] * points[:, 1] > 0)
    points, labels = toy.plane_points("circle", 300, seed=0)
    radius = np.hypot(points[:, 0], points[:, 1])
    assert radius[labels == 1].max() <= 0.5 + 1e-6 and radius[labels == 0].min() >= 0.7 - 1e-6
    points, labels = toy.plane_points("blobs", 300, seed=0)
    assert points[labels == 1].mean() > 0.3 and points[labels == 0].mean() < -0.3


def test_plane_points_noise_sizes_and_names():
    clean, _ = toy.plane_points("spiral", 200, seed=2)
    noisy, _ = toy.plane_points("spiral", 200, noise=0.2, seed=2)
    assert 0.1 < np.std(noisy - clean) < 0.3
    assert toy.plane_points("islands", 0, seed=0)[0].shape == (0, 2)
    with pytest.raises(ValueError, match="unknown dataset 'moons'"):
        toy.plane_points("moons", 10)
    with pytest.raises(ValueError, match="n >= 0 and noise >= 0"):
        toy.plane_points("xor", 10, noise=-1)
