"""Tests of wright.interpret: saliency, adversarial attacks, preferred inputs, knocked-out units."""
