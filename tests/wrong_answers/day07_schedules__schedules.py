WRONG = {
    # `<=` where `<` belongs: with no warmup (W = 0) step 0 divides by zero.
    "warmup_cosine_lr": '''
def warmup_cosine_lr(step, lr_max, warmup_steps, total_steps, lr_min=0.0, start_factor=0.0):
    if total_steps <= warmup_steps:
        raise ValueError("T <= W")
    if step <= warmup_steps:
        return lr_max * (start_factor + (1 - start_factor) * step / warmup_steps)
    if step <= total_steps:
        return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps))) / 2
    return lr_min
''',
    # Bypasses the built-in schedulers: the closed form in a LambdaLR (right rates, wrong exercise).
    "torch_warmup_cosine": '''
def torch_warmup_cosine(optimizer, warmup_steps, total_steps, lr_min, start_factor):
    lr_max = optimizer.param_groups[0]["lr"]
    def factor(t):
        if t < warmup_steps:
            return start_factor + (1 - start_factor) * t / warmup_steps
        p = min(1.0, (t - warmup_steps) / (total_steps - warmup_steps))
        return (lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * p)) / 2) / lr_max
    return lr_scheduler.LambdaLR(optimizer, factor)
''',
    # Bypasses CosineDecay: a Python schedule that breaks when the step is a symbolic tensor.
    "keras_warmup_cosine": '''
class _WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, *args):
        self.args = args
    def __call__(self, step):
        lr_max, W, T, lr_min, f = self.args
        t = int(step)
        if t < W:
            return lr_max * (f + (1 - f) * t / W)
        if t > T:
            return lr_min
        return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2

def keras_warmup_cosine(lr_max, warmup_steps, total_steps, lr_min, start_factor):
    return _WarmupCosine(lr_max, warmup_steps, total_steps, lr_min, start_factor)
''',
}
