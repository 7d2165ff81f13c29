"""Slots of the options array the runner kernels read (names for the Python side)."""

NOISE_STD = 0  # standard deviation of Gaussian noise added to each gradient component
SEED = 1  # seed of that noise
CLIP_NORM = 2  # clip the gradient to this L2 norm (0: off)
CLIP_VALUE = 3  # clip each gradient component to [-v, v] (0: off)
SWA_START = 4  # average the iterates from this step on (-1: off)
LOOKAHEAD_K = 5  # Lookahead: synchronise every k steps (0: off)
LOOKAHEAD_ALPHA = 6  # Lookahead: the hyperparameter row of alpha
MOMENTUM_SLOT = 7  # hyperparameter row a cycling schedule drives (-1: none)
WARMUP = 8  # number of warmup steps before the schedule
PLATEAU = 9  # 1: ReduceLROnPlateau drives the learning rate after warmup
PLATEAU_FACTOR = 10
PLATEAU_PATIENCE = 11
PLATEAU_THRESHOLD = 12
PLATEAU_RELATIVE = 13  # 1: threshold_mode "rel", 0: "abs"
PLATEAU_COOLDOWN = 14
PLATEAU_MIN_LR = 15
PLATEAU_EPS = 16
BOUND_XMIN = 17  # leaving this box counts as divergence
BOUND_XMAX = 18
BOUND_YMIN = 19
BOUND_YMAX = 20
BATCH_SIZE = 21  # samples per mini-batch on a surface made from data (0: the full batch)
SIZE = 22
