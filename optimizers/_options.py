"""Slots of the options array the runner kernels read (names for the Python side)."""

NOISE_STD = 0  # standard deviation of Gaussian noise added to each gradient component
SEED = 1  # seed of that noise
CLIP_NORM = 2  # clip the gradient to this L2 norm (0: off)
CLIP_VALUE = 3  # clip each gradient component to [-v, v] (0: off)
SWA_START = 4  # average the iterates from this step on (-1: off)
LOOKAHEAD_K = 5  # Lookahead: synchronise every k steps (0: off); alpha is the last hyper slot
MOMENTUM_SLOT = 6  # hyperparameter row a cycling schedule drives (-1: none)
WARMUP = 7  # number of warmup steps before the schedule
PLATEAU = 8  # 1: ReduceLROnPlateau drives the learning rate after warmup
PLATEAU_FACTOR = 9
PLATEAU_PATIENCE = 10
PLATEAU_THRESHOLD = 11
PLATEAU_RELATIVE = 12  # 1: threshold_mode "rel", 0: "abs"
PLATEAU_COOLDOWN = 13
PLATEAU_MIN_LR = 14
PLATEAU_EPS = 15
BOUND_XMIN = 16  # leaving this box counts as divergence
BOUND_XMAX = 17
BOUND_YMIN = 18
BOUND_YMAX = 19
SIZE = 20
