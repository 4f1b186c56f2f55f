#!/usr/bin/python3
"""The README's example weights.

conv1.weight.npy, conv1.bias.npy: the quick start's layer, torch.nn.Conv2d(3, 8, 3, padding=1) with PyTorch's default initialisation
under torch.manual_seed(0), exported as a user exports a layer (float64 .npy files). Debian's python3-torch;
nothing in the build or tests runs this script.
laplace-1x1x3x3.npy: the 3x3 Laplacian [[0,1,0],[1,-4,1],[0,1,0]] as (1, 1, 3, 3), for the explain example
(one channel, like the seed notebook's 5x5 image).
avg-1x1x5.npy: a 5-tap moving average as (1, 1, 5), 1-D weights for the ECG in data/signals.

    /usr/bin/python3 data/weights/make_weights.py
"""
import os

import numpy as np
import torch

torch.manual_seed(0)
conv = torch.nn.Conv2d(3, 8, 3, padding=1)
here = os.path.dirname(os.path.abspath(__file__))
np.save(os.path.join(here, "conv1.weight.npy"), conv.weight.detach().double().numpy())
np.save(os.path.join(here, "conv1.bias.npy"), conv.bias.detach().double().numpy())
np.save(os.path.join(here, "laplace-1x1x3x3.npy"), np.array([[[[0., 1, 0], [1, -4, 1], [0, 1, 0]]]]))
np.save(os.path.join(here, "avg-1x1x5.npy"), np.full((1, 1, 5), 0.2))
