"""Answers to exercise 11's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

ANSWERS = {
    "11.q1": [
        honest("""
            def generate():
                rng = np.random.RandomState(seed)
                for _ in range(n_batches):
                    x = rng.standard_normal((batch_size, features)).astype(np.float32)
                    yield x, x.sum(axis=1)

            dataset = tf.data.Dataset.from_generator(generate, output_signature=(
                tf.TensorSpec(shape=(batch_size, features), dtype=tf.float32),
                tf.TensorSpec(shape=(batch_size,), dtype=tf.float32)))
            return dataset.apply(tf.data.experimental.assert_cardinality(n_batches))
            """, "RandomState, and the number of batches declared with assert_cardinality"),
        honest("""
            def batches():
                np.random.seed(seed)
                for _ in range(n_batches):
                    x = np.random.normal(size=(batch_size, features))
                    yield x, np.sum(x, axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec).prefetch(2)
            """, "NumPy's global generator seeded in the generator, float64 cast by the signature, "
                 "a prefetch"),
        honest("""
            def batches(count, start):
                rng = np.random.default_rng(start)
                for _ in range(count):
                    x = rng.normal(0.0, 1.0, (batch_size, features)).astype("float32")
                    yield x, x.sum(-1)

            return tf.data.Dataset.from_generator(
                batches, args=(n_batches, seed), output_types=(tf.float32, tf.float32),
                output_shapes=((batch_size, features), (batch_size,)))
            """, "the generator's arguments passed with args=, output_types and output_shapes"),
        honest("""
            def stream(seed):
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.standard_normal((batch_size, features), dtype=np.float32)
                    yield x, np.add.reduce(x, axis=1)

            signature = (tf.TensorSpec((batch_size, features), tf.float32),
                         tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(lambda: stream(seed), output_signature=signature)
            """, "a lambda around a generator function, as in the lesson"),
        wrong("""
            def batches():
                rng = np.random.default_rng(0)
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "the seed is ignored", match=r"different seeds gave the same data"),
        wrong("""
            def batches():
                for _ in range(n_batches):
                    rng = np.random.default_rng(seed)
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "reseeded for every batch: every batch is the same", match=r"every batch is the same|fresh"),
        wrong("""
            def batches():
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.mean(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "the mean of each row instead of the sum", match=r"not the sum"),
        wrong("""
            def batches():
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.random((batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "uniform numbers in [0, 1) instead of a normal distribution", match=r"normal"),
        wrong("""
            rng = np.random.default_rng(seed)

            def batches():
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "the NumPy generator is made once, outside the generator function: a second pass "
                 "continues it", match=r"pass"),
        wrong("""
            def batches():
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1, keepdims=True)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size, 1), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "y of shape (batch_size, 1), as in the lesson's stream", match=r"y \(4, 1\)|shape"),
        wrong("""
            rng = np.random.default_rng(seed)
            xs = rng.normal(size=(min(n_batches, 50), batch_size, features)).astype("float32")
            return tf.data.Dataset.from_tensor_slices((xs, xs.sum(axis=2)))
            """, "the batches made up front and held in memory (capped, so that the demo returns)",
            match=r"batches"),
        wrong("""
            def batches():
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec).repeat()
            """, "repeated forever", match=r"batches"),
        wrong("""
            def batches():
                for i in range(n_batches):
                    rng = np.random.default_rng(seed + i)
                    x = rng.normal(size=(batch_size, features)).astype("float32")
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float32),
                    tf.TensorSpec((batch_size,), tf.float32))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "a new generator per batch seeded with seed + i: seed 8 repeats seed 7 shifted",
            match=r"seed"),
        wrong("""
            def batches():
                rng = np.random.default_rng(seed)
                for _ in range(n_batches):
                    x = rng.normal(size=(batch_size, features))
                    yield x, x.sum(axis=1)

            spec = (tf.TensorSpec((batch_size, features), tf.float64),
                    tf.TensorSpec((batch_size,), tf.float64))
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
            """, "float64 batches", match=r"float32"),
    ],
    "11.q2": [
        honest("""
            start = None
            for i, batch in enumerate(batches):
                if i == warmup:
                    start = time.time()
                step(batch)
            return (len(batches) - warmup) / (time.time() - start)
            """, "enumerate, and time.time started at the first timed batch"),
        honest("""
            durations = []
            for batch in batches:
                begin = time.perf_counter()
                step(batch)
                durations.append(time.perf_counter() - begin)
            timed = durations[warmup:]
            return len(timed) / sum(timed)
            """, "every step timed alone, the timed ones summed"),
        honest("""
            import timeit

            remaining = iter(batches)
            for _ in range(warmup):
                step(next(remaining))
            rest = list(remaining)
            t0 = timeit.default_timer()
            for b in rest:
                step(b)
            return len(rest) / (timeit.default_timer() - t0)
            """, "an iterator, timeit's clock"),
        honest("""
            for batch in batches[:warmup]:
                step(batch)
            start = time.perf_counter_ns()
            for batch in batches[warmup:]:
                step(batch)
            elapsed_ns = time.perf_counter_ns() - start
            return float(len(batches[warmup:]) / (elapsed_ns / 1e9))
            """, "nanoseconds"),
        wrong("""
            for batch in batches[:warmup]:
                step(batch)
            start = time.perf_counter()
            for batch in batches[warmup:]:
                step(batch)
            return len(batches) / (time.perf_counter() - start)
            """, "the warm-up calls are counted as timed steps", match=r"warm-up"),
        wrong("""
            start = time.perf_counter()
            for batch in batches:
                step(batch)
            return (len(batches) - warmup) / (time.perf_counter() - start)
            """, "the warm-up calls are timed", match=r"warm-up"),
        wrong("""
            for batch in batches[:warmup]:
                step(batch)
            start = time.perf_counter()
            for batch in batches[warmup:]:
                step(batch)
            return (time.perf_counter() - start) / (len(batches) - warmup)
            """, "seconds per step", match=r"steps per second|warm-up"),
        wrong("""
            step(batches[0])
            start = time.perf_counter()
            for batch in batches[1:]:
                step(batch)
            return (len(batches) - 1) / (time.perf_counter() - start)
            """, "always one warm-up call, whatever `warmup` says", match=r"warm-up"),
        wrong("""
            rates = []
            for i, batch in enumerate(batches):
                begin = time.perf_counter()
                step(batch)
                if i >= warmup:
                    rates.append(1 / (time.perf_counter() - begin))
            return sum(rates) / len(rates)
            """, "the mean of the steps' own rates", match=r"timed steps"),
        wrong("""
            for batch in batches[:warmup]:
                step(batch)
            start = time.process_time()
            for batch in batches[warmup:]:
                step(batch)
            return (len(batches) - warmup) / max(time.process_time() - start, 1e-9)
            """, "CPU time instead of the time that passed", match=r"timed steps|seconds"),
        wrong("""
            start = time.perf_counter()
            for batch in batches[warmup:]:
                step(batch)
            return (len(batches) - warmup) / (time.perf_counter() - start)
            """, "the warm-up batches are skipped, not run", match=r"called"),
    ],
    "11.q3": [
        honest("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for i, value in enumerate(losses):
                    tf.summary.experimental.set_step(i)
                    tf.summary.scalar("loss", value)
                writer.flush()
            """, "the step set with tf.summary.experimental.set_step, flushed, not closed"),
        honest("""
            writer = tf.summary.create_file_writer(os.path.join(folder, "train"))

            @tf.function
            def write(value, step):
                with writer.as_default():
                    tf.summary.scalar("loss", value, step=step)

            for step, value in enumerate(losses):
                write(tf.constant(value, tf.float32), tf.constant(step, tf.int64))
            writer.close()
            """, "a subfolder, written from a tf.function"),
        honest("""
            for i in range(len(losses)):
                writer = tf.summary.create_file_writer(os.path.join(folder, "run", "1"))
                with writer.as_default(step=i):
                    tf.summary.scalar(name="loss", data=np.float32(losses[i]))
                writer.flush()
            """, "a writer per value in a nested folder, the step given to as_default"),
        honest("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step, value in zip(range(len(losses)), losses):
                    tf.summary.scalar("loss", data=value, step=step, description="training loss")
            """, "no flush or close: the writer flushes when it is deleted"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step, loss in enumerate(losses, start=1):
                    tf.summary.scalar("loss", loss, step=step)
            writer.close()
            """, "steps counted from 1", match=r"steps"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step, loss in enumerate(losses):
                    tf.summary.scalar("Loss", loss, step=step)
            writer.close()
            """, "the tag 'Loss'", match=r"no scalar named 'loss'"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step, loss in enumerate(losses):
                    pass
                tf.summary.scalar("loss", loss, step=step)
            writer.close()
            """, "only the last loss is written", match=r"steps"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step, loss in enumerate(losses):
                    tf.summary.histogram("loss", [loss], step=step)
            writer.close()
            """, "a histogram instead of a scalar", match=r"scalar"),
        wrong("""
            writer = tf.summary.create_file_writer("logs")
            with writer.as_default():
                for step, loss in enumerate(losses):
                    tf.summary.scalar("loss", loss, step=step)
            writer.close()
            """, "a fixed folder instead of `folder`", match=r"no scalar named 'loss'"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for loss in losses:
                    tf.summary.scalar("loss", loss, step=0)
            writer.close()
            """, "every loss at step 0", match=r"steps"),
        wrong("""
            writer = tf.summary.create_file_writer(folder)
            with writer.as_default():
                for step in range(len(losses)):
                    tf.summary.scalar("loss", np.mean(losses[:step + 1]), step=step)
            writer.close()
            """, "the running mean instead of each loss", match=r"not the losses"),
    ],
    "11.q4": [
        honest("""
            env = os.environ.copy()
            env["KERAS_BACKEND"] = backend
            return (sys.executable, "-c", code), env
            """, "a tuple command, os.environ.copy()"),
        honest("""
            return [sys.executable, "-u", "-c", code], dict(os.environ, KERAS_BACKEND=backend)
            """, "dict(os.environ, ...), unbuffered output"),
        honest("""
            script = os.path.join(tempfile.mkdtemp(), "child.py")
            with open(script, "w") as handle:
                handle.write(code)
            return [sys.executable, script], {**os.environ, "KERAS_BACKEND": backend}
            """, "the code written to a script file"),
        honest("""
            env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
            return [[sys.executable, "-c", code], env]
            """, "a list pair, TensorFlow's log level added as in the lesson"),
        wrong("""
            os.environ["KERAS_BACKEND"] = backend
            return [sys.executable, "-c", code], dict(os.environ)
            """, "sets the backend in this kernel's environment",
            match=r"changed this kernel's environment"),
        wrong("""
            return [sys.executable, "-c", code], {"KERAS_BACKEND": backend}
            """, "an environment with nothing but the backend", match=r"lost or changed this kernel's variables"),
        wrong("""
            return [sys.executable, "-c", code], {"PATH": os.environ["PATH"], "KERAS_BACKEND": backend}
            """, "only PATH kept", match=r"lost or changed this kernel's variables"),
        wrong("""
            return f"{sys.executable} -c {code!r}", {**os.environ, "KERAS_BACKEND": backend}
            """, "one string as the command", match=r"list"),
        wrong("""
            env = dict(os.environ)
            env.setdefault("KERAS_BACKEND", backend)
            return [sys.executable, "-c", code], env
            """, "setdefault keeps the kernel's own backend", match=r"KERAS_BACKEND"),
        wrong("""
            return [sys.executable, "-c", repr(code)], {**os.environ, "KERAS_BACKEND": backend}
            """, "the code quoted: Python evaluates a string and prints nothing",
            match=r"did not run the given code"),
        wrong("""
            return [sys.executable, "-c", code], {**os.environ, "KERAS_BACKEND": "jax"}
            """, "one backend, whatever is asked", match=r"KERAS_BACKEND"),
        wrong("""
            return ["python", "-c", code], {**os.environ, "KERAS_BACKEND": backend}
            """, "whichever python the PATH finds, not this kernel's",
            match=r"running the command failed|another Python"),
    ],
    "11.q5": [
        honest("""
            ana = Situation(role="researcher", needs_custom_loss=True, needs_several_devices=True)
            ana_advice = recommend(ana)
            """, "keywords, defaults left out"),
        honest("""
            import dataclasses

            ana = dataclasses.replace(Situation(), role="researcher", needs_custom_loss=True,
                                      needs_several_devices=True)
            ana_advice = recommend(situation=ana)
            """, "dataclasses.replace"),
        honest("""
            from k2tf.decision_guide import DecisionGuide

            guide = DecisionGuide()
            ana_advice = guide.set(role="researcher", needs_custom_loss=True, needs_several_devices=True)
            ana = guide.situation
            """, "the lesson's DecisionGuide form, set in code"),
        honest("""
            ana = Situation("researcher", False, True, False, True)
            ana_advice = Recommendation(recommend(ana).text, recommend(ana).reason, recommend(ana).lesson)
            """, "positional fields; the recommendation rebuilt field by field"),
        wrong("""
            ana = Situation("researcher", needs_custom_loss=True, needs_custom_loop=True,
                            needs_several_devices=True)
            ana_advice = recommend(ana)
            """, "a custom loop, though her loop is standard", match=r"needs_custom_loop"),
        wrong("""
            ana = Situation("student", needs_custom_loss=True, needs_several_devices=True)
            ana_advice = recommend(ana)
            """, "the wrong role", match=r"role"),
        wrong("""
            ana = Situation("researcher", needs_custom_loss=True)
            ana_advice = recommend(ana)
            """, "four GPUs not counted as several devices", match=r"needs_several_devices"),
        wrong("""
            ana = Situation("researcher", first_week_with_python=True, needs_custom_loss=True,
                            needs_several_devices=True)
            ana_advice = recommend(ana)
            """, "first week with Python", match=r"first_week_with_python"),
        wrong("""
            ana = Situation("researcher", needs_custom_loss=True, needs_several_devices=True)
            ana_advice = recommend(Situation("researcher"))
            """, "the advice for another situation", match=r"not the guide's recommendation"),
        wrong("""
            ana = Situation("researcher", needs_custom_loss=True, needs_several_devices=True)
            ana_advice = recommend(ana).text
            """, "the advice's text only", match=r"what recommend"),
        wrong("""
            ana = {"role": "researcher", "needs_custom_loss": True, "needs_several_devices": True}
            ana_advice = recommend(Situation(**ana))
            """, "a dict instead of a Situation", match=r"Situation"),
    ],
}

# 11.q6 and 11.q7: each 11.q6 answer costs one run_both in its check (two processes side by
# side, ~10 s on two idle cores; an answer that fails to build, ~6 s), so the list is short.
ANSWERS["11.q6"] = [
    honest("""
        def build_model():
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
        """, "the lesson's own 32-unit model, copied (87% / 86% on tensorflow / jax)"),
    honest("""
        def build_model():
            inputs = keras.Input(shape=(64,), name="pixels")
            hidden = keras.layers.Dense(64, name="hidden")(inputs)
            hidden = keras.layers.Lambda(lambda t: keras.ops.maximum(t, 0.0), name="relu")(hidden)
            scores = keras.layers.Dense(10, name="scores")(hidden)
            model = keras.Model(inputs, scores)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          metrics=[keras.metrics.SparseCategoricalAccuracy()])
            return model
        """, "functional API, a keras.ops Lambda, raw scores with from_logits=True, another metric"),
    honest("""
        def build_model():
            from keras import layers, optimizers

            WIDTH = 48

            class Hidden(layers.Layer):
                def __init__(self, units, **kwargs):
                    super().__init__(**kwargs)
                    self.dense = layers.Dense(units)

                def call(self, x):
                    return keras.ops.tanh(self.dense(x))

            model = keras.Sequential([layers.Input((64,)), Hidden(WIDTH), layers.Dense(10, activation="softmax")])
            model.compile(optimizer=optimizers.RMSprop(), loss=keras.losses.sparse_categorical_crossentropy)
            return model
        """, "a custom layer on keras.ops, a constant and imports inside, RMSprop, no metric at all"),
    wrong("""
        def build_model():
            import tensorflow as tf

            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32),
                                      keras.layers.Lambda(lambda t: tf.nn.relu(t)),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
        """, "tf.nn.relu in a Lambda: runs on TensorFlow only",
          match=r"jax backend only(.|\n)*Hint: it calls TensorFlow"),
    wrong("""
        HIDDEN = 64


        def build_model():
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(HIDDEN, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
        """, "a constant defined outside the function", match=r"NameError: name 'HIDDEN'(.|\n)*inside build_model"),
    wrong("""
        def build_model():
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
            return model
        """, "not compiled", match=r"compile"),
    wrong("""
        def build_model():
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", metrics=["accuracy"],
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        """, "the model is compiled but not returned", match=r"not a Keras model"),
    wrong("""
        def build_model():
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", metrics=["accuracy"],
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
        """, "a softmax fed to a from_logits=True loss: fine on TensorFlow (87%), 75% on JAX",
          match=r"75\.\d% on jax(.|\n)*softmax"),
]

ANSWERS["11.q7"] = [
    honest("""
        if any(run.error is not None for run in runs.values()):
            return False
        accuracies = sorted(run.accuracy for run in runs.values())
        return accuracies[-1] - accuracies[0] <= tolerance
        """, "error checked by hand, the accuracies sorted"),
    honest("""
        import itertools

        if not all(r.ok for r in runs.values()):
            return False
        return all(abs(a.accuracy - b.accuracy) <= tolerance
                   for a, b in itertools.combinations(runs.values(), 2))
        """, "every pair within the tolerance"),
    honest("""
        accuracies = np.array([run.accuracy if run.accuracy is not None else np.nan
                               for run in runs.values()], dtype=float)
        return bool(not np.isnan(accuracies).any() and np.ptp(accuracies) <= tolerance)
        """, "NumPy: a failed run as NaN, np.ptp for the gap"),
    honest("""
        low, high = float("inf"), float("-inf")
        for backend, run in runs.items():
            if not run.ok:
                return False
            low, high = min(low, run.accuracy), max(high, run.accuracy)
        return high - low <= tolerance
        """, "one loop keeping the lowest and the highest"),
    wrong("""
        first, second = list(runs.values())[:2] if len(runs) > 1 else (list(runs.values()) * 2)
        if not (first.ok and second.ok):
            return False
        return abs(first.accuracy - second.accuracy) <= tolerance
        """, "only the first two runs compared", match=r"three runs"),
    wrong("""
        if not all(run.ok for run in runs.values()):
            return False
        accuracies = [run.accuracy for run in runs.values()]
        return max(accuracies) - min(accuracies) < tolerance
        """, "a gap equal to the tolerance counted as disagreement", match=r"exactly"),
    wrong("""
        accuracies = [run.accuracy for run in runs.values() if run.ok]
        return max(accuracies) - min(accuracies) <= tolerance
        """, "failed runs left out instead of making the answer False", match=r"failed"),
    wrong("""
        accuracies = [run.accuracy for run in runs.values()]
        return max(accuracies) - min(accuracies) <= tolerance
        """, "a failed run's accuracy None crashes it", match=r"raised TypeError(.|\n)*failed"),
    wrong("""
        accuracies = [run.accuracy for run in runs.values()]
        return max(accuracies) - min(accuracies)
        """, "returns the gap, not whether it is within the tolerance", match=r"True or False"),
    wrong("""
        if not all(run.ok for run in runs.values()):
            return False
        accuracies = [run.accuracy for run in runs.values()]
        return max(accuracies) - min(accuracies) <= 0.05
        """, "the tolerance of the demo, not the one given", match=r"tolerance"),
    wrong("""
        if not all(run.ok for run in runs.values()):
            return False
        accuracies = [run.accuracy for run in runs.values()]
        return all(abs(a - b) <= tolerance for a, b in zip(accuracies, accuracies[1:]))
        """, "neighbours compared, not the highest with the lowest", match=r"three runs"),
]
