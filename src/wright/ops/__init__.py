"""Primitive differentiable ops: each a Function whose forward and backward run on raw arrays.

Trade-off: because backward works on arrays rather than Tensors, wright computes first derivatives
only (no gradients of gradients). In exchange every op is a few lines of NumPy with little overhead
per call.
"""
