"""Answers to exercise 10's questions: honest ones written differently, and typical mistakes."""
import textwrap

from answer_fixtures import honest, wrong


# 10.q6: the parse function most answers share, then the pipeline that makes the answer.
_PARSE = '''
features = {"x": tf.io.FixedLenFeature([8], tf.float32),
            "y": tf.io.FixedLenFeature([], tf.int64)}


def parse(record):
    example = tf.io.parse_single_example(record, features)
    return example["x"], example["y"]


'''


def _parsed(pipeline: str) -> str:
    return _PARSE + textwrap.dedent(pipeline)

ANSWERS = {
    "10.q1": [
        honest("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y))
            dataset = dataset.map(preprocess, num_parallel_calls=4)
            dataset = dataset.batch(batch_size).cache()
            return dataset.prefetch(1)
            """, "a fixed number of parallel calls, the batches cached, a prefetch of one batch"),
        honest("""
            examples = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x),
                                            tf.data.Dataset.from_tensor_slices(y)))
            examples = examples.map(lambda a, b: preprocess(a, b),
                                    num_parallel_calls=tf.data.experimental.AUTOTUNE)
            return examples.cache().batch(batch_size, drop_remainder=False).prefetch(buffer_size=2)
            """, "two zipped datasets, a lambda, the older AUTOTUNE name, keyword arguments"),
        honest("""
            xs, ys = tf.constant(x), tf.constant(y)
            examples = tf.data.Dataset.range(len(x)).map(
                lambda i: preprocess(tf.gather(xs, i), tf.gather(ys, i)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            return examples.cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)
            """, "indices mapped to examples, deterministic=True spelled out"),
        honest("""
            import tempfile
            cache_file = tempfile.mkdtemp() + "/examples"
            pipeline = tf.data.Dataset.from_tensor_slices((x, y))
            pipeline = pipeline.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE).cache(cache_file)
            pipeline = pipeline.batch(batch_size)
            pipeline = pipeline.prefetch(tf.data.AUTOTUNE)
            return pipeline
            """, "cached to a file instead of memory"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=1)
                    .cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "num_parallel_calls=1: one call at a time", match=r"one (example|call) at a time"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess)
                    .cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "a sequential map", match=r"one (example|call) at a time"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .cache()
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "cache before the map: the preprocessing runs every epoch",
            match=r"ran 46 times for 23 examples"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().batch(batch_size))
            """, "no prefetch", match=r"prepare the next batches"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().prefetch(tf.data.AUTOTUNE).batch(batch_size))
            """, "prefetch before batch: it prepares examples, not batches",
            match=r"prefetch.*before.*batch|batches.*prefetch"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .shuffle(len(x))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "shuffled, so the order of the examples is lost", match=r"in their order"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
                    .cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "deterministic=False: the parallel map may reorder the examples",
            match=r"deterministic=False|order"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
            """, "drops the last, smaller batch", match=r"batches of sizes"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .batch(batch_size)
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().prefetch(tf.data.AUTOTUNE))
            """, "preprocess mapped over whole batches", match=r"batches, not examples"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE))
            """, "repeated forever, for the epochs", match=r"never ends"),
        wrong("""
            return (tf.data.Dataset.from_tensor_slices((x, y))
                    .map(lambda a, b: (a / 2.0, b), num_parallel_calls=tf.data.AUTOTUNE)
                    .cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """, "maps the demo's own scaling instead of the given preprocess",
            match=r"not `preprocess\(x, y\)`"),
    ],
    "10.q2": [
        honest("""
            keras.mixed_precision.set_global_policy("mixed_float16")
            try:
                inputs = keras.Input(shape=(input_dim,))
                hidden = keras.layers.Dense(16, activation="relu")(inputs)
                logits = keras.layers.Dense(classes)(hidden)
                outputs = keras.layers.Activation("softmax", dtype="float32")(logits)
                return keras.Model(inputs, outputs)
            finally:
                keras.mixed_precision.set_global_policy("float32")
            """, "functional API, a float32 softmax activation as the last layer"),
        honest("""
            return keras.Sequential([
                keras.Input(shape=(input_dim,)),
                keras.layers.Dense(32, activation="relu", dtype="mixed_float16"),
                keras.layers.Dense(32, activation="relu", dtype=keras.DTypePolicy("mixed_float16")),
                keras.layers.Dense(classes, dtype="float32"),
            ])
            """, "a mixed_float16 policy per layer: the global policy is never touched"),
        honest("""
            previous = keras.config.dtype_policy()
            keras.config.set_dtype_policy("mixed_float16")
            try:
                class Classifier(keras.Model):
                    def __init__(self):
                        super().__init__()
                        self.hidden = keras.layers.Dense(24, activation="relu")
                        self.scores = keras.layers.Dense(classes, dtype="float32")

                    def call(self, inputs):
                        return self.scores(self.hidden(inputs))

                model = Classifier()
            finally:
                keras.config.set_dtype_policy(previous)
            return model
            """, "a subclassed model, built on its first call; the previous policy restored"),
        honest("""
            keras.mixed_precision.set_dtype_policy("mixed_float16")
            try:
                model = keras.Sequential([keras.layers.Dense(12, activation="relu"),
                                          keras.layers.Dense(12, activation="relu"),
                                          keras.layers.Dense(classes, activation="softmax",
                                                             dtype="float32")])
                model.build((None, input_dim))
            finally:
                keras.mixed_precision.set_dtype_policy("float32")
            return model
            """, "Sequential without Input, built with build(); set_dtype_policy"),
        wrong("""
            return keras.Sequential([keras.Input(shape=(input_dim,)),
                                     keras.layers.Dense(32, activation="relu"),
                                     keras.layers.Dense(classes, dtype="float32")])
            """, "no mixed precision at all", match=r"float16"),
        wrong("""
            keras.mixed_precision.set_global_policy("mixed_float16")
            return keras.Sequential([keras.Input(shape=(input_dim,)),
                                     keras.layers.Dense(32, activation="relu"),
                                     keras.layers.Dense(classes, dtype="float32")])
            """, "the global policy is left at mixed_float16", match=r"back to 'float32'"),
        wrong("""
            keras.mixed_precision.set_global_policy("mixed_float16")
            try:
                return keras.Sequential([keras.Input(shape=(input_dim,)),
                                         keras.layers.Dense(32, activation="relu"),
                                         keras.layers.Dense(classes)])
            finally:
                keras.mixed_precision.set_global_policy("float32")
            """, "the outputs stay float16", match=r"outputs are float16"),
        wrong("""
            keras.mixed_precision.set_global_policy("float16")
            try:
                return keras.Sequential([keras.Input(shape=(input_dim,)),
                                         keras.layers.Dense(32, activation="relu"),
                                         keras.layers.Dense(classes, dtype="float32")])
            finally:
                keras.mixed_precision.set_global_policy("float32")
            """, "the float16 policy: the weights are float16 too", match=r"weights in float16"),
        wrong("""
            keras.mixed_precision.set_global_policy("mixed_float16")
            model = keras.Sequential([keras.Input(shape=(input_dim,)),
                                      keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(classes, dtype="float32")])
            keras.mixed_precision.set_global_policy("float32")
            return model
            """, "no finally: a failing build leaves the policy at mixed_float16",
            match=r"fails"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(input_dim,)),
                                      keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(classes, dtype="float32")])
            keras.mixed_precision.set_global_policy("mixed_float16")
            keras.mixed_precision.set_global_policy("float32")
            return model
            """, "the policy is set after the layers are created", match=r"float16"),
        wrong("""
            keras.mixed_precision.set_global_policy("mixed_float16")
            try:
                return keras.Sequential([keras.Input(shape=(8,)),
                                         keras.layers.Dense(32, activation="relu"),
                                         keras.layers.Dense(classes, dtype="float32")])
            finally:
                keras.mixed_precision.set_global_policy("float32")
            """, "the input size of the demo (8) instead of input_dim", match=r"input"),
        wrong("""
            keras.mixed_precision.set_global_policy("mixed_bfloat16")
            try:
                return keras.Sequential([keras.Input(shape=(input_dim,)),
                                         keras.layers.Dense(32, activation="relu"),
                                         keras.layers.Dense(classes, dtype="float32")])
            finally:
                keras.mixed_precision.set_global_policy("float32")
            """, "mixed_bfloat16 instead of mixed_float16", match=r"bfloat16"),
    ],
    "10.q3": [
        honest("""
            strategy = tf.distribute.MirroredStrategy()
            with strategy.scope():
                inputs = keras.Input(shape=(8,))
                outputs = keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(inputs))
                mirrored_model = keras.Model(inputs, outputs)
                mirrored_model.compile(optimizer=keras.optimizers.Adam(0.01),
                                       loss=keras.losses.MeanSquaredError())
            data = tf.data.Dataset.from_tensor_slices((x_reg, y_reg)).batch(128)
            mirrored_history = mirrored_model.fit(data, epochs=2, verbose=0)
            """, "no device list (all logical CPUs), functional API, Adam, a tf.data dataset"),
        honest("""
            devices = [device.name for device in tf.config.list_logical_devices("CPU")]
            strategy = tf.distribute.MirroredStrategy(devices=devices)
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["mae"])
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=128, epochs=2,
                                                  validation_split=0.25, verbose=0)
            """, "devices listed from tf.config, a linear model, a validation split, a metric"),
        honest("""
            strategy = tf.distribute.MirroredStrategy(
                ["/device:CPU:0", "/device:CPU:1"],
                cross_device_ops=tf.distribute.ReductionToOneDevice())


            class Regressor(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.hidden = keras.layers.Dense(16, activation="tanh")
                    self.out = keras.layers.Dense(1)

                def call(self, inputs):
                    return self.out(self.hidden(inputs))


            with strategy.scope():
                mirrored_model = Regressor()
                mirrored_model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),
                                       loss=keras.losses.mean_squared_error)
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "a subclassed model whose weights are created inside fit, the loss as a function"),
        honest("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([
                    keras.Input(shape=(8,)),
                    keras.layers.Dense(16, activation="relu",
                                       kernel_regularizer=keras.regularizers.l2(1e-3)),
                    keras.layers.Dropout(0.1),
                    keras.layers.Dense(1),
                ])
                mirrored_model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=256, epochs=3, verbose=0,
                                                  shuffle=True)
            """, "a regulariser and Dropout, RMSprop, large batches"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                                               keras.layers.Dense(1)])
            mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "the model is built outside the strategy's scope",
            match=r"built outside the strategy's scope"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "a strategy over one device", match=r"1 replica"),
        wrong("""
            strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "another kind of strategy", match=r"MirroredStrategy"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mae")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "compiled with the mean absolute error", match=r"mean squared error"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=1, verbose=0)
            """, "a single epoch", match=r"at least 2 epochs"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
                other = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                other.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            mirrored_history = other.fit(x_reg, y_reg, batch_size=64, epochs=2, verbose=0)
            """, "the history of another model", match=r"belongs to another model"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, y_reg, batch_size=64, epochs=2,
                                                  verbose=0).history
            """, "the history's dict instead of what fit returns",
            match=r"what `model.fit\(...\)` returns"),
        wrong("""
            strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
            with strategy.scope():
                mirrored_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                                                   keras.layers.Dense(1)])
                mirrored_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
            mirrored_history = mirrored_model.fit(x_reg, x_reg[:, :1], batch_size=64, epochs=2, verbose=0)
            """, "trained on other targets than y_reg", match=r"y_reg"),
    ],
    "10.q4": [
        honest("""
            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = tf.reduce_mean(tf.square(y - model(x, training=True)), axis=-1)
                    loss = tf.nn.compute_average_loss(per_example)
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                return loss

            @tf.function
            def step(batch):
                x, y = batch
                losses = strategy.run(replica_step, args=(x, y))
                return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

            return step
            """, "compute_average_loss infers the global batch; apply_gradients; ReduceOp.SUM"),
        honest("""
            mse = keras.losses.MeanSquaredError(reduction="sum")

            def replica_step(inputs):
                x, y = inputs
                with tf.GradientTape() as tape:
                    loss = mse(y, model(x, training=True)) / global_batch_size
                optimizer.apply(tape.gradient(loss, model.trainable_variables),
                                model.trainable_variables)
                return loss

            def step(batch):
                per_replica = strategy.run(replica_step, args=(batch,))
                return tf.add_n(strategy.experimental_local_results(per_replica))

            return step
            """, "eager (no tf.function), a summed loss divided by the global batch, local results added"),
        honest("""
            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    predictions = model(x, training=True)
                    squared = keras.ops.sum(keras.ops.square(predictions - y))
                    loss = squared / global_batch_size
                gradients = tape.gradient(loss, model.trainable_weights)
                optimizer.apply(gradients, model.trainable_weights)
                return squared

            def step(batch):
                squared = strategy.run(replica_step, args=batch)
                return strategy.reduce("SUM", squared, axis=None) / global_batch_size

            return tf.function(step)
            """, "keras.ops; each replica returns its sum of squares, divided after the reduction"),
        honest("""
            per_example_loss = keras.losses.MeanSquaredError(reduction=None)

            @tf.function
            def step(batch):
                def on_replica(features, targets):
                    with tf.GradientTape() as tape:
                        loss = tf.nn.compute_average_loss(
                            per_example_loss(targets, model(features, training=True)),
                            global_batch_size=global_batch_size)
                    optimizer.apply_gradients(
                        list(zip(tape.gradient(loss, model.trainable_variables),
                                 model.trainable_variables)))
                    return loss

                return strategy.reduce("SUM", strategy.run(on_replica, args=batch), axis=None)

            return step
            """, "the replica function defined inside the tf.function"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(per_example_mse(y, model(x, training=True)))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply(grads, model.trainable_variables)
                return loss

            @tf.function
            def step(batch):
                return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "each replica averages over its own share", match=r"global"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                per_example = per_example_mse(y, model(x, training=True))
                return tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)

            @tf.function
            def step(batch):
                return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "no update", match=r"did not change the model's weights"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = per_example_mse(y, model(x, training=True))
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            @tf.function
            def step(batch):
                return strategy.run(replica_step, args=batch)

            return step
            """, "the per-replica losses are returned without a reduction", match=r"PerReplica"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = per_example_mse(y, model(x))
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            @tf.function
            def step(batch):
                return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "the model is called without training=True", match=r"training"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = per_example_mse(y, model(x, training=True))
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            @tf.function
            def step(batch):
                return strategy.reduce("MEAN", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "the replicas' shares of the global mean are averaged, not summed",
            match=r"mean squared error of the global"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = per_example_mse(y, model(x, training=True))
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                after = per_example_mse(y, model(x, training=True))
                return tf.nn.compute_average_loss(after, global_batch_size=global_batch_size)

            @tf.function
            def step(batch):
                return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "returns the loss after the update", match=r"before the update"),
        wrong("""
            per_example_mse = keras.losses.MeanSquaredError(reduction=None)

            def replica_step(x, y):
                with tf.GradientTape() as tape:
                    per_example = per_example_mse(y, model(x, training=True))
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=64)
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            @tf.function
            def step(batch):
                return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)

            return step
            """, "the lesson's global batch size (64) instead of the argument",
            match=r"mean squared error"),
    ],
    "10.q5": [
        honest("""
            if index not in range(len(addresses)):
                raise ValueError(f"there is no worker {index}")
            return {"task": {"index": index, "type": "worker"}, "cluster": {"worker": addresses[:]}}
            """, "a range test, keys in another order, a sliced copy"),
        honest("""
            if index < 0 or index >= len(addresses):
                raise ValueError("index out of range")
            config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
            return json.loads(json.dumps(config))
            """, "comparisons, and a JSON round trip"),
        honest("""
            if index < 0:
                raise ValueError("a negative index names no worker")
            try:
                addresses[index]
            except IndexError:
                raise ValueError(f"no worker {index} in a cluster of {len(addresses)}") from None
            return dict(cluster=dict(worker=[str(a) for a in addresses]),
                        task=dict(type="worker", index=int(index)))
            """, "an IndexError turned into a ValueError; dict()"),
        wrong("""
            return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}
            """, "no test of the index", match=r"did not raise ValueError"),
        wrong("""
            if index >= len(addresses):
                raise ValueError(index)
            return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}
            """, "a negative index is accepted", match=r"-1"),
        wrong("""
            worker = addresses[index]
            return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}
            """, "an IndexError instead of a ValueError", match=r"ValueError was expected"),
        wrong("""
            if not 0 <= index < len(addresses):
                raise ValueError(index)
            return {"cluster": {"worker": [addresses[index]]}, "task": {"type": "worker", "index": 0}}
            """, "each worker sees only its own address", match=r"all the addresses"),
        wrong("""
            if not 0 <= index < len(addresses):
                raise ValueError(index)
            return json.dumps({"cluster": {"worker": list(addresses)},
                               "task": {"type": "worker", "index": index}})
            """, "the JSON text instead of the dict", match=r"a dict was expected"),
        wrong("""
            if not 0 <= index < len(addresses):
                raise ValueError(index)
            kind = "chief" if index == 0 else "worker"
            return {"cluster": {"worker": list(addresses)}, "task": {"type": kind, "index": index}}
            """, "worker 0 called chief, though the cluster has no chief job", match=r"the task is"),
        wrong("""
            if not 0 <= index < len(addresses):
                raise ValueError(index)
            addresses.sort()
            return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
            """, "sorts the caller's list", match=r"changed the list|the cluster is"),
        wrong("""
            if not 0 <= index < 2:
                raise ValueError(index)
            return {"cluster": {"worker": [addresses[0], addresses[1]]},
                    "task": {"type": "worker", "index": index}}
            """, "a cluster of two workers, whatever the addresses", match=r"the cluster is"),
    ],
    "10.q6": [
        honest("""
            spec = {"x": tf.io.FixedLenFeature([8], tf.float32),
                    "y": tf.io.FixedLenFeature([], tf.int64)}

            def parse_batch(serialized):
                parsed = tf.io.parse_example(serialized, spec)
                return parsed["x"], parsed["y"]

            records = tf.data.TFRecordDataset(filenames)
            return records.cache().shuffle(256).batch(batch_size).map(parse_batch)
            """, "one TFRecordDataset of all the files, raw records cached, parse_example after batch"),
        honest("""
            def parse(record):
                parsed = tf.io.parse_single_example(record, {
                    "y": tf.io.FixedLenFeature([], tf.int64),
                    "x": tf.io.FixedLenFeature([8], tf.float32)})
                return parsed["x"], parsed["y"]

            files = tf.data.Dataset.from_tensor_slices(filenames)
            examples = files.interleave(lambda name: tf.data.TFRecordDataset(name), cycle_length=2,
                                        block_length=3, num_parallel_calls=tf.data.AUTOTUNE,
                                        deterministic=False)
            examples = examples.map(parse).cache()
            examples = examples.shuffle(buffer_size=64, reshuffle_each_iteration=True)
            return examples.batch(batch_size, drop_remainder=False).prefetch(1)
            """, "interleave over 2 files, blocks of 3, not deterministic, shuffle spelled out"),
        honest("""
            spec = {"x": tf.io.FixedLenFeature([8], tf.float32),
                    "y": tf.io.FixedLenFeature([], tf.int64)}

            def parse_batch(records):
                parsed = tf.io.parse_example(records, spec)
                return parsed["x"], tf.cast(parsed["y"], tf.int32)

            examples = (tf.data.Dataset.from_tensor_slices(filenames)
                        .flat_map(tf.data.TFRecordDataset)
                        .batch(16).map(parse_batch).unbatch()
                        .cache())
            return examples.shuffle(10_000).batch(batch_size)
            """, "flat_map, parsed 16 at a time then unbatched, labels cast to int32"),
        honest("""
            import tempfile
            cache_file = tempfile.mkdtemp() + "/parsed"
            features = {"x": tf.io.FixedLenFeature([8], tf.float32),
                        "y": tf.io.FixedLenFeature([], tf.int64)}
            dataset = tf.data.Dataset.from_tensor_slices(filenames).interleave(
                tf.data.TFRecordDataset, cycle_length=len(filenames))
            dataset = dataset.map(lambda r: tf.io.parse_single_example(r, features))
            dataset = dataset.map(lambda example: (example["x"], example["y"]))
            return dataset.cache(cache_file).shuffle(8).batch(batch_size)
            """, "cached to a new file, a small shuffle buffer, cycle_length = the number of files"),
        wrong(_parsed("""
            return (tf.data.Dataset.from_tensor_slices(filenames)
                    .interleave(tf.data.TFRecordDataset, num_parallel_calls=tf.data.AUTOTUNE)
                    .map(parse).shuffle(1000).cache().batch(batch_size))
            """), "shuffle before the cache: the first epoch's order is replayed", match=r"frozen"),
        wrong(_parsed("""
            return (tf.data.Dataset.from_tensor_slices(filenames)
                    .interleave(tf.data.TFRecordDataset, num_parallel_calls=tf.data.AUTOTUNE)
                    .map(parse).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """), "no shuffle at all", match=r"not shuffled"),
        wrong(_parsed("""
            return (tf.data.Dataset.from_tensor_slices(filenames).shuffle(len(filenames))
                    .interleave(tf.data.TFRecordDataset, num_parallel_calls=tf.data.AUTOTUNE)
                    .map(parse).cache().batch(batch_size))
            """), "only the file names are shuffled, and the cache replays that order",
            match=r"not shuffled"),
        wrong(_parsed("""
            return tf.data.TFRecordDataset(filenames[0]).map(parse).cache().shuffle(1000).batch(batch_size)
            """), "reads the first file only", match=r"1 of the 3 files"),
        wrong(_parsed("""
            return (tf.data.Dataset.from_tensor_slices(filenames)
                    .interleave(tf.data.TFRecordDataset, num_parallel_calls=tf.data.AUTOTUNE)
                    .map(parse).shuffle(1000).batch(batch_size).prefetch(tf.data.AUTOTUNE))
            """), "no cache: every epoch reads the files again", match=r"not cached"),
        wrong("""
            features = {"x": tf.io.FixedLenFeature([8], tf.float32),
                        "y": tf.io.FixedLenFeature([], tf.int64)}
            records = tf.data.TFRecordDataset(filenames)
            parsed = records.map(lambda r: tf.io.parse_single_example(r, features)).cache()
            xs = parsed.map(lambda example: example["x"]).shuffle(1000)
            ys = parsed.map(lambda example: example["y"]).shuffle(1000)
            return tf.data.Dataset.zip((xs, ys)).batch(batch_size)
            """, "x and y shuffled apart: the pairs are broken", match=r"belong together"),
        wrong(_parsed("""
            return (tf.data.TFRecordDataset(filenames).map(parse)
                    .batch(batch_size).cache().shuffle(100))
            """), "batched before the cache and the shuffle: whole batches are shuffled",
            match=r"whole batches"),
        wrong("""
            features = {"x": tf.io.FixedLenFeature([8], tf.float32),
                        "y": tf.io.FixedLenFeature([], tf.float32)}

            def parse(record):
                example = tf.io.parse_single_example(record, features)
                return example["x"], example["y"]

            return tf.data.TFRecordDataset(filenames).map(parse).cache().shuffle(1000).batch(batch_size)
            """, "the label parsed as a float: the record holds an int64",
            match=r"Data types don't match"),
        wrong("""
            features = {"x": tf.io.FixedLenFeature([8], tf.float32),
                        "y": tf.io.FixedLenFeature([1], tf.int64)}

            def parse(record):
                example = tf.io.parse_single_example(record, features)
                return example["x"], example["y"]

            return tf.data.TFRecordDataset(filenames).map(parse).cache().shuffle(1000).batch(batch_size)
            """, "labels of shape (batch, 1)", match=r"shape \(batch,\)"),
        wrong(_parsed("""
            return (tf.data.TFRecordDataset(filenames).map(parse).cache().shuffle(1000)
                    .repeat().batch(batch_size))
            """), "repeated forever, for the epochs", match=r"never ends"),
    ],
    "10.q7": [
        honest("""
            def for_pipeline(context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                mine = examples.shard(num_shards=context.num_input_pipelines,
                                      index=context.input_pipeline_id)
                per_replica = global_batch_size // context.num_replicas_in_sync
                return mine.batch(per_replica)
            return for_pipeline
            """, "the per-replica batch computed by hand, keyword arguments, no prefetch"),
        honest("""
            def dataset_fn(ctx):
                indexed = tf.data.Dataset.from_tensor_slices((x, y)).enumerate()
                mine = indexed.filter(
                    lambda i, pair: i % ctx.num_input_pipelines == ctx.input_pipeline_id)
                mine = mine.map(lambda i, pair: pair)
                return mine.batch(ctx.get_per_replica_batch_size(global_batch_size)).prefetch(2)
            return dataset_fn
            """, "every n-th example kept with enumerate and filter"),
        honest("""
            import numpy as np

            def dataset_fn(input_context):
                parts = np.array_split(np.arange(len(x)), input_context.num_input_pipelines)
                rows = parts[input_context.input_pipeline_id]
                examples = tf.data.Dataset.from_tensor_slices((x[rows], y[rows]))
                return examples.batch(input_context.get_per_replica_batch_size(global_batch_size))
            return dataset_fn
            """, "contiguous blocks of the arrays, split in NumPy"),
        honest("""
            def dataset_fn(input_context):
                size = input_context.get_per_replica_batch_size(global_batch_size)
                batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(size)
                return batches.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
            return dataset_fn
            """, "shard after batching: every pipeline reads everything, but each keeps whole batches of its own"),
        honest("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shuffle(len(x), seed=7, reshuffle_each_iteration=True)
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                size = input_context.get_per_replica_batch_size(global_batch_size)
                return examples.batch(size).prefetch(tf.data.AUTOTUNE)
            return dataset_fn
            """, "a shuffle before the shard with the same seed on every pipeline"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                return examples.batch(global_batch_size)
            return dataset_fn
            """, "batched with the global batch size", match=r"batches of \d+ \(the global batch divided"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                return examples.batch(input_context.get_per_replica_batch_size(global_batch_size))
            return dataset_fn
            """, "no shard: every worker trains on everything", match=r"every pipeline gives all"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_replicas_in_sync,
                                          input_context.input_pipeline_id)
                return examples.batch(input_context.get_per_replica_batch_size(global_batch_size))
            return dataset_fn
            """, "sharded by the number of replicas instead of pipelines", match=r"missing"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                return examples.batch(global_batch_size // input_context.num_input_pipelines)
            return dataset_fn
            """, "the global batch divided by the pipelines, not the replicas",
            match=r"the global batch divided by the 2 replicas"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                return examples.batch(input_context.get_per_replica_batch_size(global_batch_size))
            return dataset_fn
            """, "an unseeded shuffle before the shard: each worker shuffles its own way",
            match=r"given more than once"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                return examples.batch(32)
            return dataset_fn
            """, "the lesson's batch size, whatever the global batch", match=r"batches of"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                size = input_context.get_per_replica_batch_size(global_batch_size)
                return examples.batch(size, drop_remainder=True)
            return dataset_fn
            """, "the last, smaller batch dropped", match=r"missing"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y)).shard(
                    input_context.num_input_pipelines, 0)
                return examples.batch(input_context.get_per_replica_batch_size(global_batch_size))
            return dataset_fn
            """, "every pipeline reads shard 0", match=r"given more than once"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                size = input_context.get_per_replica_batch_size(global_batch_size)
                return examples.repeat().batch(size)
            return dataset_fn
            """, "repeated forever", match=r"never ends"),
        wrong("""
            def dataset_fn(input_context):
                examples = tf.data.Dataset.from_tensor_slices((x, y))
                examples = examples.shard(input_context.num_input_pipelines,
                                          input_context.input_pipeline_id)
                examples = examples.repeat().filter(lambda features, label: label >= 0)
                size = input_context.get_per_replica_batch_size(global_batch_size)
                return examples.batch(size)
            return dataset_fn
            """, "repeated forever, then filtered: the dataset's cardinality is unknown",
            match=r"does not end"),
        wrong("""
            context = tf.distribute.InputContext()
            size = context.get_per_replica_batch_size(global_batch_size)
            return tf.data.Dataset.from_tensor_slices((x, y)).batch(size)
            """, "the dataset itself instead of a function of the input context",
            match=r"should return a function"),
    ],
}
