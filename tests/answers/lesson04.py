"""Answers to exercise 04's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

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
}
