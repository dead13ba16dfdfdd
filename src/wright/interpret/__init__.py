"""Looking inside trained networks: saliency, adversarial examples, preferred inputs and knocked-out
units.

Every tool works on a whole batch at once and gets its input gradients from wright's own autograd
(the input is a Tensor with requires_grad=True, the weights are frozen meanwhile).

Example:
    >>> from wright.interpret import fgsm, saliency
    >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    >>> inputs, labels = wright.rand(5, 4), wright.tensor([0, 1, 0, 1, 0])
    >>> heat = saliency(net, inputs)                 # |d score / d input|
    >>> fooled = fgsm(net, inputs, labels, eps=0.1)  # each value moved by 0.1 to raise the loss
    >>> heat.shape, fooled.shape
    (wright.Size([5, 4]), wright.Size([5, 4]))
"""

from wright.interpret.adversarial import fgsm, pgd
from wright.interpret.gradients import input_gradient
from wright.interpret.layers import find_layer, intercept, record_activations
from wright.interpret.saliency import saliency
from wright.interpret.units import ablate, maximize_activation

__all__ = [
    "ablate",
    "fgsm",
    "find_layer",
    "input_gradient",
    "intercept",
    "maximize_activation",
    "pgd",
    "record_activations",
    "saliency",
]
