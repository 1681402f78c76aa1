"""Answers to exercise 07's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

# A StepModel whose two steps are written out by the mistakes below, one at a time.
_STEP_MODEL = """
class StepModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = {train_call}
            loss = {train_loss}
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        return self.log(loss, y, y_pred)

    def test_step(self, data):
        x, y = data
        y_pred = {test_call}
        return self.log(self.compute_loss(x=x, y=y, y_pred=y_pred, training=False), y, y_pred)

    def log(self, loss, y, y_pred):
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss * tf.distribute.get_strategy().num_replicas_in_sync)
            else:
                metric.update_state(y, y_pred)
        return {{metric.name: metric.result() for metric in self.metrics}}
"""


def _step_model(train_call="self(x, training=True)", test_call="self(x, training=False)",
                train_loss="self.compute_loss(x=x, y=y, y_pred=y_pred)"):
    return _STEP_MODEL.format(train_call=train_call, test_call=test_call, train_loss=train_loss)


# A ConfidenceModel with the given __init__ and metric lines (the rest trains like StepModel).
_CONFIDENCE_MODEL = """
class ConfidenceModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        {init}

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            elif metric.name == "compile_metrics":
                metric.update_state(y, y_pred)
        {update}
        return {result}
"""


def _confidence_model(init='self.confidence = MeanConfidence(name="confidence")',
                      update="self.confidence.update_state(y, y_pred)",
                      result="{m.name: m.result() for m in self.metrics}"):
    return _CONFIDENCE_MODEL.format(init=init, update=update, result=result)


# A DenoisingAutoencoder whose noisy input and loss are given.
_DENOISER = """
class DenoisingAutoencoder(keras.Model):
    def __init__(self, *args, noise_stddev=0.25, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise_stddev = noise_stddev
        self.seed_generator = keras.random.SeedGenerator(1)

    def train_step(self, data):
        x = data
        noisy = {noisy}
        with tf.GradientTape() as tape:
            restored = self(noisy, training=True)
            loss = {loss}
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        for metric in self.metrics:
            metric.update_state(loss) if metric.name == "loss" else metric.update_state(x, restored)
        return {{m.name: m.result() for m in self.metrics}}
"""


def _denoiser(noisy="x + keras.random.normal(ops.shape(x), stddev=self.noise_stddev, "
                    "seed=self.seed_generator)",
              loss="self.compute_loss(x=noisy, y=x, y_pred=restored)"):
    return _DENOISER.format(noisy=noisy, loss=loss)


ANSWERS = {
    "07.q1": [
        honest("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x, y, y_pred, sample_weight)
                    grads = tape.gradient(loss, self.trainable_weights)
                    self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss * self.distribute_strategy.num_replicas_in_sync, sample_weight=ops.shape(x)[0])
                        else:
                            metric.update_state(y, y_pred, sample_weight=sample_weight)
                    return {m.name: m.result() for m in self.metrics}

                def test_step(self, data):
                    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
                    y_pred = self(x, training=False)
                    loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss * self.distribute_strategy.num_replicas_in_sync, sample_weight=ops.shape(x)[0])
                        else:
                            metric.update_state(y, y_pred, sample_weight=sample_weight)
                    return {m.name: m.result() for m in self.metrics}
        """, "unpack_x_y_sample_weight, positional compute_loss, apply_gradients, batch-weighted loss"),
        wrong("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.loss(y, y_pred) + ops.sum(self.losses)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    return self._results(loss, y, y_pred)

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    return self._results(self.loss(y, y_pred) + ops.sum(self.losses), y, y_pred)

                def _results(self, loss, y, y_pred):
                    loss_tracker, compiled = self.metrics[0], self.metrics[1]
                    loss_tracker.update_state(loss)
                    compiled.update_state(y, y_pred)
                    return self.get_metrics_result()
        """, "the compiled loss object plus self.losses by hand: under a strategy the penalty is "
             "counted once per replica, and the loss logged divided", match="MirroredStrategy"),
        honest("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(y=y, y_pred=y_pred)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(ops.multiply(loss, tf.distribute.get_strategy().num_replicas_in_sync))
                    return self.compute_metrics(x, y, y_pred, sample_weight=None)

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    loss = self.compute_loss(y=y, y_pred=y_pred, training=False)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(ops.multiply(loss, tf.distribute.get_strategy().num_replicas_in_sync))
                    return self.compute_metrics(x, y, y_pred, sample_weight=None)
        """, "compute_metrics for the compiled metrics"),
        wrong("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    loss_fn = keras.losses.SparseCategoricalCrossentropy()
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = loss_fn(y, y_pred)
                        if self.losses:
                            loss += tf.add_n(self.losses)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    return self.track(loss, y, y_pred)

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    loss = keras.losses.SparseCategoricalCrossentropy()(y, y_pred) + sum(self.losses)
                    return self.track(loss, y, y_pred)

                def track(self, loss, y, y_pred):
                    results = {}
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss)
                        else:
                            metric.update_state(y, y_pred)
                        result = metric.result()
                        results.update(result if isinstance(result, dict) else {metric.name: result})
                    return results
        """, "its own cross-entropy object plus tf.add_n(self.losses): right on one device, wrong "
             "under a strategy", match="MirroredStrategy"),
        honest("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    return super().train_step(data)

                def test_step(self, data):
                    return super().test_step(data)
        """, "overrides both steps and hands them to Keras's own"),
        honest("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    replicas = tf.distribute.get_strategy().num_replicas_in_sync
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.loss(y, y_pred) + ops.sum(self.losses) / replicas
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    return self.results(loss * replicas, y, y_pred)

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    return self.results(self.compute_loss(y=y, y_pred=y_pred, training=False)
                                        * tf.distribute.get_strategy().num_replicas_in_sync, y, y_pred)

                def results(self, loss, y, y_pred):
                    self.metrics[0].update_state(loss)
                    self.metrics[1].update_state(y, y_pred)
                    return self.get_metrics_result()
        """, "the compiled loss object plus the penalty, both scaled for the replicas by hand"),
        wrong(_STEP_MODEL.format(train_call="self(x, training=True)", test_call="self(x, training=False)",
                                 train_loss="self.compute_loss(x=x, y=y, y_pred=y_pred)").replace(
                  "loss * tf.distribute.get_strategy().num_replicas_in_sync", "loss"),
              "logs compute_loss's value as it is: under a strategy, the loss divided by the "
              "number of replicas", match="times less"),
        wrong("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
                    self.optimizer.apply_gradients(zip(tape.gradient(loss, self.trainable_variables),
                                                       self.trainable_variables))
                    self.compiled_metrics.update_state(y, y_pred)
                    return {m.name: m.result() for m in self.metrics}

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    self.compiled_loss(y, y_pred, regularization_losses=self.losses)
                    self.compiled_metrics.update_state(y, y_pred)
                    return {m.name: m.result() for m in self.metrics}
        """, "Keras 2's compiled_loss and compiled_metrics: the loss tracker never sees the loss",
              match="loss"),
        wrong(_step_model(test_call="self(x, training=True)"),
              "runs the model in training mode in test_step", match="evaluate|val_"),
        wrong(_step_model(train_loss="keras.losses.SparseCategoricalCrossentropy()(y, y_pred)"),
              "the loss leaves out the regularisation losses", match="regularis"),
        wrong(_step_model(train_call="self(x)"),
              "runs the model without training=True in train_step", match="training"),
        wrong("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    return {"loss": loss}

                def test_step(self, data):
                    x, y = data
                    y_pred = self(x, training=False)
                    return {"loss": self.compute_loss(x=x, y=y, y_pred=y_pred, training=False)}
        """, "returns the last batch's loss, no metrics", match="accuracy|raised"),
        wrong("""
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss)
                        else:
                            metric.update_state(y, y_pred)
                    return {m.name: m.result() for m in self.metrics}
        """, "overrides train_step only", match="test_step"),
        wrong(_step_model().replace(
            "return self.log(self.compute_loss(x=x, y=y, y_pred=y_pred, training=False), y, y_pred)",
            "with tf.GradientTape() as tape:\n"
            "            y_pred = self(x, training=False)\n"
            "            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, training=False)\n"
            "        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), "
            "self.trainable_variables)\n"
            "        return self.log(loss, y, y_pred)"),
              "test_step updates the weights too", match="evaluate|val_|weights"),
    ],
    "07.q2": [
        honest("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, **kwargs):
                    super().__init__(**kwargs)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    cross_entropy = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    return cross_entropy + self.beta * ops.sum(p * ops.log(p), axis=-1)

                def get_config(self):
                    return {**super().get_config(), "beta": self.beta}
        """, "Keras's sparse cross-entropy function, the entropy's sign folded in, get_config"),
        honest("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty_loss"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = tf.clip_by_value(y_pred, 1e-7, 1.0)
                    labels = tf.cast(tf.reshape(y_true, [-1]), tf.int32)
                    true_p = tf.gather(p, labels, batch_dims=1)
                    entropy = -tf.reduce_sum(p * tf.math.log(p), axis=-1)
                    return -tf.math.log(true_p) - self.beta * entropy
        """, "tf operations, tf.gather of the true class"),
        honest("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0))
                    labels = ops.expand_dims(ops.cast(y_true, "int32"), -1)
                    cross_entropy = -ops.squeeze(ops.take_along_axis(log_p, labels, axis=-1), -1)
                    entropy = -ops.sum(ops.exp(log_p) * log_p, axis=-1)
                    return cross_entropy - self.beta * entropy
        """, "log-probabilities first, take_along_axis"),
        honest("""
            class ConfidencePenaltyLoss(keras.losses.SparseCategoricalCrossentropy):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    return super().call(y_true, y_pred) + self.beta * ops.sum(p * ops.log(p), axis=-1)
        """, "a subclass of Keras's sparse cross-entropy loss"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    labels = ops.cast(y_true, "int32")
                    cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(p)[-1]) * ops.log(p), axis=-1)
                    return cross_entropy + self.beta * (-ops.sum(p * ops.log(p), axis=-1))
        """, "adds the entropy instead of subtracting it", match="wrong values"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    labels = ops.cast(y_true, "int32")
                    log_p = ops.log(y_pred)
                    cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(y_pred)[-1]) * log_p, axis=-1)
                    return cross_entropy - self.beta * (-ops.sum(y_pred * log_p, axis=-1))
        """, "no clipping: log(0) makes NaN or infinity", match="NaN|infinite|wrong values"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    cross_entropy = keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    return cross_entropy - self.beta * (-ops.sum(p * ops.log(p), axis=-1))
        """, "the probabilities taken for logits", match="wrong values"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)

                def call(self, y_true, y_pred):
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    labels = ops.cast(y_true, "int32")
                    cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(p)[-1]) * ops.log(p), axis=-1)
                    return cross_entropy - 0.1 * (-ops.sum(p * ops.log(p), axis=-1))
        """, "ignores beta", match="beta=0.5|beta=0.0"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    labels = ops.cast(y_true, "int32")
                    cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(p)[-1]) * ops.log(p), axis=-1)
                    return ops.mean(cross_entropy - self.beta * (-ops.sum(p * ops.log(p), axis=-1)))
        """, "returns the batch mean from call: sample weights are lost", match="sample_weight|weight"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = ops.clip(y_pred, 1e-7, 1.0)
                    labels = ops.cast(y_true, "int32")
                    cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(p)[-1]) * ops.log(p), axis=-1)
                    return cross_entropy - self.beta * (-ops.sum(p * ops.log(p)))
        """, "the entropy summed over the whole batch", match="wrong values"),
        wrong("""
            class ConfidencePenaltyLoss(keras.losses.Loss):
                def __init__(self, beta=0.1, name="confidence_penalty"):
                    super().__init__(name=name)
                    self.beta = beta

                def call(self, y_true, y_pred):
                    p = np.clip(np.asarray(y_pred), 1e-7, 1.0)
                    labels = np.asarray(y_true).astype(int)
                    cross_entropy = -np.log(p[np.arange(len(labels)), labels])
                    return cross_entropy - self.beta * (-np.sum(p * np.log(p), axis=-1))
        """, "NumPy inside call: works eagerly, not inside fit", match="fit|evaluate|compile"),
    ],
    "07.q3": [
        honest("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", dtype=None):
                    super().__init__(name=name, dtype=dtype)
                    self.mean = keras.metrics.Mean()

                def update_state(self, y_true, y_pred, sample_weight=None):
                    self.mean.update_state(ops.max(y_pred, axis=-1))

                def result(self):
                    return self.mean.result()

                def reset_state(self):
                    self.mean.reset_state()
        """, "a keras.metrics.Mean inside"),
        honest("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.total = self.add_weight(name="total", initializer="zeros")
                    self.count = self.add_weight(name="count", initializer="zeros")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    largest = tf.reduce_max(tf.cast(y_pred, tf.float32), axis=1)
                    self.total.assign_add(tf.reduce_sum(largest))
                    self.count.assign_add(tf.cast(tf.size(largest), tf.float32))

                def result(self):
                    return self.total / tf.maximum(self.count, 1.0)
        """, "add_weight, tf operations, the base class's reset_state"),
        honest("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.sums = self.add_variable(shape=(2,), initializer="zeros", name="sums")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    confidence = ops.max(y_pred, axis=-1)
                    self.sums.assign_add(ops.stack([ops.sum(confidence),
                                                    ops.cast(ops.size(confidence), confidence.dtype)]))

                def result(self):
                    return ops.divide_no_nan(self.sums[0], self.sums[1])

                def reset_state(self):
                    self.sums.assign(ops.zeros((2,)))
        """, "one variable holding the sum and the count"),
        honest("""
            class MeanConfidence(keras.metrics.Mean):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)

                def update_state(self, y_true, y_pred, sample_weight=None):
                    return super().update_state(ops.max(y_pred, axis=-1), sample_weight=sample_weight)
        """, "a subclass of keras.metrics.Mean"),
        wrong("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.total = self.add_variable(shape=(), initializer="zeros", name="total")
                    self.batches = self.add_variable(shape=(), initializer="zeros", name="batches")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    self.total.assign_add(ops.mean(ops.max(y_pred, axis=-1)))
                    self.batches.assign_add(1.0)

                def result(self):
                    return ops.divide_no_nan(self.total, self.batches)
        """, "the mean of batch means", match="running sum|batches of"),
        wrong("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.total = self.add_variable(shape=(), initializer="zeros", name="total")
                    self.count = self.add_variable(shape=(), initializer="zeros", name="count")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    confidence = ops.max(y_pred, axis=-1)
                    self.total.assign_add(ops.sum(confidence))
                    self.count.assign_add(ops.cast(ops.shape(confidence)[0], "float32"))

                def result(self):
                    return ops.divide_no_nan(self.total, self.count)

                def reset_state(self):
                    self.total.assign(0.0)
        """, "reset_state forgets the count", match="reset"),
        wrong("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.total, self.count = 0.0, 0.0

                def update_state(self, y_true, y_pred, sample_weight=None):
                    confidence = ops.max(y_pred, axis=-1)
                    self.total += ops.sum(confidence)
                    self.count += ops.shape(confidence)[0]

                def result(self):
                    return self.total / self.count

                def reset_state(self):
                    self.total, self.count = 0.0, 0.0
        """, "state in Python attributes, not variables: fine eagerly, wrong inside evaluate",
              match="evaluate|variables|raised"),
        wrong("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="mean_confidence", **kwargs):
                    super().__init__(name=name, **kwargs)
                    self.total = self.add_variable(shape=(), initializer="zeros", name="total")
                    self.count = self.add_variable(shape=(), initializer="zeros", name="count")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    labels = ops.cast(ops.reshape(y_true, [-1]), "int32")
                    confidence = ops.sum(ops.one_hot(labels, ops.shape(y_pred)[-1]) * y_pred, axis=-1)
                    self.total.assign_add(ops.sum(confidence))
                    self.count.assign_add(ops.cast(ops.shape(confidence)[0], "float32"))

                def result(self):
                    return ops.divide_no_nan(self.total, self.count)
        """, "the probability of the true class, not the largest", match="wrong values"),
        wrong("""
            class MeanConfidence(keras.metrics.Metric):
                def __init__(self, name="confidence", **kwargs):
                    super().__init__(name="mean_confidence", **kwargs)
                    self.total = self.add_variable(shape=(), initializer="zeros", name="total")
                    self.count = self.add_variable(shape=(), initializer="zeros", name="count")

                def update_state(self, y_true, y_pred, sample_weight=None):
                    confidence = ops.max(y_pred, axis=-1)
                    self.total.assign_add(ops.sum(confidence))
                    self.count.assign_add(ops.cast(ops.shape(confidence)[0], "float32"))

                def result(self):
                    return ops.divide_no_nan(self.total, self.count)
        """, "ignores the name it is given", match="name"),
    ],
    "07.q4": [
        honest("""
            class ConfidenceModel(StepModel):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.confidence = MeanConfidence(name="confidence")

                def train_step(self, data):
                    logs = super().train_step(data)
                    return logs
        """, "inherits StepModel's step: its loop over self.metrics updates the tracked metric"),
        honest(_confidence_model(), "a keras.Model with the metric updated by name"),
        honest(_confidence_model(
            init='self._confidence = MeanConfidence(name="confidence")',
            update="self._confidence.update_state(y, y_pred)",
            result='{"loss": self.metrics[0].result(), **self.metrics[1].result(), '
                   '"confidence": self._confidence.result()}'),
               "a private attribute, the logs written out by hand"),
        honest("""
            class ConfidenceModel(keras.Model):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.confidence_tracker = MeanConfidence(name="confidence")

                @property
                def metrics(self):
                    return super().metrics + [self.confidence_tracker]

                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss)
                        else:
                            metric.update_state(y, y_pred)
                    return {m.name: m.result() for m in self.metrics}
        """, "the metrics property extended by hand"),
        honest("""
            class ConfidenceModel(StepModel):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.__dict__["confidence_metric"] = MeanConfidence(name="confidence")

                def reset_metrics(self):
                    super().reset_metrics()
                    self.confidence_metric.reset_state()

                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    logs = self.update_metrics(loss, x, y, y_pred)
                    self.confidence_metric.update_state(y, y_pred)
                    return {**logs, "confidence": self.confidence_metric.result()}
        """, "an untracked metric reset by its own reset_metrics"),
        wrong(_confidence_model(init='self.confidence = MeanConfidence()'),
              "the metric keeps its default name", match="confidence"),
        wrong(_confidence_model(init="pass", update='confidence = MeanConfidence(name="confidence")\n'
                                                   "        confidence.update_state(y, y_pred)",
                                result='{"confidence": confidence.result(), '
                                       '**{m.name: m.result() for m in self.metrics}}'),
              "a new metric in every step", match="confidence|raised"),
        wrong(_confidence_model(init='self.__dict__["confidence"] = MeanConfidence(name="confidence")',
                                result='{**{m.name: m.result() for m in self.metrics}, '
                                       '"confidence": self.confidence.result()}'),
              "a metric fit never resets: each epoch averages over all epochs so far",
              match="reset|epoch"),
        wrong(_confidence_model(update="self.confidence.reset_state()\n"
                                       "        self.confidence.update_state(y, y_pred)"),
              "reset in every step: the log holds the last batch only", match="epoch|batch"),
        wrong(_confidence_model().replace(
            "            elif metric.name == \"compile_metrics\":\n"
            "                metric.update_state(y, y_pred)\n", ""),
              "the compiled metrics are not updated", match="accuracy|raised"),
    ],
    "07.q5": [
        honest("""
            class DenoisingAutoencoder(keras.Model):
                def __init__(self, inputs, outputs, noise_stddev=0.25, **kwargs):
                    super().__init__(inputs, outputs, **kwargs)
                    self.noise_stddev = noise_stddev

                def train_step(self, data):
                    x = data[0] if isinstance(data, tuple) else data
                    noisy = x + tf.random.normal(tf.shape(x), stddev=self.noise_stddev)
                    with tf.GradientTape() as tape:
                        restored = self(noisy, training=True)
                        loss = self.compute_loss(y=x, y_pred=restored)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss)
                        else:
                            metric.update_state(x, restored)
                    return {m.name: m.result() for m in self.metrics}
        """, "tf.random.normal without a seed, the images taken out by hand"),
        honest("""
            class DenoisingAutoencoder(keras.Model):
                def __init__(self, *args, noise_stddev=0.25, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.noise = keras.layers.GaussianNoise(noise_stddev, seed=3)

                def train_step(self, data):
                    x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
                    noisy = self.noise(x, training=True)
                    with tf.GradientTape() as tape:
                        restored = self(noisy, training=True)
                        loss = self.loss(x, restored) + ops.sum(self.losses)
                    grads = tape.gradient(loss, self.trainable_variables)
                    self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                    self.metrics[0].update_state(loss)
                    return self.compute_metrics(noisy, x, restored, sample_weight=None)
        """, "a GaussianNoise layer, the compiled loss object plus self.losses, compute_metrics"),
        honest("""
            class DenoisingAutoencoder(keras.Model):
                def __init__(self, *args, noise_stddev=0.25, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.noise_stddev = noise_stddev
                    self.rng = tf.random.Generator.from_seed(5)

                def train_step(self, data):
                    x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
                    noise = self.rng.normal(tf.shape(x)) * self.noise_stddev
                    with tf.GradientTape() as tape:
                        restored = self(x + noise, training=True)
                        loss = self.compute_loss(x=x + noise, y=x, y_pred=restored)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    for metric in self.metrics:
                        if metric.name == "loss":
                            metric.update_state(loss)
                        else:
                            metric.update_state(x, restored)
                    return {m.name: m.result() for m in self.metrics}
        """, "a tf.random.Generator, noise scaled by hand"),
        honest(_denoiser(noisy="x + self.noise_stddev * keras.random.normal(ops.shape(x))"),
               "keras.random.normal without a seed, scaled afterwards"),
        wrong(_denoiser(loss="self.compute_loss(x=noisy, y=noisy, y_pred=restored)"),
              "compares the output with the noisy images", match="0.5|clean"),
        wrong(_denoiser(noisy="x + keras.random.normal(ops.shape(x), stddev=self.noise_stddev, seed=3)"),
              "an integer seed: the same noise at every step", match="same at every step"),
        wrong(_denoiser(noisy="x + keras.random.normal(ops.shape(x), stddev=self.noise_stddev ** 2, "
                              "seed=self.seed_generator)"),
              "the variance used as the standard deviation", match="0.5|noise_stddev"),
        wrong(_denoiser(noisy="x + keras.random.normal(ops.shape(x), stddev=0.25, "
                              "seed=self.seed_generator)"),
              "ignores noise_stddev", match="noise_stddev|0.5"),
        wrong(_denoiser(noisy="x + keras.random.uniform(ops.shape(x), -self.noise_stddev, "
                              "self.noise_stddev, seed=self.seed_generator)"),
              "uniform noise, not Gaussian", match="0.5|Gaussian"),
        wrong(_denoiser(loss="keras.losses.MeanSquaredError()(x, restored)"),
              "a loss of its own, without the regularisation losses", match="regularis"),
        wrong(_denoiser(loss="keras.losses.MeanSquaredError()(x, restored) + ops.sum(self.losses)"),
              "mean squared error written in, whatever loss was compiled", match="compiled loss"),
        wrong(_denoiser(noisy="x"), "no noise at all", match="0.25 was expected"),
        wrong(_denoiser(noisy="x + np.random.normal(0.0, self.noise_stddev, size=tuple(x.shape))"
                              ".astype('float32')"),
              "NumPy noise: drawn once, when fit traces the step", match="raised|same at every step"),
    ],
}


# A WeightedModel whose step takes the batch apart and weighs the loss and metrics as given.
_WEIGHTED = """
class WeightedModel(keras.Model):
    def train_step(self, data):
        {unpack}
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = {loss}
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state({logged}, sample_weight=ops.shape(x)[0])
            else:
                metric.update_state(y, y_pred, sample_weight={metric_weight})
        return {{m.name: m.result() for m in self.metrics}}
"""


def _weighted(unpack="x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)",
              loss="self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)",
              logged="loss * replicas", metric_weight="sample_weight"):
    return _WEIGHTED.format(unpack=unpack, loss=loss, logged=logged, metric_weight=metric_weight)


# A RobustRegressor with the given trackers, loss and logs.
_REGRESSOR = """
class RobustRegressor(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mse = keras.metrics.MeanSquaredError(name="mse")

    @property
    def metrics(self):
        return [self.loss_tracker, self.mse]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = {loss}
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        {update}
        return {result}
"""


def _regressor(loss="ops.mean(ops.abs(y - y_pred))",
               update="self.loss_tracker.update_state(loss)\n        self.mse.update_state(y, y_pred)",
               result="{m.name: m.result() for m in self.metrics}"):
    return _REGRESSOR.format(loss=loss, update=update, result=result)


# A LabelModel whose predict_step is written out.
_LABELS = """
class LabelModel(keras.Model):
    def predict_step(self, data):
        {unpack}
        probabilities = {call}
        return {result}
"""


def _labels(unpack="x, _, _ = keras.utils.unpack_x_y_sample_weight(data)",
            call="self(x, training=False)",
            result='{"label": ops.argmax(probabilities, axis=-1), '
                   '"probability": ops.max(probabilities, axis=-1)}'):
    return _LABELS.format(unpack=unpack, call=call, result=result)


ANSWERS.update({
    "07.q6": [
        honest("""
            class WeightedModel(keras.Model):
                def train_step(self, data):
                    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(x, y, y_pred, sample_weight)
                    grads = tape.gradient(loss, self.trainable_weights)
                    self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
                    self.metrics[0].update_state(loss * self.distribute_strategy.num_replicas_in_sync,
                                                 sample_weight=tf.shape(x)[0])
                    return self.compute_metrics(x, y, y_pred, sample_weight)
        """, "positional compute_loss, apply_gradients, compute_metrics for the compiled metrics"),
        honest(_weighted(unpack="if len(data) == 3:\n"
                                "            x, y, sample_weight = data\n"
                                "        else:\n"
                                "            (x, y), sample_weight = data, None"),
               "the batch taken apart by hand"),
        honest("""
            class WeightedModel(StepModel):
                def train_step(self, data):
                    x, y, w = keras.utils.unpack_x_y_sample_weight(data)
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=w)
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    return self.update_metrics(loss, x, y, y_pred, w)
        """, "built on 07.q1's StepModel and its update_metrics"),
        honest(_weighted(logged="loss * ops.cast(replicas, loss.dtype)"), "the loop over self.metrics"),
        wrong(_weighted(unpack="x, y, _ = keras.utils.unpack_x_y_sample_weight(data)\n"
                               "        sample_weight = None"),
              "the sample weights are dropped", match="sample_weight"),
        wrong(_weighted(unpack="x, y = data\n        sample_weight = None"),
              "expects (x, y) pairs: fit with sample weights gives triples", match="raised"),
        wrong(_weighted(metric_weight="None"),
              "weighs the loss but not the weighted metrics", match="weighted_accuracy"),
        wrong(_weighted(loss="ops.sum(sample_weight * keras.losses.sparse_categorical_crossentropy(y, y_pred)) "
                             "/ ops.sum(sample_weight) + ops.sum(self.losses) if sample_weight is not None "
                             "else self.compute_loss(x=x, y=y, y_pred=y_pred)"),
              "divides the weighted loss by the sum of the weights, not by the batch size",
              match="sample_weight"),
        wrong(_weighted(logged="loss"), "logs compute_loss's value as it is: under a strategy, the "
                                        "loss divided by the number of replicas", match="times less"),
    ],
    "07.q7": [
        honest(_regressor(result='{"loss": self.loss_tracker.result(), "mse": self.mse.result()}')
               .replace("    @property\n    def metrics(self):\n        return [self.loss_tracker, self.mse]\n", ""),
               "no metrics property: Keras tracks the metric attributes and fit resets them"),
        honest(_regressor(loss="keras.losses.MeanAbsoluteError()(y, y_pred)",
                          update="self.loss_tracker.update_state(loss, sample_weight=ops.shape(x)[0])\n"
                                 "        self.mse.update_state(y, y_pred)"),
               "Keras's MeanAbsoluteError object, the tracker weighted by batch size"),
        honest("""
            loss_tracker = keras.metrics.Mean(name="loss")
            mse_metric = keras.metrics.MeanSquaredError(name="mse")


            class RobustRegressor(keras.Model):
                @property
                def metrics(self):
                    return [loss_tracker, mse_metric]

                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = tf.reduce_mean(tf.abs(y - y_pred))
                    gradients = tape.gradient(loss, self.trainable_variables)
                    self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
                    loss_tracker.update_state(loss)
                    mse_metric.update_state(y, y_pred)
                    return {"loss": loss_tracker.result(), "mse": mse_metric.result()}
        """, "trackers made outside the model (the keras.io TensorFlow 2 guide), listed in metrics"),
        wrong(_regressor(update="pass", result='{"loss": loss, "mse": ops.mean(ops.square(y - y_pred))}'),
              "returns the last batch's values, not the epoch's mean", match="each epoch"),
        wrong("""
            loss_tracker = keras.metrics.Mean(name="loss")
            mse_metric = keras.metrics.MeanSquaredError(name="mse")


            class RobustRegressor(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        loss = ops.mean(ops.abs(y - y_pred))
                    self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                         self.trainable_variables)
                    loss_tracker.update_state(loss)
                    mse_metric.update_state(y, y_pred)
                    return {"loss": loss_tracker.result(), "mse": mse_metric.result()}
        """, "trackers outside the model and no metrics property: fit never resets them",
              match="each epoch"),
        wrong(_regressor(update="self.loss_tracker.reset_state()\n        self.mse.reset_state()\n"
                                "        self.loss_tracker.update_state(loss)\n        self.mse.update_state(y, y_pred)"),
              "resets the trackers in every step: the last batch only", match="each epoch"),
        wrong(_regressor(loss="keras.losses.mean_absolute_error(y, y_pred)"),
              "a loss per example: its gradient is that of the sum", match="weights"),
        wrong(_regressor(loss="ops.mean(ops.square(y - y_pred))"),
              "minimises the mean squared error", match="each epoch|loss"),
        wrong(_regressor().replace('keras.metrics.MeanSquaredError(name="mse")',
                                   'keras.metrics.Mean(name="mse")').replace(
                  "self.mse.update_state(y, y_pred)", "self.mse.update_state(loss)"),
              "'mse' is a Mean of the loss", match="mse"),
    ],
    "07.q8": [
        honest(_labels(unpack="x = data[0] if isinstance(data, tuple) else data",
                       result='{"label": tf.argmax(probabilities, axis=1), '
                              '"probability": tf.reduce_max(probabilities, axis=1)}'),
               "tf operations (int64 labels), the batch taken apart by hand"),
        honest("""
            class LabelModel(keras.Model):
                def predict_step(self, data):
                    probabilities = super().predict_step(data)
                    labels = ops.argmax(probabilities, axis=-1)
                    return {"label": labels,
                            "probability": ops.take_along_axis(probabilities, labels[:, None], axis=-1)[:, 0]}
        """, "Keras's own predict_step for the probabilities, take_along_axis"),
        honest(_labels(call="self(x)"), "self(x): a functional model runs in inference mode by default"),
        wrong(_labels(call="self(x, training=True)"), "runs the model in training mode",
              match="training=False|probability"),
        wrong(_labels(result="probabilities"), "returns the probabilities", match="dict"),
        wrong(_labels(unpack="x = data"), "does not take x out of (x, y) batches",
              match="raised|dataset"),
        wrong(_labels(result='{"label": ops.cast(ops.argmax(probabilities, axis=-1), "float32"), '
                             '"probability": ops.max(probabilities, axis=-1)}'),
              "labels as floats", match="integer"),
        wrong(_labels(result='{"label": ops.argmax(probabilities, axis=0), '
                             '"probability": ops.max(probabilities, axis=0)}'),
              "the argmax over the examples, not the classes", match="shape|raised"),
    ],
})
