"""Answers to exercise 06's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

ANSWERS = {
    "06.q1": [
        honest("""
            @tf.function(input_signature=[tf.TensorSpec(shape=(None, None), dtype=tf.float32)])
            def predict_classes(images):
                return keras.ops.argmax(model(images), axis=-1)
        """, "keras.ops.argmax, model called without `training`, any number of columns"),
        honest("""
            def classes(images):
                probabilities = model(images, training=False)
                return tf.math.argmax(probabilities, axis=1, output_type=tf.int32)


            predict_classes = tf.function(classes, input_signature=[tf.TensorSpec([None, 64])])
        """, "tf.function called on a plain function, int32 output"),
        honest("""
            @tf.function(input_signature=(tf.TensorSpec(shape=None, dtype=tf.float32),))
            def predict_classes(batch):
                batch = tf.reshape(batch, [-1, 64])
                return tf.cast(tf.argmax(model(batch, training=False), axis=-1), tf.int32)
        """, "a signature of unknown rank, reshaped inside, cast to int32"),
        honest("""
            predict_classes = tf.function(
                lambda images: tf.argmax(model(images, training=False), 1),
                input_signature=[tf.TensorSpec([None, 64], tf.float32)])
        """, "a lambda"),
        honest("""
            @tf.function
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=1)


            predict_classes.get_concrete_function(tf.TensorSpec([None, 64], tf.float32))
        """, "no signature, but traced first for any batch size: later calls reuse that trace"),
        wrong("""
            @tf.function
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=1)
        """, "no input signature: one trace per batch size", match=r"traced \d+ times"),
        wrong("""
            @tf.function(reduce_retracing=True)
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=1)
        """, "reduce_retracing: a second trace before it generalises", match=r"traced 2 times"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([5, 64], tf.float32)])
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=1)
        """, "a signature for batches of 5 only", match=r"batch|refused|raised"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
            def predict_classes(images):
                return tf.argmax(model(images, training=True), axis=1)
        """, "runs the model in training mode (Dropout on)", match=r"disagrees"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=0)
        """, "argmax over the batch", match=r"shape"),
        wrong("""
            def predict_classes(images):
                return tf.argmax(model(images, training=False), axis=1)
        """, "a plain Python function", match=r"tf\.function"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
            def predict_classes(images):
                return model(images, training=False)
        """, "returns the probabilities", match=r"shape"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float64)])
            def predict_classes(images):
                return tf.argmax(model(tf.cast(images, tf.float32), training=False), axis=1)
        """, "a float64 signature: refuses float32 batches", match=r"batch|refused|raised"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
            def predict_classes(images):
                return tf.cast(tf.argmax(model(images, training=False), axis=1), tf.float32)
        """, "classes as floats", match=r"integer"),
    ],
    "06.q2": [
        honest("""
            @tf.function
            def collatz_steps(n):
                def body(n, steps):
                    return tf.where(n % 2 == 0, n // 2, 3 * n + 1), steps + 1

                _, steps = tf.while_loop(lambda n, steps: n > 1, body, [n, tf.constant(0)])
                return steps
        """, "tf.while_loop written out, tf.where"),
        honest("""
            @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
            def collatz_steps(n):
                steps = 0
                while n != 1:
                    if tf.math.floormod(n, 2) == 0:
                        n = tf.math.floordiv(n, 2)
                    else:
                        n = 3 * n + 1
                    steps += 1
                return steps
        """, "an input signature, a Python int counter that AutoGraph turns into a tensor"),
        honest("""
            @tf.function
            def collatz_steps(n):
                steps = tf.constant(0)
                for _ in tf.range(100_000):
                    if n == 1:
                        break
                    n = tf.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1)
                    steps += 1
                return steps
        """, "a loop over tf.range with break, tf.cond"),
        honest("""
            def steps_to_one(n):
                count = tf.zeros([], tf.int32)
                while n > 1:
                    n = n // 2 if n % 2 == 0 else 3 * n + 1
                    count += 1
                return count


            collatz_steps = tf.function(steps_to_one)
        """, "tf.function called on a plain function, conditional expression"),
        wrong("""
            @tf.function
            def collatz_steps(n):
                n = int(n.numpy())
                steps = 0
                while n > 1:
                    n = n // 2 if n % 2 == 0 else 3 * n + 1
                    steps += 1
                return steps
        """, "asks for n's value while tracing", match=r"raised"),
        wrong("""
            @tf.function
            def collatz_steps(n):
                steps = tf.constant(1)
                while n > 1:
                    n = tf.where(n % 2 == 0, n // 2, 3 * n + 1)
                    steps += 1
                return steps
        """, "counts from 1", match=r"expected"),
        wrong("""
            @tf.function
            def collatz_steps(n):
                steps = tf.constant(0)
                for _ in range(60):
                    steps += tf.cast(n > 1, tf.int32)
                    n = tf.where(n > 1, tf.where(n % 2 == 0, n // 2, 3 * n + 1), n)
                return steps
        """, "a Python range loop: unrolled 60 times, no loop in the graph", match=r"no loop"),
        wrong("""
            def python_steps(n):
                n, steps = int(n), 0
                while n > 1:
                    n = n // 2 if n % 2 == 0 else 3 * n + 1
                    steps += 1
                return steps


            @tf.function
            def collatz_steps(n):
                return tf.py_function(python_steps, [n], tf.int32)
        """, "the loop runs in Python through tf.py_function", match=r"no loop"),
        wrong("""
            @tf.function
            def collatz_steps(n):
                steps = tf.constant(0)
                while n > 1:
                    if n % 2 == 0:
                        n = n // 2
                    else:
                        n = 3 * n + 1
                        steps += 1
                return steps
        """, "counts only the odd steps", match=r"expected"),
        wrong("""
            @tf.function
            def collatz_steps(n):
                steps = tf.constant(0)
                while n > 1:
                    if n % 2 == 0:
                        n = n / 2
                    else:
                        n = 3 * n + 1
                    steps += 1
                return steps
        """, "true division turns n into a float", match=r"raised|expected"),
        wrong("""
            @tf.function(input_signature=[tf.TensorSpec([], tf.int64)])
            def collatz_steps(n):
                steps = tf.constant(0)
                while n > 1:
                    n = tf.where(n % 2 == 0, n // 2, 3 * n + 1)
                    steps += 1
                return steps
        """, "an int64 signature: refuses int32 scalars", match=r"raised|refused"),
    ],
    "06.q3": [
        honest("""
            call_count = tf.Variable(0, dtype=tf.int64, trainable=False)


            @tf.function
            def counted_double(x):
                call_count.assign(call_count + 1)
                return x + x
        """, "int64, assign of the incremented value, x + x"),
        honest("""
            call_count = keras.Variable(0, dtype="int32", trainable=False)


            @tf.function
            def counted_double(x):
                call_count.assign_add(1)
                return tf.multiply(x, 2)
        """, "a keras.Variable"),
        honest("""
            call_count = tf.Variable(0)


            @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
            def counted_double(x):
                call_count.assign_add(tf.constant(1))
                return 2.0 * x
        """, "an input signature for float32 tensors of any shape"),
        honest("""
            class Doubler(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.calls = tf.Variable(0)

                @tf.function
                def __call__(self, x):
                    self.calls.assign_add(1)
                    return 2 * x


            doubler = Doubler()
            call_count = doubler.calls
            counted_double = doubler.__call__
        """, "a tf.Module whose method is the tf.function"),
        wrong("""
            call_count = 0


            @tf.function
            def counted_double(x):
                global call_count
                call_count += 1
                return 2 * x
        """, "a Python counter", match=r"tf\.Variable"),
        wrong("""
            call_count = tf.Variable(0)
            calls = 0


            @tf.function
            def counted_double(x):
                global calls
                calls += 1
                call_count.assign(calls)
                return 2 * x
        """, "a Python counter copied into the variable: counts traces", match=r"every call"),
        wrong("""
            call_count = tf.Variable(0)


            @tf.function
            def counted_double(x):
                call_count.assign_add(1)
                return x * x
        """, "squares instead of doubling", match=r"2 × x"),
        wrong("""
            call_count = tf.Variable(0)


            def counted_double(x):
                call_count.assign_add(1)
                return 2 * x
        """, "not a tf.function", match=r"tf\.function"),
        wrong("""
            call_count = tf.Variable(0.0)


            @tf.function
            def counted_double(x):
                call_count.assign_add(1.0)
                return 2 * x
        """, "a float counter", match=r"integer"),
        wrong("""
            call_count = tf.Variable(0)


            @tf.function
            def counted_double(x):
                global call_count
                call_count = call_count + 1
                return 2 * x
        """, "rebinds the global name to a tensor", match=r"tf\.Variable|keras\.Variable"),
        wrong("""
            call_count = tf.Variable(0)


            @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
            def counted_double(x):
                call_count.assign_add(1)
                return 2 * x
        """, "a signature for scalars only", match=r"refused|raised"),
    ],
    "06.q4": [
        honest("concrete_norms = row_norms.get_concrete_function(tf.TensorSpec([None, 3]))",
               "dtype left to its default, float32"),
        honest("""
            concrete_norms = row_norms.get_concrete_function(
                x=tf.TensorSpec(shape=(None, 3), dtype="float32"))
        """, "keyword argument, dtype as a string"),
        honest("""
            matrices = tf.TensorSpec(tf.TensorShape([None, 3]), tf.float32, name="matrices")
            concrete_norms = row_norms.get_concrete_function(matrices)
        """, "a named spec built from a TensorShape"),
        honest("""
            general = tf.function(row_norms.python_function,
                                  input_signature=[tf.TensorSpec([None, 3], tf.float32)])
            concrete_norms = general.get_concrete_function()
        """, "row_norms' Python function wrapped again with a signature"),
        wrong("concrete_norms = row_norms", "the tf.function itself", match=r"concrete function"),
        wrong("concrete_norms = row_norms.get_concrete_function(tf.TensorSpec([5, 3], tf.float32))",
              "5 rows only", match=r"any number of rows"),
        wrong("concrete_norms = row_norms.get_concrete_function(tf.ones([4, 3]))",
              "traced from an example tensor: 4 rows only", match=r"any number of rows"),
        wrong("""
            concrete_norms = row_norms.get_concrete_function(tf.TensorSpec([None, 3], tf.float64))
        """, "float64", match=r"float32"),
        wrong("""
            concrete_norms = row_norms.get_concrete_function(tf.TensorSpec([None, None], tf.float32))
        """, "any number of columns", match=r"3 columns"),
        wrong("concrete_norms = row_norms.get_concrete_function", "the method, not called",
              match=r"concrete function"),
        wrong("concrete_norms = row_norms.get_concrete_function(tf.TensorSpec(None, tf.float32))",
              "a spec of unknown rank", match=r"3 columns|any number of rows"),
        wrong("""
            concrete_norms = tf.function(lambda x: tf.reduce_sum(x, axis=1)).get_concrete_function(
                tf.TensorSpec([None, 3], tf.float32))
        """, "the concrete function of another computation", match=r"row_norms"),
    ],
    "06.q5": [
        honest("""
            for _ in range(warmup):
                fn()
            durations = []
            for _ in range(repeats):
                start = time.perf_counter_ns()
                fn()
                durations.append((time.perf_counter_ns() - start) / 1e9)
            return float(np.median(durations))
        """, "perf_counter_ns converted to seconds, np.median"),
        honest("""
            import timeit
            for _ in range(warmup):
                fn()
            return statistics.median(timeit.repeat(fn, number=1, repeat=repeats))
        """, "timeit.repeat with one call per repeat"),
        honest("""
            [fn() for _ in range(warmup)]

            def timed():
                start = time.perf_counter()
                fn()
                return time.perf_counter() - start

            durations = sorted(timed() for _ in range(repeats))
            middle = len(durations) // 2
            if len(durations) % 2:
                return durations[middle]
            return (durations[middle - 1] + durations[middle]) / 2
        """, "the median by hand from the sorted durations"),
        honest("""
            for call in range(warmup + repeats):
                start = time.perf_counter()
                fn()
                elapsed = time.perf_counter() - start
                if call == warmup - 1 or warmup == 0 and call == 0:
                    durations = []
                if call >= warmup:
                    durations.append(elapsed)
            return statistics.median(durations)
        """, "one loop that times every call and keeps those after the warm-up"),
        wrong("""
            for _ in range(warmup):
                fn()
            start = time.perf_counter()
            for _ in range(repeats):
                fn()
            return (time.perf_counter() - start) / repeats
        """, "the mean of the timed calls", match=r"median"),
        wrong("""
            durations = []
            for _ in range(warmup + repeats):
                start = time.perf_counter()
                fn()
                durations.append(time.perf_counter() - start)
            return statistics.median(durations)
        """, "times the warm-up calls too", match=r"median|warm-up"),
        wrong("""
            for _ in range(warmup):
                fn()
            durations = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                durations.append(time.perf_counter() - start)
            return 1000 * statistics.median(durations)
        """, "milliseconds", match=r"not seconds"),
        wrong("""
            for _ in range(warmup):
                fn()
            durations = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                durations.append(time.perf_counter() - start)
            return min(durations)
        """, "the fastest call, not the median", match=r"median"),
        wrong("""
            for _ in range(warmup):
                fn()
            durations = []
            start = time.perf_counter()
            for _ in range(repeats):
                fn()
                durations.append(time.perf_counter() - start)
            return statistics.median(durations)
        """, "one start for all calls: cumulative times", match=r"median|each call"),
        wrong("""
            durations = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                durations.append(time.perf_counter() - start)
            return statistics.median(durations)
        """, "no warm-up calls", match=r"called fn"),
        wrong("""
            for _ in range(warmup):
                fn()
            durations = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                durations.append(time.perf_counter() - start)
            return durations
        """, "returns every duration", match=r"single number|shape"),
        wrong("""
            for _ in range(warmup):
                fn()
            durations = []
            for _ in range(repeats):
                start = time.process_time()
                fn()
                durations.append(time.process_time() - start)
            return statistics.median(durations)
        """, "CPU time instead of wall-clock time", match=r"wall-clock"),
    ],
    "06.q6": [
        honest("""
            temperature = tf.Variable(2.0, dtype=tf.float32, trainable=False)


            @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
            def soften(logits):
                return tf.nn.softmax(tf.math.divide(logits, temperature), axis=-1)
        """, "a non-trainable variable, tf.math.divide, a signature for any shape"),
        honest("""
            temperature = keras.Variable(2.0, dtype="float32")


            @tf.function
            def soften(logits):
                return keras.ops.softmax(logits / temperature)
        """, "a keras.Variable and keras.ops.softmax"),
        honest("""
            temperature = tf.Variable(2.0)


            @tf.function
            def soften(logits):
                scaled = logits * (1.0 / temperature.read_value())
                scaled -= tf.reduce_max(scaled, axis=-1, keepdims=True)
                return tf.exp(scaled) / tf.reduce_sum(tf.exp(scaled), axis=-1, keepdims=True)
        """, "read_value, a softmax written out"),
        honest("""
            class Softener(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.temperature = tf.Variable(2.0)

                @tf.function
                def __call__(self, logits):
                    return tf.nn.softmax(logits / self.temperature)


            softener = Softener()
            temperature = softener.temperature
            soften = softener.__call__
        """, "a tf.Module that holds the variable"),
        honest("""
            temperature = tf.Variable(2.0)


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / float(temperature))
        """, "float() of the variable: AutoGraph turns it into a cast, read at each run"),
        wrong("""
            temperature = 2.0


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / temperature)
        """, "left a Python number", match=r"tf\.Variable"),
        wrong("""
            temperature = tf.Variable(2.0)
            current = temperature.numpy()


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / current)
        """, "a copy of the variable's value taken outside: frozen",
              match=r"same values .*whatever temperature"),
        wrong("""
            temperature = tf.Variable(2.0)


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / temperature.numpy())
        """, ".numpy() inside the function: fails while tracing", match=r"raised"),
        wrong("""
            temperature = tf.Variable(2.0)


            def soften(logits):
                return tf.nn.softmax(logits / temperature)
        """, "not a tf.function", match=r"tf\.function"),
        wrong("""
            temperature = tf.Variable(2.0)


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits * temperature)
        """, "multiplies by the temperature", match=r"does not return softmax"),
        wrong("""
            temperature = tf.Variable(2.0)


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / temperature, axis=0)
        """, "softmax over the first axis: wrong for batches", match=r"shape \(3, 4\)"),
        wrong("""
            temperature = tf.Variable(2)


            @tf.function
            def soften(logits):
                return tf.nn.softmax(logits / tf.cast(temperature, tf.float32))
        """, "an integer variable", match=r"float32"),
    ],
    "06.q7": [
        honest("""
            @tf.function
            def dataset_sum(dataset):
                return dataset.reduce(np.float32(0), lambda total, x: total + tf.reduce_sum(x))
        """, "Dataset.reduce"),
        honest("""
            @tf.function
            def dataset_sum(dataset):
                total = 0.0
                for batch in iter(dataset):
                    total += keras.ops.sum(batch)
                return tf.convert_to_tensor(total, tf.float32)
        """, "a Python 0.0 start, an iterator, keras.ops.sum"),
        honest("""
            def total_of(data):
                result = tf.zeros([])
                for element in data.map(tf.reduce_sum):
                    result = result + element
                return result


            dataset_sum = tf.function(total_of)
        """, "tf.function called on a plain function, map before the loop"),
        honest("""
            @tf.function
            def dataset_sum(dataset):
                if dataset.element_spec.shape.rank:  # batches: one number per element first
                    dataset = dataset.unbatch()
                return dataset.reduce(0.0, tf.add)
        """, "unbatch decided from the element spec while tracing, reduce with tf.add"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                total = tf.constant(0.0)
                for x in dataset:
                    total += x
                return total
        """, "no sum over a batch: fails on batched datasets", match=r"raised|returned|shape"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                total = 0.0
                for x in dataset.as_numpy_iterator():
                    total += float(x.sum())
                return total
        """, "a NumPy iterator: only works eagerly", match=r"raised"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                return tf.reduce_sum(dataset.batch(1_000_000).get_single_element())
        """, "everything in one batch: no loop, fails on an empty dataset",
              match=r"no loop|raised"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                return tf.reduce_sum(next(iter(dataset)))
        """, "the first element only", match=r"no loop|raised|expected"),
        wrong("""
            def dataset_sum(dataset):
                total = tf.constant(0.0)
                for x in dataset:
                    total += tf.reduce_sum(x)
                return total
        """, "a Python loop run eagerly: not a tf.function", match=r"tf\.function"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                total = tf.constant(0)
                for x in dataset:
                    total += tf.cast(tf.reduce_sum(x), tf.int32)
                return total
        """, "an integer total: the fractions are lost", match=r"expected|float"),
        wrong("""
            @tf.function
            def dataset_sum(dataset):
                total = tf.constant(0.0)
                for x in dataset.take(10):
                    total += tf.reduce_sum(x)
                return total
        """, "the first 10 elements only", match=r"expected"),
    ],
    "06.q8": [
        honest("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = None

                @tf.function
                def add(self, x):
                    if self.total is None:
                        self.total = tf.Variable(tf.zeros_like(x), trainable=False)
                    self.total.assign_add(x)
                    return tf.identity(self.total)
        """, "zeros_like as initial value, tf.identity, non-trainable"),
        honest("""
            class RunningSum:
                def __init__(self):
                    self._sum = None

                @tf.function
                def add(self, x):
                    if self._sum is None:
                        with tf.init_scope():
                            self._sum = tf.Variable(tf.zeros(x.shape, tf.float32))
                    self._sum.assign(self._sum + x)
                    return self._sum.value()
        """, "a plain class, tf.init_scope, assign of the sum, value()"),
        honest("""
            class RunningSum(keras.layers.Layer):
                def build(self, shape):
                    self.total = self.add_weight(shape=shape, initializer="zeros", trainable=False)

                @tf.function
                def add(self, x):
                    if not self.built:
                        self.build(x.shape)
                        self.built = True
                    self.total.assign_add(x)
                    return keras.ops.convert_to_tensor(self.total)
        """, "a Keras layer whose build makes the weight on the first call"),
        honest("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.state = []

                @tf.function
                def add(self, x):
                    if not self.state:
                        self.state.append(tf.Variable(tf.zeros_like(x)))
                    return self.state[0].assign_add(x).read_value()
        """, "the variable kept in a list, assign_add's result read"),
        wrong("""
            class RunningSum(tf.Module):
                @tf.function
                def add(self, x):
                    self.total = tf.Variable(tf.zeros(x.shape))
                    self.total.assign_add(x)
                    return self.total.read_value()
        """, "creates the variable at every trace", match=r"singleton|raised"),
        wrong("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = 0.0

                @tf.function
                def add(self, x):
                    self.total = self.total + x
                    return self.total
        """, "a Python attribute: changes only while tracing", match=r"sum of its inputs|variable"),
        wrong("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = tf.Variable(0.0)

                @tf.function
                def add(self, x):
                    self.total.assign_add(x)
                    return self.total.read_value()
        """, "a scalar variable made in the constructor: wrong shape", match=r"raised|shape"),
        wrong("""
            class RunningSum(tf.Module):
                shared = None

                @tf.function
                def add(self, x):
                    if RunningSum.shared is None:
                        RunningSum.shared = tf.Variable(tf.zeros(x.shape))
                    RunningSum.shared.assign_add(x)
                    return RunningSum.shared.read_value()
        """, "one variable for the class, shared by every instance",
              match=r"start from a total of zero|raised"),
        wrong("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = None

                def add(self, x):
                    if self.total is None:
                        self.total = tf.Variable(tf.zeros(x.shape))
                    self.total.assign_add(x)
                    return self.total.read_value()
        """, "add is not a tf.function", match=r"tf\.function"),
        wrong("""
            class RunningSum(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = None

                @tf.function
                def add(self, x):
                    if self.total is None:
                        self.total = tf.Variable(tf.zeros(x.shape))
                    before = self.total.read_value()
                    self.total.assign_add(x)
                    return before
        """, "returns the total before the addition", match=r"returned zeros"),
    ],
}
