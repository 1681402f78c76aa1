"""Answers to exercise 04's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

SLOPE = """
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.exp(-(x**2))
    return tape.gradient(y, x)
"""
SQUARES = """
    v = tf.Variable(values, dtype=tf.float32)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v**2)
    return tape.gradient(y, v)
"""
LINE_INIT = """
    self.w = tf.Variable(0.0)
    self.b = tf.Variable(0.0)
"""
TRAIN_STEP = """
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((line(x) - y) ** 2)
    grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
    line.w.assign_sub(learning_rate * grad_w)
    line.b.assign_sub(learning_rate * grad_b)
    return loss
"""

ANSWERS = {
    "04.q1": [
        honest("""
            x = tf.cast(x, tf.float32)
            mean, variance = tf.nn.moments(x, axes=[0])
            return (x - mean) / tf.sqrt(variance)
        """, "tf.nn.moments"),
        honest("""
            x = tf.cast(x, tf.float64)
            centred = x - tf.reduce_mean(x, axis=0, keepdims=True)
            std = tf.sqrt(tf.reduce_mean(centred ** 2, axis=0, keepdims=True))
            return tf.cast(centred / std, tf.float32)
        """, "float64 arithmetic, keepdims, the standard deviation by hand, cast at the end"),
        honest("""
            import keras
            x = keras.ops.cast(x, "float32")
            return (x - keras.ops.mean(x, axis=0)) / keras.ops.std(x, axis=0)
        """, "keras.ops (a tf.Tensor on the TensorFlow backend)"),
        honest("""
            values = np.asarray(x, dtype=np.float64)
            return tf.constant((values - values.mean(axis=0)) / values.std(axis=0), dtype=tf.float32)
        """, "NumPy arithmetic, converted to a float32 tensor at the end"),
        honest("""
            rows = tf.transpose(tf.cast(x, tf.float32))
            centred = rows - tf.reduce_mean(rows, axis=1, keepdims=True)
            return tf.transpose(centred * tf.math.rsqrt(tf.math.reduce_variance(rows, axis=1,
                                                                                keepdims=True)))
        """, "transposed, along axis 1 with keepdims, rsqrt of the variance"),
        honest("""
            import keras
            normalization = keras.layers.Normalization(axis=-1)
            normalization.adapt(np.asarray(x, np.float32))
            return normalization(tf.cast(x, tf.float32))
        """, "a Keras Normalization layer, adapted to x"),
        wrong("""
            x = tf.cast(x, tf.float32)
            n = tf.cast(tf.shape(x)[0], tf.float32)
            centred = x - tf.reduce_mean(x, axis=0)
            return centred / tf.sqrt(tf.reduce_sum(centred ** 2, axis=0) / (n - 1))
        """, "the sample standard deviation (divides by n - 1)", match=r"n − 1"),
        wrong("""
            x = tf.cast(x, tf.float32)
            return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)
        """, "one mean and standard deviation for the whole matrix", match=r"wrong values"),
        wrong("""
            x = tf.cast(x, tf.float32)
            mean = tf.reduce_mean(x, axis=1, keepdims=True)
            return (x - mean) / tf.math.reduce_std(x, axis=1, keepdims=True)
        """, "standardises the rows", match=r"wrong values"),
        wrong("""
            x = tf.convert_to_tensor(x)
            mean = tf.reduce_mean(x, axis=0)
            centred = tf.cast(x - mean, tf.float32)
            return centred / tf.math.reduce_std(centred, axis=0)
        """, "takes the mean before the cast: an integer (truncated) mean", match=r"wrong values"),
        wrong("""
            x = tf.convert_to_tensor(x, dtype=tf.float64)
            return (x - tf.reduce_mean(x, axis=0)) / tf.math.reduce_std(x, axis=0)
        """, "returns float64", match=r"float32"),
        wrong("""
            values = np.asarray(x, dtype=np.float32)
            return (values - values.mean(axis=0)) / values.std(axis=0)
        """, "returns a NumPy array", match=r"tf\.Tensor"),
        wrong("""
            x = tf.cast(x, tf.float32)
            return (x - tf.reduce_mean(x, axis=0)) / tf.math.reduce_variance(x, axis=0)
        """, "divides by the variance", match=r"wrong values"),
    ],
    "04.q2": [
        honest("variable.assign(variable - learning_rate * gradient)", "assign of the new value"),
        honest("variable.assign_add(-learning_rate * gradient)", "assign_add of the negative step"),
        honest("""
            import keras
            keras.optimizers.SGD(learning_rate).apply([gradient], [variable])
        """, "a Keras SGD optimizer"),
        honest("return variable.assign_sub(tf.multiply(gradient, learning_rate))",
               "returns what assign_sub returns"),
        honest("variable.assign(tf.subtract(variable, tf.scalar_mul(learning_rate, gradient)))",
               "tf.subtract and tf.scalar_mul"),
        honest("""
            import keras
            target = variable.value if isinstance(variable, keras.Variable) else variable
            target.assign_sub(learning_rate * gradient)
        """, "the tf.Variable inside a keras.Variable (.value)"),
        wrong("""
            if isinstance(variable, tf.Variable):
                variable.assign_sub(learning_rate * gradient)
            else:
                return variable - learning_rate * gradient
        """, "moves only tf.Variables: a layer's keras.Variable is not one",
              match=r"keras\.Variable.*still holds its old value"),
        wrong("variable = variable - learning_rate * gradient", "rebinds the local name",
              match=r"still holds its old value"),
        wrong("variable.assign_add(learning_rate * gradient)", "goes up the gradient",
              match=r"wrong values"),
        wrong("variable.assign(-learning_rate * gradient)", "replaces the value by the step",
              match=r"wrong values"),
        wrong("variable.assign_sub(gradient)", "ignores the learning rate", match=r"wrong values"),
        wrong("return variable - learning_rate * gradient", "returns a new tensor instead",
              match=r"still holds its old value"),
        wrong("""
            copy = tf.Variable(variable)
            copy.assign_sub(learning_rate * gradient)
        """, "updates a copy", match=r"still holds its old value"),
        wrong("v.assign_sub(learning_rate * gradient)", "updates the notebook's `v`, not its argument",
              match=r"still holds its old value|raised"),
    ],
    "04.q3": [
        honest("""
            v = tf.Variable(x)
            with tf.GradientTape() as tape:
                y = f(v)
            return tape.gradient(y, v)
        """, "copies x into a variable, which the tape watches by itself"),
        honest("""
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(x)
                total = tf.reduce_sum(f(x))
            return tape.gradient(total, x)
        """, "the gradient of the sum, watch_accessed_variables=False"),
        honest("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            jacobian = tape.jacobian(y, x)
            return tf.reduce_sum(jacobian, axis=list(range(len(x.shape))))
        """, "the Jacobian, summed over the outputs"),
        honest("""
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(x)
                y = f(x)
                gradient = tape.gradient(y, x, output_gradients=tf.ones_like(y))
            return gradient
        """, "persistent tape, gradient inside the block, explicit output_gradients"),
        wrong("""
            with tf.GradientTape() as tape:
                y = f(x)
            return tape.gradient(y, x)
        """, "does not watch the constant", match=r"None"),
        wrong("""
            y = f(x)
            with tf.GradientTape() as tape:
                tape.watch(x)
            return tape.gradient(y, x)
        """, "computes f(x) before the tape starts", match=r"None"),
        wrong("""
            x64 = tf.cast(x, tf.float64)
            h = 1e-6
            return tf.cast((f(x64 + h) - f(x64 - h)) / (2 * h), tf.float32)
        """, "a central finite difference in float64: accurate, but no tape",
              match=r"GradientTape|wrong values"),
        wrong("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_mean(f(x))
            return tape.gradient(y, x)
        """, "the gradient of the mean: divided by the number of elements", match=r"wrong values"),
        wrong("return f(x)", "returns f itself", match=r"wrong values"),
        wrong("""
            v = tf.Variable(x, trainable=False)
            with tf.GradientTape() as tape:
                y = f(v)
            return tape.gradient(y, v)
        """, "a non-trainable variable, which the tape does not watch", match=r"None"),
        wrong("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = np.asarray(f(x))
            return tape.gradient(tf.constant(y), x)
        """, "goes through NumPy inside the tape", match=r"None"),
        wrong("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            return tape.jacobian(y, x)
        """, "the whole Jacobian", match=r"shape"),
    ],
    "04.q4": [
        honest("""
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(x)
                y = f(x)
                first = tape.gradient(y, x)
            return tape.gradient(first, x)
        """, "one persistent tape that records its own first gradient"),
        honest("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                first = derivative(f, x)
            return tape.gradient(first, x)
        """, "a tape around the `derivative` of 04.q3"),
        honest("""
            v = tf.Variable(x)
            with tf.GradientTape() as outer:
                with tf.GradientTape() as inner:
                    y = tf.reduce_sum(f(v))
                first = inner.gradient(y, v)
            return outer.gradient(first, v)
        """, "a variable, watched by both tapes by themselves"),
        honest("return derivative(lambda t: derivative(f, t), x)", "derivative of the derivative"),
        wrong("""
            x64 = tf.cast(x, tf.float64)
            h = 1e-4
            return tf.cast((derivative(f, x64 + h) - derivative(f, x64 - h)) / (2 * h), tf.float32)
        """, "a finite difference of the tape's first derivative", match=r"nested tapes|wrong values"),
        wrong("""
            x64 = tf.cast(x, tf.float64)
            h = 1e-4
            return tf.cast((f(x64 + h) - 2 * f(x64) + f(x64 - h)) / h**2, tf.float32)
        """, "a second-order finite difference in float64", match=r"nested tapes|wrong values"),
        wrong("""
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = f(x)
            first = inner.gradient(y, x)
            with tf.GradientTape() as outer:
                outer.watch(x)
            return outer.gradient(first, x)
        """, "two tapes one after the other, not nested", match=r"None"),
        wrong("return derivative(f, x)", "the first derivative", match=r"wrong values"),
        wrong("""
            with tf.GradientTape() as outer:
                outer.watch(x)
                with tf.GradientTape() as inner:
                    inner.watch(x)
                    y = f(x)
                first = tf.constant(inner.gradient(y, x).numpy())
            return outer.gradient(first, x)
        """, "takes the first derivative through NumPy", match=r"None"),
        wrong("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
                first = tape.gradient(y, x)
            return tape.gradient(first, x)
        """, "one non-persistent tape asked twice", match=r"raised"),
        wrong("""
            with tf.GradientTape() as outer:
                outer.watch(x)
                with tf.GradientTape() as inner:
                    inner.watch(x)
                    y = f(x)
            first = inner.gradient(y, x)
            return outer.gradient(first, x)
        """, "the inner gradient taken after the outer tape stopped", match=r"None"),
    ],
    "04.q5": [
        honest("""
            import keras
            x = tf.constant(x, dtype=tf.float32)
            y = tf.constant(y, dtype=tf.float32)
            w = tf.Variable(tf.zeros(x.shape[1]))
            b = tf.Variable(0.0)
            optimizer = keras.optimizers.SGD(learning_rate)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(tf.linalg.matvec(x, w) + b - y))
                optimizer.apply(tape.gradient(loss, [w, b]), [w, b])
                losses.append(loss)
            return w, b, losses
        """, "matvec, a Keras SGD optimizer, losses kept as tensors"),
        honest("""
            x = tf.constant(x, dtype=tf.float64)
            y = tf.constant(y, dtype=tf.float64)
            w = tf.Variable(tf.zeros([x.shape[1]], dtype=tf.float64))
            b = tf.Variable(tf.constant(0.0, tf.float64))
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    predictions = tf.squeeze(tf.matmul(x, w[:, tf.newaxis]), axis=1) + b
                    loss = tf.reduce_mean((y - predictions) ** 2)
                gradients = tape.gradient(loss, [w, b])
                for variable, gradient in zip([w, b], gradients):
                    variable.assign_sub(learning_rate * gradient)
                losses.append(loss.numpy())
            return w, b, losses
        """, "float64 variables, matmul with a column then squeeze"),
        honest("""
            x = np.asarray(x, np.float32)
            y = np.asarray(y, np.float32)
            w = tf.Variable(np.zeros(x.shape[1], np.float32))
            b = tf.Variable(np.float32(0))
            losses = np.zeros(steps)
            for step in range(steps):
                with tf.GradientTape(persistent=True) as tape:
                    error = x @ w[:, None]
                    loss = tf.reduce_mean((error[:, 0] + b - y) ** 2)
                w.assign(w - learning_rate * tape.gradient(loss, w))
                b.assign(b - learning_rate * tape.gradient(loss, b))
                del tape
                losses[step] = float(loss)
            return w, b, losses
        """, "a persistent tape, one gradient per variable, losses in a NumPy array"),
        honest("""
            import keras
            x = tf.convert_to_tensor(x, tf.float32)
            y = tf.convert_to_tensor(y, tf.float32)
            w = tf.Variable(tf.zeros_like(x[0]))
            b = tf.Variable(tf.zeros([]))
            mse = keras.losses.MeanSquaredError()
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = mse(y, tf.tensordot(x, w, axes=1) + b)
                dw, db = tape.gradient(loss, (w, b))
                w.assign_sub(learning_rate * dw)
                b.assign_sub(learning_rate * db)
                losses.append(float(loss))
            return w, b, losses
        """, "keras.losses.MeanSquaredError and tensordot"),
        wrong("""
            import keras
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            optimizer = keras.optimizers.Adam(learning_rate)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                optimizer.apply(tape.gradient(loss, [w, b]), [w, b])
                losses.append(float(loss))
            return w, b, losses
        """, "Adam instead of plain gradient descent", match=r"the losses"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "the sum of squared errors, not the mean", match=r"first loss|NaN"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)))
            return w, b, losses
        """, "records the loss after each update, not at the start of each step",
              match=r"first loss"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + tf.cast(b, tf.float32) - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "an integer bias, which has no gradient", match=r"raised|integer"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]), trainable=False)
            b = tf.Variable(0.0, trainable=False)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "non-trainable variables, which the tape does not record", match=r"raised|trainable"),
        wrong("""
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = np.mean((x @ w.numpy() + b.numpy() - y) ** 2)
                gw, gb = tape.gradient(tf.constant(loss), [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "computes the loss with NumPy inside the tape", match=r"raised|None"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    predictions = tf.matmul(x, w[:, tf.newaxis]) + b      # shape (n, 1)
                    loss = tf.reduce_mean((predictions - y) ** 2)         # (n, 1) - (n,) → (n, n)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "predictions of shape (n, 1) minus targets of shape (n,): an (n, n) broadcast",
              match=r"the losses"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(1, steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "one step too few", match=r"losses|steps"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw = tape.gradient(loss, w)
                w.assign_sub(learning_rate * gw)
                losses.append(float(loss))
            return w, b, losses
        """, "never updates the bias", match=r"the losses"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2) / 2
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * gw)
                b.assign_sub(learning_rate * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "half the mean squared error", match=r"first loss"),
        wrong("""
            x = tf.constant(x, tf.float32)
            y = tf.constant(y, tf.float32)
            w = tf.Variable(tf.zeros([x.shape[1]]))
            b = tf.Variable(0.0)
            losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((tf.linalg.matvec(x, w) + b - y) ** 2)
                gw, gb = tape.gradient(loss, [w, b])
                w.assign_sub(0.05 * gw)
                b.assign_sub(0.05 * gb)
                losses.append(float(loss))
            return w, b, losses
        """, "the demo's learning rate, 0.05, instead of the argument", match=r"the losses"),
    ],
    "04.q6": [
        honest((SLOPE, SQUARES, LINE_INIT, TRAIN_STEP), "the solution: watch + tf.exp, a float32 "
               "variable, trainable b, assign_sub"),
        honest(("""
            v = tf.Variable(x)
            with tf.GradientTape() as tape:
                total = tf.reduce_sum(v * keras.ops.exp(-keras.ops.square(v)))
            return tape.gradient(total, v)
        """, """
            v = tf.constant(values, dtype=tf.float32)
            with tf.GradientTape() as tape:
                tape.watch(v)
                y = tf.reduce_sum(tf.square(v))
            return tape.gradient(y, v)
        """, """
            self.w = tf.Variable(tf.zeros([]))
            self.b = tf.Variable(0.0, trainable=True)
        """, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(line(x) - y))
            gradients = tape.gradient(loss, [line.w, line.b])
            for variable, gradient in zip([line.w, line.b], gradients):
                variable.assign(variable - learning_rate * gradient)
            return loss
        """), "tf.Variable(x) instead of watch, keras.ops, a watched float32 constant, assign"),
        honest(("""
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(x)
                y = tf.math.multiply(x, tf.math.exp(-tf.math.square(x)))
            return tape.gradient(y, x, output_gradients=tf.ones_like(y))
        """, """
            v = tf.Variable(tf.cast(values, tf.float64))
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(v * v)
            return tape.gradient(y, v)
        """, """
            self.w = keras.Variable(0.0)
            self.b = keras.Variable(0.0)
        """, """
            with tf.GradientTape() as tape:
                loss = keras.losses.MeanSquaredError()(y, line(x))
            optimizer = keras.optimizers.SGD(learning_rate)
            optimizer.apply(tape.gradient(loss, [line.w, line.b]), [line.w, line.b])
            return float(loss)
        """), "tf.math names, a float64 variable made with tf.cast, keras.Variables, a Keras SGD "
              "optimizer and loss"),
        honest(("""
            x = tf.convert_to_tensor(x)
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(x)
                bump = x * tf.exp(-x * x)
            slope = tape.gradient(bump, x)
            del tape
            return slope
        """, """
            v = tf.Variable(np.asarray(values, dtype=np.float32))
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(v**2)
            return tf.convert_to_tensor(tape.gradient(y, v))
        """, """
            self.w = tf.Variable(0.0)
            self.b = tf.Variable(0.0, trainable=False)
        """, """
            with tf.GradientTape() as tape:
                tape.watch(line.b)
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w.assign_add(-learning_rate * grad_w)
            line.b.assign_add(-learning_rate * grad_b)
            return loss.numpy()
        """), "b left trainable=False but watched, a persistent tape, a NumPy float32 array, "
              "assign_add"),
        wrong(("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = x * np.exp(-x.numpy() ** 2)
            return tape.gradient(y, x)
        """, SQUARES, LINE_INIT, TRAIN_STEP), "watches x but leaves exp(−x²) in NumPy",
              match=r"exp\(−x²\).*NumPy"),
        wrong(("""
            with tf.GradientTape() as tape:
                y = x * tf.exp(-(x**2))
            return tape.gradient(y, x)
        """, SQUARES, LINE_INIT, TRAIN_STEP), "NumPy replaced, x never watched", match=r"None"),
        wrong(("""
            with tf.GradientTape() as tape:
                y = x * tf.exp(-(x**2))
            tape.watch(x)
            return tape.gradient(y, x)
        """, SQUARES, LINE_INIT, TRAIN_STEP), "watches x after the tape ends", match=r"None"),
        wrong(("""
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.constant(x.numpy() * np.exp(-x.numpy() ** 2))
            return tape.gradient(y, x)
        """, SQUARES, LINE_INIT, TRAIN_STEP), "computes the bump in NumPy, then a tensor",
              match=r"None"),
        wrong((SLOPE, """
            v = tf.Variable(values)
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(v**2)
            return tf.cast(tape.gradient(y, v), tf.float32)
        """, LINE_INIT, TRAIN_STEP), "casts after the tape", match=r"None"),
        wrong((SLOPE, """
            v = tf.Variable(values)
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(tf.cast(v, tf.float32) ** 2)
            return tape.gradient(y, v)
        """, LINE_INIT, TRAIN_STEP), "casts the integer variable inside the tape", match=r"None"),
        wrong((SLOPE, """
            v = tf.constant(values)
            return 2 * v
        """, LINE_INIT, TRAIN_STEP), "returns integers, no gradient at all", match=r"integers"),
        wrong((SLOPE, SQUARES, """
            self.w = tf.Variable(0.0)
            self.b = tf.Variable(0.0, trainable=False)
        """, TRAIN_STEP), "b still non-trainable", match=r"None"),
        wrong((SLOPE, SQUARES, LINE_INIT, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w = line.w - learning_rate * grad_w
            line.b = line.b - learning_rate * grad_b
            return loss
        """), "rebinds line.w and line.b to tensors", match=r"no longer the variable"),
        wrong((SLOPE, SQUARES, LINE_INIT, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w = line.w.assign_sub(learning_rate * grad_w)
            line.b = line.b.assign_sub(learning_rate * grad_b)
            return loss
        """), "keeps what assign_sub returns", match=r"no longer the variable"),
        wrong((SLOPE, SQUARES, LINE_INIT, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w = tf.Variable(line.w - learning_rate * grad_w)
            line.b = tf.Variable(line.b - learning_rate * grad_b)
            return loss
        """), "a new variable at every step", match=r"no longer the variable"),
        wrong((SLOPE, SQUARES, """
            self.w = tf.Variable(0.0)
            self.b = tf.Variable(0.0, trainable=False)
        """, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w.assign_sub(learning_rate * grad_w)
            if grad_b is not None:
                line.b.assign_sub(learning_rate * grad_b)
            return loss
        """), "skips b's None gradient instead of repairing it", match=r"line\.b is still 0"),
        wrong((SLOPE, SQUARES, LINE_INIT, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((line(x) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w.assign_sub(learning_rate * grad_w)
            line.b.assign_sub(learning_rate * grad_b)
            return tf.reduce_mean((line(x) - y) ** 2)
        """), "returns the loss after the update", match=r"the loss train_step returned"),
        wrong((SLOPE, SQUARES, """
            self.w = tf.Variable(0)
            self.b = tf.Variable(0)
        """, """
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((tf.cast(line.w, tf.float32) * x
                                       + tf.cast(line.b, tf.float32) - y) ** 2)
            grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
            line.w.assign_sub(learning_rate * grad_w)
            line.b.assign_sub(learning_rate * grad_b)
            return loss
        """), "integer variables, cast inside the tape", match=r"scalar float variable"),
    ],
}

