import numpy as np
from scipy.optimize import minimize_scalar


def fminbound_many(f, a, b, xatol, maxiter=500):  # TEMP SHIM
    xs, fs = [], []
    for i in range(a.size):
        r = minimize_scalar(lambda v: float(f(np.array([v]), np.array([i]))[0]), method="bounded",
                            bounds=(a[i], b[i]), options={"xatol": xatol})
        xs.append(r.x)
        fs.append(r.fun)
    return np.array(xs), np.array(fs)
