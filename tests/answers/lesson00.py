"""Answers to exercise 00's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

ANSWERS = {
    "00.q1": [
        honest("return celsius * 1.8 + 32", "multiplies by 1.8"),
        honest("return (celsius * 9) / 5 + 32", "another order of operations"),
        honest("return np.add(np.multiply(celsius, 9 / 5), 32)", "NumPy functions"),
        wrong("return celsius * 9 // 5 + 32", "integer division", match="wrong|off by"),
        wrong("return (celsius + 32) * 9 / 5", "adds before scaling", match="wrong|off by"),
        wrong("return celsius * 5 / 9 + 32", "the inverse factor", match="wrong|off by"),
    ],
}
ANSWERS["00.q2"] = [
    honest("first_tensor = tf.reshape(tf.range(1, 7, dtype=tf.float32), (2, 3))", "tf.range and reshape"),
    honest("first_tensor = tf.constant(np.arange(1, 7).reshape(2, 3), dtype=tf.float32)",
           "from a NumPy array, with a dtype"),
    honest("first_tensor = tf.cast(tf.constant([[1, 2, 3], [4, 5, 6]]), tf.float32)",
           "an int32 tensor cast to float32"),
    honest("first_tensor = tf.convert_to_tensor(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))",
           "convert_to_tensor"),
    wrong("first_tensor = tf.constant([[1, 2, 3], [4, 5, 6]])", "integers give int32",
          match="dtype int32"),
    wrong("first_tensor = np.arange(1, 7, dtype=np.float32).reshape(2, 3)", "a NumPy array",
          match="tf.Tensor"),
    wrong("first_tensor = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])", "a variable",
          match="tf.Variable"),
    wrong("first_tensor = tf.reshape(tf.range(1.0, 7.0), (3, 2))", "three rows of two",
          match=r"shape \(3, 2\)"),
    wrong("first_tensor = tf.transpose(tf.reshape(tf.range(1.0, 7.0), (3, 2)))",
          "column by column", match="wrong values"),
    wrong("first_tensor = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tf.float64)",
          "float64", match="dtype float64"),
]

ANSWERS["00.q3"] = [
    honest("return (n_inputs + 1) * n_units", "factored"),
    honest("""
        import keras
        layer = keras.layers.Dense(n_units)
        layer.build((None, n_inputs))
        return layer.count_params()
    """, "builds a real Dense layer and asks it"),
    honest("return int(np.prod([n_inputs, n_units])) + n_units", "NumPy product"),
    wrong("return n_inputs * n_units", "forgets the biases", match="not the number of parameters"),
    wrong("return n_inputs * n_units + n_inputs", "one bias per input",
          match="not the number of parameters"),
    wrong("return n_inputs + n_units", "adds the sizes", match="not the number of parameters"),
    wrong("return np.array([n_inputs * n_units, n_units])", "weights and biases apart",
          match="not the number of parameters|shape"),
]

ANSWERS["00.q4"] = [
    honest("""
        keras.utils.set_random_seed(seed)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel
    """, "keras.utils.set_random_seed, returns the keras.Variable"),
    honest("""
        dense = keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=seed))
        dense.build((None, 3))
        return tf.convert_to_tensor(dense.kernel)
    """, "an initializer with seed=, no global seeding, a tf.Tensor"),
    honest("""
        k2tf.setup(seed=seed)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        return model.layers[0].get_weights()[0]
    """, "k2tf.setup(seed=seed), a layer inside a Sequential model, get_weights"),
    honest("""
        import random
        tf.random.set_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.value
    """, "tf.random.set_seed plus NumPy's and Python's seeds"),
    wrong("""
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.numpy()
    """, "no seeding", match="other numbers the second time"),
    wrong("""
        tf.random.set_seed(seed)
        np.random.seed(seed)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.numpy()
    """, "seeds TensorFlow and NumPy only (Keras takes a layer's seed from Python's random)",
          match="other numbers the second time"),
    wrong("""
        global _seeded
        if not globals().get("_seeded"):
            k2tf.setup(seed=seed)          # seeded once, as if in a cell above
            _seeded = True
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.numpy()
    """, "seeds only once, not at every call", match="other numbers the second time"),
    wrong("""
        k2tf.setup(seed=42)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.numpy()
    """, "seeds with a fixed number, ignoring seed", match="the seed makes no difference"),
    wrong("""
        layer = keras.layers.Dense(4, kernel_initializer="zeros")
        layer.build((None, 3))
        return layer.kernel.numpy()
    """, "zeros initializer: repeatable but not random", match="not one constant"),
    wrong("""
        k2tf.setup(seed=seed)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer
    """, "returns the layer instead of its weights", match="returned the layer itself"),
    wrong("""
        k2tf.setup(seed=seed)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return layer.bias.numpy()
    """, "returns the bias", match=r"shape \(4,\)"),
    wrong("""
        return np.random.default_rng(seed).normal(size=(3, 4))
    """, "random numbers of its own, not a layer's", match="within"),
]
